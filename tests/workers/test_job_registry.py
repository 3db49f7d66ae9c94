"""The job registry (workers/registry.py): one record of every job gives the relay its
routing and arq its functions; the event is decoded and the request id set once, there."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from uuid import UUID, uuid4

import asyncpg
import pytest
from arq.worker import Retry

from coord.embedded import free_port
from coord.kernel.observability import request_id_var
from coord.outbox.domain_events import EVENT_TYPES, AttendanceRecorded, MemberAdded, encode_event
from workers import settings
from workers.registry import Registry, registry

ROOT = Path(__file__).resolve().parents[2]
SQL = re.compile(r"\b(SELECT|INSERT INTO|UPDATE|DELETE FROM)\s")  # coord writes SQL keywords in capitals

# The routing table as workers/routing.py merged it from five dicts of name strings, saved
# before the registry replaced it (issue 13.4), with one change made meanwhile elsewhere:
# the six signup.* / registration.* kinds became booking.placed / booking.cancelled (the one
# booking engine); booking.placed reaches invalidate_feeds, which drops nothing for a
# waitlist spot (as the waitlisted kinds reached no feed job before).
BEFORE = {
    # Added since (issue 14): the account emails.
    "account.email_change_requested": ["send_account_link"],
    "account.email_confirmation_requested": ["send_account_link"],
    "account.language_changed": ["invalidate_feeds"],
    "account.password_changed": ["send_password_changed_note"],
    "account.password_reset_requested": ["send_account_link"],
    "booking.cancelled": ["send_booking_message", "invalidate_feeds"],
    "booking.placed": ["send_booking_message", "invalidate_feeds"],
    "delivery.retry_requested": ["retry_delivery"],
    # Added since (issue 17.2): an uploaded directory file is applied by a worker.
    "directory.import_queued": ["apply_directory_import"],
    "event.cancelled": ["invalidate_feeds"],
    "event.changed": ["send_booking_update", "invalidate_feeds"],
    "event.scheduled": ["invalidate_feeds"],
    # Added since (issue 15.2, 15.3): a group changed or archived, a request to join declined.
    "group.archived": ["send_group_closed_notice", "invalidate_feeds"],
    "group.changed": ["invalidate_feeds"],
    "group.member_declined": ["send_request_declined_notice", "invalidate_feeds"],
    "group.member_joined": ["send_group_schedule", "invalidate_feeds"],
    "group.member_left": ["send_group_schedule", "invalidate_feeds"],
    # Added since (issue 15.8): a group's facilitators hear of a request to join it.
    "group.member_requested": ["send_join_request_note", "invalidate_feeds"],
    "org.invitation_sent": ["send_invitation_email"],
    "org.member_added": ["send_welcome", "invalidate_feeds"],
    # Added since (issue 14.8, offboarding): the member's notice, and their feeds.
    "org.member_left": ["send_membership_notice", "invalidate_feeds"],
    "org.member_roles_changed": ["send_membership_notice", "invalidate_feeds"],
    # Added since: an organization's name, timezone or language shows in its feeds.
    "org.changed": ["invalidate_feeds"],
    # Added since (issue 17.6, 17.8): a person referred hears of it, and a check-in is planned.
    "referral.made": ["send_referral_notice", "plan_referral_checkin"],
    # Added since (issue 17.6): the referrer hears the person's answer.
    "referral.changed": ["send_referral_answer"],
    "series.changed": ["send_group_schedule", "invalidate_feeds"],
    # Added since (issue 15.4): a series' own facilitators changed, once for all its sessions.
    "series.facilitators_changed": ["send_group_schedule", "invalidate_feeds"],
    "series.scheduled": ["send_group_schedule", "invalidate_feeds"],
    "session.attendance_recorded": ["send_attendance_followups"],
    "session.cancelled": ["send_group_schedule", "invalidate_feeds"],
    "session.facilitators_changed": ["send_group_schedule", "invalidate_feeds"],
    "session.rescheduled": ["send_group_schedule", "invalidate_feeds"],
    "shift.cancelled": ["invalidate_feeds"],
    "shift.changed": ["send_booking_update", "invalidate_feeds"],
    "shift.created": ["invalidate_feeds"],
}


def test_routing_is_the_table_it_replaced_for_every_kind():
    routing = {kind: list(jobs) for kind, jobs in registry.routing.items()}
    assert json.dumps(routing, sort_keys=True) == json.dumps(BEFORE, sort_keys=True)


# Kinds that no job answers: a record for the audit, the reports or the feeds' own reads.
NO_JOB = {"group.created", "session.rsvp_recorded", "signup.checked_in", "signup.hours_recorded",
          "training.recorded", "training.verified"}


def test_every_event_kind_is_routed_or_named_as_needing_no_job():
    kinds = {t.__struct_config__.tag for t in EVENT_TYPES}
    assert set(BEFORE) | NO_JOB == kinds, "classify every new event kind here"
    assert not set(BEFORE) & NO_JOB


def test_every_routed_job_is_a_function_and_names_are_unique():
    names = [f.name for f in registry.functions]
    assert len(names) == len(set(names))
    assert {job for jobs in registry.routing.values() for job in jobs} <= set(names)
    # Enqueued by name rather than by an event: reminders (coord.notify.reminders) and rosters.
    assert {"send_reminder", "send_roster"} <= set(names)
    assert settings.FUNCTIONS == registry.functions and settings.CRON_JOBS == registry.cron_jobs
    assert {c.name for c in registry.cron_jobs} == {
        "cron:extend_session_horizons", "cron:plan_reminders_job", "cron:remind_unrecorded_attendance",
        "cron:send_rosters", "cron:alert_coverage_gaps", "cron:expire_old_attendance", "cron:send_daily_digests",
        "cron:purge_spent_account_links", "cron:purge_settled_invitations",
    }


async def test_the_wrapper_decodes_once_and_carries_the_request_id():
    local = Registry(())
    seen = []

    @local.on(MemberAdded, max_tries=3)
    async def greet(ctx, event: MemberAdded, outbox_id: UUID) -> str:
        seen.append((event, outbox_id, request_id_var.get()))
        return "done"

    event, outbox_id = MemberAdded(org_id=uuid4(), user_id=uuid4()), uuid4()
    payload = {"kind": "org.member_added", "org_id": str(event.org_id), "user_id": str(event.user_id)}
    # As the relay enqueues it: (outbox id, payload, request id); JSON text decodes alike.
    assert await greet({}, str(outbox_id), payload, "req-1") == "done"
    assert await greet({}, str(outbox_id), encode_event(event)) == "done"
    assert seen == [(event, outbox_id, "req-1"), (event, outbox_id, None)]
    assert request_id_var.get() is None  # set for the job only
    [function] = local.functions
    assert (function.name, function.max_tries) == ("greet", 3)
    assert local.routing == {"org.member_added": ("greet",)}
    with pytest.raises(TypeError, match="greet cannot handle AttendanceRecorded"):
        await greet({}, str(outbox_id), {"kind": "session.attendance_recorded", "session_id": str(uuid4())})
    assert request_id_var.get() is None
    with pytest.raises(ValueError, match="registered twice"):
        local.on(AttendanceRecorded)(greet.__wrapped__)


async def test_a_job_that_meets_an_outage_runs_again_later_instead_of_failing_for_good(database_url):
    """A job whose database refuses it (here a real refused connection: nothing listens on
    the port) is retried with a growing wait, so its message is not lost; any other error
    still fails the job. Once the database answers, the same job runs."""
    local = Registry(())
    down = f"postgresql://postgres@127.0.0.1:{free_port()}/postgres"

    @local.on(MemberAdded)
    async def count_members(ctx, event: MemberAdded, outbox_id: UUID) -> int:
        conn = await asyncpg.connect(ctx["dsn"], timeout=5)
        try:
            return await conn.fetchval("SELECT 1")
        finally:
            await conn.close()

    @local.on(AttendanceRecorded)
    async def broken(ctx, event: AttendanceRecorded, outbox_id: UUID) -> None:
        raise ValueError("a bug, not an outage")

    added = {"kind": "org.member_added", "org_id": str(uuid4()), "user_id": str(uuid4())}
    with pytest.raises(Retry) as first:
        await count_members({"dsn": down, "job_try": 1}, str(uuid4()), added)
    with pytest.raises(Retry) as fourth:
        await count_members({"dsn": down, "job_try": 4}, str(uuid4()), added)
    assert 0 < first.value.defer_score < fourth.value.defer_score
    assert await count_members({"dsn": database_url, "job_try": 5}, str(uuid4()), added) == 1
    with pytest.raises(ValueError, match="a bug"):
        await broken({"job_try": 1}, str(uuid4()), {"kind": "session.attendance_recorded", "session_id": str(uuid4())})


def _workers_modules() -> list[Path]:
    return sorted((ROOT / "workers").glob("*.py"))


def test_no_sql_in_workers():
    for path in _workers_modules():
        tree = ast.parse(path.read_text())
        calls = [
            n.func.attr for n in ast.walk(tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
            and n.func.attr in {"fetch", "fetchrow", "fetchval", "execute", "executemany", "copy_records_to_table"}
        ]
        strings = [
            n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)
            and SQL.search(n.value)
        ]
        assert not calls and not strings, (path.name, calls, strings)


def test_job_modules_do_not_import_the_worker_settings():
    """The registry is the one place jobs are listed: no job module imports settings (the old cycle)."""
    for path in _workers_modules():
        if path.name == "settings.py":
            continue
        imported = {
            n.module for n in ast.walk(ast.parse(path.read_text())) if isinstance(n, ast.ImportFrom) and n.module
        }
        assert not imported & {"workers.settings", "workers.routing"}, path.name
