"""Referral pages (issue 17.6-17.8): the person's referrals (accept, decline, done, consent
and its revocation), the check-in's answer and its opt-out (links in the mail open a page
whose button answers: a mail scanner following a link changes nothing), the Refer form for
facilitators and coordinators, and the organization's counts. No step needs JavaScript."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from coord.i18n import N_, gettext as _
from coord.kernel import clock
from coord.kernel.access import STAFF, CurrentUser
from coord.kernel.errors import DomainError, Forbidden, NotFound
from coord.kernel.params import DB, PathId
from coord.notify import preferences
from coord.referrals import service
from coord.referrals.schemas import CHECKIN_ANSWERS, ConsentIn, ReferralIn, StatusIn
from coord.views.referral_choices import org_for_counts, refer_choices
from coord.web.forms import FormInvalid, domain_errors, form_fields, to_struct
from coord.web.render import page
from coord.web.session import Viewer, signed_in

# A referral's status, as the person reads it.
STATUS_WORDS = {
    "requested": N_("Waiting for your answer"), "accepted": N_("Accepted"), "declined": N_("Declined"),
    "cancelled": N_("Withdrawn"), "completed": N_("Done"), "failed": N_("Did not work out"),
    "entered-in-error": N_("Made by mistake"),
}
FACT_WORDS = {"name": N_("My name"), "email": N_("My email address"), "language": N_("My language"),
              "timezone": N_("My timezone"), "note": N_("The note written for me")}
ANSWER_WORDS = {"connected": N_("Yes, I got connected"), "not_yet": N_("Not yet"),
                "did_not_work": N_("It did not work out")}
DONE = {
    "accepted": N_("Thank you: the referral is accepted."), "declined": N_("The referral is declined."),
    "completed": N_("Marked as done. We hope it helped."), "failed": N_("Noted: it did not work out."),
    "consent": N_("Your consent is recorded. You can revoke it at any time."),
    "revoked": N_("Your consent is revoked: nothing more is shared."),
    "checkin": N_("Thank you for letting us know."),
}


def _words(table: dict[str, str]) -> dict[str, str]:
    return {k: _(v) for k, v in table.items()}


async def _my_page(request: Request, viewer: CurrentUser, db: DB, *, done: str | None = None,
                   errors: dict[str, dict[str, str]] | None = None, values: dict[str, Any] | None = None,
                   status_code: int = 200) -> Template:
    referrals = await service.my_referrals(db, viewer.id)
    return page(request, "me_referrals.html", viewer=viewer, title=_("My referrals"), status_code=status_code,
                referrals=referrals, status_words=_words(STATUS_WORDS), fact_words=_words(FACT_WORDS),
                facts_of=lambda fields: ", ".join(_(FACT_WORDS[f]) for f in fields),
                done=_(DONE[done]) if done in DONE else None, errors=errors or {}, values=values or {},
                today=clock.today_in(viewer.timezone or "UTC").isoformat())


class MyReferralPages(Controller):
    path = "/me/referrals"

    @get("", name="my-referrals")
    async def mine(self, request: Request, viewer: Viewer, db: DB, done: FromQuery[str | None] = None) -> Template:
        """My referrals: what, from whom, their note; accept, decline or mark done; consent to sharing."""
        return await _my_page(request, signed_in(request, viewer), db, done=done)

    @post("/{referral_id:uuid}/status", status_code=303)
    async def set_status(self, request: Request, viewer: Viewer, db: DB, referral_id: PathId) -> Response:
        me = signed_in(request, viewer)
        fields = await form_fields(request)
        try:
            data = to_struct({"status": fields.get("status")}, StatusIn)
            async with db.transaction():
                await service.change_status(db, me.id, referral_id, data)
        except FormInvalid as exc:
            return await _my_page(request, me, db, errors={str(referral_id): {"form": exc.message}}, status_code=422)
        except DomainError as exc:
            if exc.status == 404:
                raise
            return await _my_page(request, me, db, errors={str(referral_id): domain_errors(exc)},
                                  status_code=exc.status)
        return Redirect(f"/me/referrals?done={data.status}#r-{referral_id}", status_code=303)

    @post("/{referral_id:uuid}/consent", status_code=303)
    async def consent(self, request: Request, viewer: Viewer, db: DB, referral_id: PathId) -> Response:
        me = signed_in(request, viewer)
        fields = await form_fields(request)
        facts = fields.get("fields") or []
        body = {k: fields[k] for k in ("share_with", "purpose", "until") if k in fields}
        body["fields"] = facts if isinstance(facts, list) else [facts]
        missing = {k: _("this field is required") for k in ("share_with", "purpose", "until") if k not in body}
        if not body["fields"]:
            missing["fields"] = _("choose at least one thing to share")
        try:
            if missing:
                raise FormInvalid(missing, _("required fields are missing"))
            data = to_struct(body, ConsentIn)
            async with db.transaction():
                await service.give_consent(db, me.id, referral_id, data)
        except FormInvalid as exc:
            return await _my_page(request, me, db, errors={str(referral_id): exc.errors},
                                  values={str(referral_id): fields}, status_code=422)
        except DomainError as exc:
            if exc.status == 404:
                raise
            return await _my_page(request, me, db, errors={str(referral_id): domain_errors(exc)},
                                  values={str(referral_id): fields}, status_code=exc.status)
        return Redirect(f"/me/referrals?done=consent#r-{referral_id}", status_code=303)

    @post("/{referral_id:uuid}/consent/{consent_id:uuid}/revoke", status_code=303)
    async def revoke(self, request: Request, viewer: Viewer, db: DB, referral_id: PathId,
                     consent_id: FromPath[UUID]) -> Response:
        me = signed_in(request, viewer)
        async with db.transaction():
            await service.revoke_consent(db, me.id, referral_id, consent_id)
        return Redirect(f"/me/referrals?done=revoked#r-{referral_id}", status_code=303)


class CheckinPages(Controller):
    path = "/referrals"

    @get("/{referral_id:uuid}/checkin")
    async def ask(self, request: Request, viewer: Viewer, db: DB, referral_id: PathId,
                  answer: FromQuery[str | None] = None) -> Template:
        """The check-in's question, the answer from the mail's link already chosen."""
        me = signed_in(request, viewer)
        referral = await service.get_referral(db, me.id, referral_id)
        if referral.person_id != me.id:  # the referrer reads it too, but the answer is the person's
            raise NotFound(_("no such referral"))
        return page(request, "referral_checkin.html", viewer=me, title=_("Did you get connected?"),
                    referral=referral, chosen=answer if answer in CHECKIN_ANSWERS else None,
                    answers=_words(ANSWER_WORDS))

    @post("/{referral_id:uuid}/checkin", status_code=303)
    async def answer(self, request: Request, viewer: Viewer, db: DB, referral_id: PathId) -> Response:
        me = signed_in(request, viewer)
        chosen = (await form_fields(request)).get("answer")
        if chosen not in CHECKIN_ANSWERS:
            return Redirect(f"/referrals/{referral_id}/checkin", status_code=303)
        async with db.transaction():
            await service.answer_checkin(db, me.id, referral_id, chosen)
        return Redirect(f"/me/referrals?done=checkin#r-{referral_id}", status_code=303)

    @get("/checkins/stop")
    async def stop_form(self, request: Request, viewer: Viewer, stopped: FromQuery[str | None] = None) -> Template:
        me = signed_in(request, viewer)
        return page(request, "referral_stop.html", viewer=me, title=_("Stop referral check-ins"), stopped=bool(stopped))

    @post("/checkins/stop", status_code=303)
    async def stop(self, request: Request, viewer: Viewer, db: DB) -> Response:
        me = signed_in(request, viewer)
        await preferences.turn_off(db, me.id, "referral_checkin")  # the settings page's switch too
        return Redirect("/referrals/checkins/stop?stopped=1", status_code=303)


def _uuid(value: Any) -> UUID | None:
    try:
        return UUID(str(value)) if value else None
    except ValueError:
        return None


async def _refer_page(request: Request, me: CurrentUser, db: DB, values: dict[str, Any], *,
                      errors: dict[str, str] | None = None, status_code: int = 200, sent: bool = False) -> Template:
    choices = await refer_choices(db, me.id, _uuid(values.get("person_id")), values.get("find"),
                                  _uuid(values.get("service_id")))
    return page(request, "referral_new.html", viewer=me, title=_("Refer someone"), status_code=status_code,
                choices=choices, values=values, errors=errors or {}, sent=sent)


class ReferPages(Controller):
    path = "/referrals/new"

    @get("")
    async def form(self, request: Request, viewer: Viewer, db: DB, person_id: FromQuery[str | None] = None,
                   service_id: FromQuery[str | None] = None, group_id: FromQuery[str | None] = None,
                   find: FromQuery[str | None] = None, sent: FromQuery[str | None] = None) -> Template:
        """The Refer form: the person (from a group's people or picked here), then a group or a service."""
        me = signed_in(request, viewer)
        values = {"person_id": person_id, "service_id": service_id, "group_id": group_id, "find": find}
        return await _refer_page(request, me, db, values, sent=bool(sent))

    @post("", status_code=303)
    async def send(self, request: Request, viewer: Viewer, db: DB) -> Response:
        me = signed_in(request, viewer)
        fields = await form_fields(request)
        target = str(fields.get("target") or "")
        kind, _sep, target_id = target.partition(":")
        body: dict[str, Any] = {"person_id": fields.get("person_id"), "note": fields.get("note")}
        if kind in ("service", "group"):
            body[f"{kind}_id"] = target_id
        try:
            if not body["person_id"]:
                raise FormInvalid({"person_id": _("choose the person you refer")}, "no person")
            if kind not in ("service", "group"):
                raise FormInvalid({"target": _("choose a group or a service")}, "no target")
            data = to_struct({k: v for k, v in body.items() if v is not None}, ReferralIn)
            async with db.transaction():
                await service.refer(db, me.id, data)
        except FormInvalid as exc:
            return await _refer_page(request, me, db, fields, errors=exc.errors, status_code=422)
        except DomainError as exc:
            return await _refer_page(request, me, db, fields, errors=domain_errors(exc), status_code=exc.status)
        return Redirect("/referrals/new?" + urlencode({"sent": "1"}), status_code=303)


class OrgReferralPages(Controller):
    path = "/orgs"

    @get("/{slug:str}/referrals")
    async def counts(self, request: Request, viewer: Viewer, db: DB, slug: FromPath[str]) -> Template:
        """Referral counts by category and outcome (no names), and the reader's own referrals."""
        me = signed_in(request, viewer)
        org = await org_for_counts(db, slug, me.id)
        if org is None:
            raise NotFound(_("no such organization"))
        try:
            out = await service.org_referrals(db, me.id, org["id"])
        except Forbidden:
            return page(request, "org_referrals.html", viewer=me, title=_("Referrals"), org=org, out=None,
                        staff=False, status_words={}, status_code=403)
        return page(request, "org_referrals.html", viewer=me, title=_("Referrals"), org=org, out=out,
                    staff=bool(set(org["roles"]).intersection(STAFF)), status_words=_words(STATUS_WORDS))


CONTROLLERS: list[Any] = [MyReferralPages, CheckinPages, ReferPages, OrgReferralPages]
