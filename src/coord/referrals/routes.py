"""HTTP routes of referrals; CONTROLLERS is what the plugin mounts under /api/v1."""

from __future__ import annotations

from typing import Any

from litestar import Controller, delete, get, post

from coord.kernel.params import DB, AuthedRequest, Body, PathId
from coord.referrals import service
from coord.referrals.schemas import (
    CheckinIn,
    ConsentIn,
    ConsentOut,
    CreatedOut,
    OrgReferralsOut,
    ReferralIn,
    ReferralOut,
    SharedOut,
    StatusIn,
)


class ReferralController(Controller):
    path = "/referrals"
    tags = ["referrals"]

    @post("", operation_id="createReferral", status_code=201)
    async def create(self, request: AuthedRequest, data: Body[ReferralIn], db: DB) -> CreatedOut:
        """Refer a person you serve to a directory service or to a group (coordinators and admins of
        their organization, facilitators of their group). They are told; nothing leaves coord."""
        return await service.refer(db, request.user.id, data)

    @get("/{referral_id:uuid}", operation_id="getReferral")
    async def get_one(self, request: AuthedRequest, referral_id: PathId, db: DB) -> ReferralOut:
        """One referral with its history and consents (the person and the referrer only)."""
        return await service.get_referral(db, request.user.id, referral_id)

    @post("/{referral_id:uuid}/status", operation_id="setReferralStatus", status_code=200)
    async def set_status(self, request: AuthedRequest, referral_id: PathId, data: Body[StatusIn], db: DB) -> CreatedOut:
        """The person accepts, declines, completes (or `failed`); the referrer or a coordinator
        cancels it or marks it `entered-in-error`. A group's referral accepted joins the group."""
        return await service.change_status(db, request.user.id, referral_id, data)

    @post("/{referral_id:uuid}/checkin", operation_id="answerReferralCheckin", status_code=200)
    async def checkin(self, request: AuthedRequest, referral_id: PathId, data: Body[CheckinIn], db: DB) -> CreatedOut:
        """The person's answer to the check-in ("Did you get connected?"); the referral follows it."""
        await service.answer_checkin(db, request.user.id, referral_id, data.answer)
        out = await service.get_referral(db, request.user.id, referral_id)
        return CreatedOut(out.id, out.status)

    @post("/{referral_id:uuid}/consent", operation_id="giveReferralConsent", status_code=201)
    async def consent(self, request: AuthedRequest, referral_id: PathId, data: Body[ConsentIn], db: DB) -> ConsentOut:
        """The person consents to sharing these facts with whom, for what, until when (audited)."""
        return await service.give_consent(db, request.user.id, referral_id, data)

    @delete("/{referral_id:uuid}/consent", operation_id="revokeReferralConsents", status_code=204)
    async def revoke_all(self, request: AuthedRequest, referral_id: PathId, db: DB) -> None:
        """Revoke every consent in force on the referral (the person)."""
        await service.revoke_consent(db, request.user.id, referral_id)

    @delete("/{referral_id:uuid}/consent/{consent_id:uuid}", operation_id="revokeReferralConsent", status_code=204)
    async def revoke(self, request: AuthedRequest, referral_id: PathId, consent_id: PathId, db: DB) -> None:
        """Revoke one consent (the person)."""
        await service.revoke_consent(db, request.user.id, referral_id, consent_id)

    @get("/{referral_id:uuid}/shared", operation_id="getReferralSharedFacts")
    async def shared(self, request: AuthedRequest, referral_id: PathId, db: DB) -> SharedOut:
        """What may be passed to the receiving organization under the person's consent in force
        (the referrer, coordinators); 409 without one. Audited."""
        return await service.shared(db, request.user.id, referral_id)


class MyReferralsController(Controller):
    path = "/me/referrals"
    tags = ["referrals"]

    @get("", operation_id="listMyReferrals")
    async def mine(self, request: AuthedRequest, db: DB) -> list[ReferralOut]:
        """The caller's own referrals, newest first."""
        return await service.my_referrals(db, request.user.id)


class OrgReferralsController(Controller):
    path = "/orgs/{org_id:uuid}/referrals"
    tags = ["referrals"]

    @get("", operation_id="listOrgReferrals")
    async def org(self, request: AuthedRequest, org_id: PathId, db: DB) -> OrgReferralsOut:
        """Counts by category and outcome (coordinators, admins: the organization's; facilitators:
        their own), and the caller's own referrals in full. No other names."""
        return await service.org_referrals(db, request.user.id, org_id)


CONTROLLERS: list[Any] = [ReferralController, MyReferralsController, OrgReferralsController]
