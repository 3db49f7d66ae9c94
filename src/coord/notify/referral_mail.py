"""The two messages of a referral (issue 17.6, 17.8): the person hears they were referred,
and some days later (the organization's `referral_checkin_days`, 7 by default) a gentle
check-in asks "Did you get connected?", with the crisis lines and a way to stop them.

Both are built when they go, in the person's language (coord.notify.delivery sets it), from
the referral as it is then: a referral erased, withdrawn or answered since sends nothing.
In discreet mode (the person's setting) neither says what the referral is to: no service,
no group, no note, no category; only that something is waiting on their page. Both respect
quiet hours, and each of the three kinds (`referral`, `referral_checkin`, `referral_answer`)
can be turned off in its recipient's notification settings (coord.notify.delivery skips it). The check-in is a deferred job (one per referral), like attendance follow-ups.

The plan functions (pure, as in coord.notify.plans) say when the check-in is due and its key.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from email.message import Message
from uuid import UUID

import asyncpg

from coord.i18n import N_, gettext as _
from coord.kernel.config import Settings
from coord.notify.delivery import DeliveryKey, deliver
from coord.notify.messages import base_message, org_sender, paragraphs_to_text_and_html, support_line
from coord.notify.preferences import get_preferences
from coord.notify.service import Mail
from coord.outbox.domain_events import ReferralChanged, ReferralMade

NOTICE_KIND, CHECKIN_KIND, ANSWER_KIND = "referral", "referral_checkin", "referral_answer"
OPEN = ("requested", "accepted")

REFERRAL_FOR_MAIL = """
SELECT r.id, r.org_id, r.person_id, r.status, r.note, r.checkin_due_at, r.checkin_answer,
       s.name AS service_name, coalesce(g.discreet_title, g.name) AS group_name, r.group_id,
       rf.display_name AS referrer_name,
       o.name AS org_name, o.contact_email, o.crisis_resources, o.crisis_lines
FROM referrals r JOIN orgs o ON o.id = r.org_id
LEFT JOIN directory_services s ON s.id = r.service_id
LEFT JOIN groups g ON g.id = r.group_id
LEFT JOIN users rf ON rf.id = r.referrer_id
WHERE r.id = $1
"""
# What the referrer already knows of their referral: whom, to what, where (no note, no consent).
REFERRAL_FOR_REFERRER = """
SELECT r.id, r.org_id, r.referrer_id, p.display_name AS person_name,
       s.name AS service_name, coalesce(g.discreet_title, g.name) AS group_name,
       o.name AS org_name, o.slug AS org_slug, o.contact_email
FROM referrals r JOIN orgs o ON o.id = r.org_id JOIN users p ON p.id = r.person_id
LEFT JOIN directory_services s ON s.id = r.service_id
LEFT JOIN groups g ON g.id = r.group_id
WHERE r.id = $1
"""
CHECKIN_TIMING = "SELECT id, org_id, person_id, checkin_due_at FROM referrals WHERE id = $1"


# --- plans (pure) -----------------------------------------------------------------------


def notice_key(outbox_id: UUID, person_id: UUID, org_id: UUID | None) -> DeliveryKey:
    return DeliveryKey(outbox_id, person_id, NOTICE_KIND, org_id)


def checkin_key(referral_id: UUID, person_id: UUID, org_id: UUID) -> DeliveryKey:
    """One check-in per referral, whichever job sends it."""
    return DeliveryKey(None, person_id, CHECKIN_KIND, org_id, scope=f"referral-checkin:{referral_id}")


def checkin_wait(due: datetime, now: datetime) -> timedelta:
    """How long the check-in still waits (nothing once it is due)."""
    return max(due - now, timedelta(0))


def checkin_job_id(referral_id: UUID) -> str:
    return f"referral-checkin:{referral_id}"


# --- builders -----------------------------------------------------------------------------


def _what(r: asyncpg.Record) -> str:
    return r["service_name"] or r["group_name"] or _("a service")


def _page(settings: Settings) -> str:
    return f"{settings.base_url}/me/referrals"


async def referral_notice(conn: asyncpg.Connection, settings: Settings, recipient: asyncpg.Record,
                          referral_id: UUID) -> Message | None:
    r = await conn.fetchrow(REFERRAL_FOR_MAIL, referral_id)
    if r is None or r["status"] not in OPEN:
        return None  # erased, or withdrawn before it went
    greeting = _("Hello %(name)s,") % {"name": recipient["display_name"]}
    privacy = _("Nothing about you is shared with anyone outside %(org)s unless you say so on that page, "
                "and you can change your mind at any time.") % {"org": r["org_name"]}
    if (await get_preferences(conn, recipient["id"])).discreet:
        subject = _("Something new on your page at %(org)s") % {"org": r["org_name"]}
        said = [_("There is something new for you on your page. Sign in to read it:"), privacy]
    else:
        who = {"referrer": r["referrer_name"] or r["org_name"], "org": r["org_name"], "what": _what(r)}
        if r["group_id"] is not None:
            subject = _("An invitation to join %(what)s") % who
            said = [_("%(referrer)s at %(org)s invites you to join %(what)s.") % who,
                    _("If you accept, you join the group and its sessions reach your calendar.")]
        else:
            subject = _("A suggestion from %(org)s: %(what)s") % who
            said = [_("%(referrer)s at %(org)s suggests %(what)s, which may help you.") % who]
        if r["note"]:
            said.append(_("Their note: %(note)s") % {"note": r["note"]})
        said += [_("On your referrals page you can accept it, decline it, or say it is done:"), privacy]
    text, html = paragraphs_to_text_and_html(greeting, said, _page(settings))
    return base_message(settings, recipient["email"], subject, text, html, sender=org_sender(r))


def checkin_links(settings: Settings, referral_id: UUID) -> dict[str, str]:
    base = f"{settings.base_url}/referrals/{referral_id}/checkin?answer="
    return {"connected": base + "connected", "not_yet": base + "not_yet", "did_not_work": base + "did_not_work",
            "stop": f"{settings.base_url}/referrals/checkins/stop"}


async def referral_checkin(conn: asyncpg.Connection, settings: Settings, recipient: asyncpg.Record,
                           referral_id: UUID) -> Message | None:
    r = await conn.fetchrow(REFERRAL_FOR_MAIL, referral_id)
    if r is None or r["status"] not in OPEN or r["checkin_answer"] is not None:
        return None  # erased, settled or answered already (delivery skips a kind turned off)
    links = checkin_links(settings, referral_id)
    discreet = (await get_preferences(conn, recipient["id"])).discreet
    if discreet:
        opening = _("A few days ago, %(org)s suggested something on your page. Did you get connected?") % {
            "org": r["org_name"]}
    else:
        opening = _("A few days ago, %(org)s suggested %(what)s. Did you get connected?") % {
            "org": r["org_name"], "what": _what(r)}
    said = [
        opening,
        _("There is no need to reply; if you would like to tell us, choose one:"),
        _("Yes, I got connected: %(link)s") % {"link": links["connected"]},
        _("Not yet: %(link)s") % {"link": links["not_yet"]},
        _("It did not work out: %(link)s") % {"link": links["did_not_work"]},
        support_line(r["crisis_resources"], r["crisis_lines"]),
        _("To stop these check-ins: %(link)s") % {"link": links["stop"]},
    ]
    greeting = _("Hello %(name)s,") % {"name": recipient["display_name"]}
    text, html = paragraphs_to_text_and_html(greeting, said, _page(settings))
    return base_message(settings, recipient["email"], _("Did you get connected?"), text, html, sender=org_sender(r))


# What the person said, as the referrer hears it (whole sentences, one per answer).
ANSWERS = {
    "accepted": N_("%(person)s accepted your referral to %(what)s."),
    "declined": N_("%(person)s declined your referral to %(what)s."),
    "completed": N_("%(person)s says your referral to %(what)s is done."),
    "failed": N_("%(person)s says your referral to %(what)s did not work out."),
}


async def referral_answer(conn: asyncpg.Connection, settings: Settings, recipient: asyncpg.Record,
                          referral_id: UUID, status: str) -> Message | None:
    """The referrer hears the person's answer, in the referrer's language; in the referrer's
    discreet mode it names neither the person nor the service, only that there is an answer."""
    r = await conn.fetchrow(REFERRAL_FOR_REFERRER, referral_id)
    if r is None or r["referrer_id"] != recipient["id"]:
        return None  # erased since
    greeting = _("Hello %(name)s,") % {"name": recipient["display_name"]}
    if (await get_preferences(conn, recipient["id"])).discreet:
        said = [_("Someone you referred at %(org)s has answered. Sign in to read it:") % {"org": r["org_name"]}]
    else:
        said = [_(ANSWERS[status]) % {"person": r["person_name"], "what": _what(r)},
                _("Your referrals at %(org)s:") % {"org": r["org_name"]}]
    link = f"{settings.base_url}/orgs/{r['org_slug']}/referrals"
    text, html = paragraphs_to_text_and_html(greeting, said, link)
    return base_message(settings, recipient["email"], _("An answer to your referral"), text, html,
                        sender=org_sender(r))


# --- sending (the jobs in workers/referral_jobs.py call these) ------------------------------


async def checkin_timing(mail: Mail, referral_id: UUID) -> asyncpg.Record | None:
    """The referral's org, person and check-in day (None: erased since)."""
    async with mail.pool.acquire() as conn:
        return await conn.fetchrow(CHECKIN_TIMING, referral_id)


async def send_notice(mail: Mail, event: ReferralMade, outbox_id: UUID) -> str:
    """The person hears they were referred, once; quiet hours respected."""
    row = await checkin_timing(mail, event.referral_id)

    async def build(conn: asyncpg.Connection, recipient: asyncpg.Record | None) -> Message | None:
        assert recipient is not None
        return await referral_notice(conn, mail.settings, recipient, event.referral_id)

    key = notice_key(outbox_id, event.person_id, row["org_id"] if row else None)
    return await deliver(mail.pool, mail.mailer, key, build)


async def send_checkin(mail: Mail, row: asyncpg.Record) -> str:
    """The check-in of the referral `row` (checkin_timing's), once; quiet hours respected."""
    async def build(conn: asyncpg.Connection, recipient: asyncpg.Record | None) -> Message | None:
        assert recipient is not None
        return await referral_checkin(conn, mail.settings, recipient, row["id"])

    return await deliver(mail.pool, mail.mailer, checkin_key(row["id"], row["person_id"], row["org_id"]), build)


async def send_answer(mail: Mail, event: ReferralChanged, outbox_id: UUID) -> str:
    """Whoever referred the person hears their answer, once; quiet hours respected. A change
    made by the referrer or staff, or an older event without its status, sends nothing."""
    if not event.by_person or event.status not in ANSWERS:
        return "not an answer"
    async with mail.pool.acquire() as conn:
        row = await conn.fetchrow(REFERRAL_FOR_REFERRER, event.referral_id)
    if row is None or row["referrer_id"] is None:
        return "no referrer"

    async def build(conn: asyncpg.Connection, recipient: asyncpg.Record | None) -> Message | None:
        assert recipient is not None
        return await referral_answer(conn, mail.settings, recipient, event.referral_id, event.status or "")

    return await deliver(mail.pool, mail.mailer, DeliveryKey(outbox_id, row["referrer_id"], ANSWER_KIND,
                                                             row["org_id"]), build)
