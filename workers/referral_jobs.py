"""Referral messages (coord.notify.referral_mail): the person hears at once (quiet hours
permitting), the referrer hears the person's answer, and a check-in goes some days later
from a deferred job, one per referral, that re-reads the referral when it runs."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from arq import Retry

from coord.kernel import clock
from coord.notify.referral_mail import (
    checkin_job_id,
    checkin_timing,
    checkin_wait,
    send_answer,
    send_checkin,
    send_notice,
)
from coord.notify.service import Mail
from coord.outbox.domain_events import ReferralChanged, ReferralMade
from workers.registry import job, on


@on(ReferralMade)
async def send_referral_notice(ctx: dict[str, Any], event: ReferralMade, outbox_id: UUID) -> str:
    """The person hears they were referred, once, in their language (discreetly if they asked)."""
    return await send_notice(Mail.of(ctx), event, outbox_id)


@on(ReferralMade)
async def plan_referral_checkin(ctx: dict[str, Any], event: ReferralMade, outbox_id: UUID) -> str:
    """The check-in waits for its day (the organization's delay) in a deferred job, one per referral."""
    row = await checkin_timing(Mail.of(ctx), event.referral_id)
    if row is None:
        return "erased"
    wait = checkin_wait(row["checkin_due_at"], clock.now())
    await ctx["redis"].enqueue_job(send_referral_checkin.__name__, str(event.referral_id),
                                   _job_id=checkin_job_id(event.referral_id), _defer_by=wait)
    return "deferred"


@on(ReferralChanged)
async def send_referral_answer(ctx: dict[str, Any], event: ReferralChanged, outbox_id: UUID) -> str:
    """The person answered (accepted, declined, done, did not work out): their referrer hears it."""
    return await send_answer(Mail.of(ctx), event, outbox_id)


@job()
async def send_referral_checkin(ctx: dict[str, Any], referral_id: str) -> str:
    """"Did you get connected?", once it is due (early by coord's clock: wait on)."""
    mail = Mail.of(ctx)
    row = await checkin_timing(mail, UUID(referral_id))
    if row is None:
        return "erased"
    if wait := checkin_wait(row["checkin_due_at"], clock.now()):
        raise Retry(defer=wait.total_seconds())
    return await send_checkin(mail, row)
