"""Who gets which message (coord.notify.plans), decided from plain facts: no database,
SMTP or Redis. The jobs that load the facts and send are tested end to end elsewhere
(test_group_invites, test_followups, test_rosters, test_outbox)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from uuid import UUID, uuid4

import pytest

from coord.notify.changes import Before
from coord.notify.plans import (
    AttendanceFacts,
    AttendanceMark,
    AttendanceNudge,
    CoverageAlert,
    CoverageGap,
    FollowUp,
    GroupScheduleFacts,
    OccurrenceCancelled,
    Reminder,
    ReminderFacts,
    RosterDue,
    RosterOrg,
    RosterReader,
    Send,
    SeriesEnded,
    SeriesInvite,
    SeriesLeft,
    SeriesState,
    SessionState,
    UnrecordedSession,
    WeeklyRoster,
    Welcome,
    changes_a_calendar,
    followup_job_id,
    followups_wait,
    plan_attendance_nudges,
    plan_coverage_alerts,
    plan_followups,
    plan_group_schedule,
    plan_reminder,
    plan_rosters,
    plan_welcome,
    roster_send,
    rosters_due,
)
from coord.outbox.domain_events import (
    FacilitatorsChanged,
    GroupMemberJoined,
    GroupMemberLeft,
    MemberAdded,
    RsvpRecorded,
    SeriesChanged,
    SeriesFacilitatorsChanged,
    SeriesScheduled,
    SessionCancelled,
    SessionRescheduled,
)

UTC = timezone.utc
NOW = datetime(2026, 3, 2, 13, 5, tzinfo=UTC)  # a Monday: 08:05 in New York
OUTBOX = UUID("00000000-0000-4000-8000-000000000001")
GROUP, SERIES, SESSION, ORG = uuid4(), uuid4(), uuid4(), uuid4()
ANA, BEN, CAL = uuid4(), uuid4(), uuid4()


def session(starts_in: timedelta, *, moved_by: timedelta = timedelta(0), series: UUID | None = SERIES) -> SessionState:
    start = NOW + starts_in
    return SessionState(SESSION, series, start - moved_by, start, start + timedelta(hours=1))


def targets(plan: list[Send]) -> list[tuple[UUID, str, object, bool]]:
    return [(s.user_id, s.kind, s.about, s.urgent) for s in plan]


def test_welcome_goes_to_the_member_added():
    assert plan_welcome(MemberAdded(org_id=ORG, user_id=ANA)) == Send(ANA, "welcome", Welcome(ORG), org_id=ORG)


# --- group schedules ----------------------------------------------------------------


def test_joining_sends_every_open_series_with_sessions_ahead_at_once():
    facts = GroupScheduleFacts(series=[SeriesState(SERIES, True), SeriesState(other := uuid4(), False)])
    plan = plan_group_schedule(GroupMemberJoined(group_id=GROUP, user_id=ANA), facts, NOW, OUTBOX)
    assert targets(plan) == [(ANA, "invite", SeriesInvite(SERIES, "joined"), True)]
    assert plan[0].scope == f"{OUTBOX}:{SERIES}" and plan[0].org_id is None
    assert other not in {s.about.series_id for s in plan}


def test_leaving_takes_the_schedule_off_their_calendar_unless_it_was_only_a_request():
    facts = GroupScheduleFacts(series=[SeriesState(SERIES, True)])
    left = GroupMemberLeft(group_id=GROUP, user_id=ANA, was_active=True)
    assert targets(plan_group_schedule(left, facts, NOW, OUTBOX)) == [(ANA, "cancellation", SeriesLeft(SERIES), False)]
    withdrawn = GroupMemberLeft(group_id=GROUP, user_id=ANA, was_active=False)
    assert not changes_a_calendar(withdrawn)
    assert plan_group_schedule(withdrawn, facts, NOW, OUTBOX) == []


@pytest.mark.parametrize("event, reason", [
    (SeriesScheduled(series_id=SERIES, group_id=GROUP), "scheduled"),
    (SeriesChanged(series_id=SERIES, group_id=GROUP), "changed"),
])
def test_a_series_with_sessions_ahead_goes_to_everyone_in_the_group(event, reason):
    facts = GroupScheduleFacts(people=[ANA, BEN], series=[SeriesState(SERIES, True)])
    assert targets(plan_group_schedule(event, facts, NOW, OUTBOX)) == [
        (ANA, "invite", SeriesInvite(SERIES, reason), False), (BEN, "invite", SeriesInvite(SERIES, reason), False),
    ]


def test_sessions_made_ahead_by_the_horizon_reach_nobody():
    facts = GroupScheduleFacts(people=[ANA], series=[SeriesState(SERIES, True)])
    assert plan_group_schedule(SeriesChanged(series_id=SERIES, group_id=GROUP, extended=True), facts, NOW, OUTBOX) == []


def test_a_series_with_nothing_ahead():
    changed = SeriesChanged(series_id=SERIES, group_id=GROUP)
    people = [ANA]
    # Ended with sessions it cancelled: the whole series is cancelled.
    ended = GroupScheduleFacts(people=people, series=[SeriesState(SERIES, False, ended=True, cut_short=True)])
    assert targets(plan_group_schedule(changed, ended, NOW, OUTBOX)) == [(ANA, "cancellation", SeriesEnded(SERIES), False)]
    # Split right before its next session: the invite says the rule now stops.
    split = GroupScheduleFacts(people=people, series=[SeriesState(SERIES, False, cut_short=True)])
    assert targets(plan_group_schedule(changed, split, NOW, OUTBOX)) == [
        (ANA, "invite", SeriesInvite(SERIES, "changed"), False)
    ]
    # Nothing it cancelled (all in the past), a new series with nothing ahead, a series gone.
    over = GroupScheduleFacts(people=people, series=[SeriesState(SERIES, False, ended=True)])
    assert plan_group_schedule(changed, over, NOW, OUTBOX) == []
    assert plan_group_schedule(SeriesScheduled(series_id=SERIES, group_id=GROUP), split, NOW, OUTBOX) == []
    assert plan_group_schedule(changed, GroupScheduleFacts(people=people), NOW, OUTBOX) == []


def test_a_cancelled_occurrence_is_a_cancel_keyed_by_the_session():
    facts = GroupScheduleFacts(people=[ANA, BEN], session=session(timedelta(days=3)))
    plan = plan_group_schedule(SessionCancelled(session_id=SESSION, group_id=GROUP), facts, NOW, OUTBOX)
    assert targets(plan) == [
        (ANA, "cancellation", OccurrenceCancelled(SESSION), False), (BEN, "cancellation", OccurrenceCancelled(SESSION), False),
    ]
    assert {s.scope for s in plan} == {f"{OUTBOX}:{SESSION}"}


def test_a_moved_occurrence_resends_the_series_urgently_when_either_time_is_soon():
    event = SessionRescheduled(session_id=SESSION, group_id=GROUP)
    later = GroupScheduleFacts(people=[ANA], session=session(timedelta(days=3), moved_by=timedelta(hours=-2)))
    assert targets(plan_group_schedule(event, later, NOW, OUTBOX)) == [
        (ANA, "invite", SeriesInvite(SERIES, "changed", SESSION), False)
    ]
    # What the event says it was goes with the message, which says from what to what.
    was = SessionRescheduled(session_id=SESSION, group_id=GROUP, was_starts_at=NOW, was_ends_at=NOW + timedelta(hours=1))
    [(_, _, about, _)] = targets(plan_group_schedule(was, later, NOW, OUTBOX))
    assert about == SeriesInvite(SERIES, "changed", SESSION, Before(NOW, NOW + timedelta(hours=1)))
    # Moved from tonight to next week: its old time is within 12 hours.
    from_tonight = GroupScheduleFacts(people=[ANA], session=session(timedelta(days=7), moved_by=timedelta(days=7) - timedelta(hours=5)))
    assert targets(plan_group_schedule(event, from_tonight, NOW, OUTBOX))[0][3] is True


def test_changes_to_sessions_long_over_or_outside_a_series_reach_nobody():
    event = SessionRescheduled(session_id=SESSION, group_id=GROUP)
    long_over = GroupScheduleFacts(people=[ANA], session=session(-timedelta(hours=3)))
    assert plan_group_schedule(event, long_over, NOW, OUTBOX) == []
    just_over = GroupScheduleFacts(people=[ANA], session=session(-timedelta(minutes=30)))
    assert len(plan_group_schedule(event, just_over, NOW, OUTBOX)) == 1  # within the hour: still news
    assert plan_group_schedule(event, GroupScheduleFacts(people=[ANA]), NOW, OUTBOX) == []  # deleted
    alone = GroupScheduleFacts(people=[ANA], session=session(timedelta(days=1), series=None))
    assert plan_group_schedule(event, alone, NOW, OUTBOX) == []


def test_facilitators_added_to_a_session_ahead_get_the_schedule():
    event = FacilitatorsChanged(session_id=SESSION, added=[CAL], removed=[BEN])
    tonight = GroupScheduleFacts(session=session(timedelta(hours=5)))
    assert targets(plan_group_schedule(event, tonight, NOW, OUTBOX)) == [
        (CAL, "invite", SeriesInvite(SERIES, "facilitating", SESSION), True)
    ]
    ended = GroupScheduleFacts(session=session(-timedelta(hours=2)))
    assert plan_group_schedule(event, ended, NOW, OUTBOX) == []


def test_facilitators_added_to_a_series_get_its_schedule_once():
    event = SeriesFacilitatorsChanged(series_id=SERIES, group_id=GROUP, added=[CAL], removed=[BEN])
    ahead = GroupScheduleFacts(series=[SeriesState(SERIES, has_future=True)])
    assert targets(plan_group_schedule(event, ahead, NOW, OUTBOX)) == [
        (CAL, "invite", SeriesInvite(SERIES, "facilitating"), False)
    ]
    over = GroupScheduleFacts(series=[SeriesState(SERIES, has_future=False)])
    assert plan_group_schedule(event, over, NOW, OUTBOX) == []


def test_group_plans_refuse_events_that_are_not_theirs():
    with pytest.raises(TypeError):
        plan_group_schedule(RsvpRecorded(session_id=SESSION, user_id=ANA), GroupScheduleFacts(), NOW, OUTBOX)


# --- after and before sessions -------------------------------------------------------


def test_followups_thank_the_present_check_on_the_absent_and_leave_the_excused_alone():
    facts = AttendanceFacts(SESSION, ORG, [
        AttendanceMark(ANA, "present"), AttendanceMark(BEN, "absent"), AttendanceMark(CAL, "excused"),
    ])
    plan = plan_followups(facts)
    assert targets(plan) == [
        (ANA, "followup_present", FollowUp(SESSION, "present"), False),
        (BEN, "followup_absent", FollowUp(SESSION, "absent"), False),
    ]
    # One slot per session and person, whatever the sheet says: a correction after one went
    # neither repeats it nor sends the other.
    assert {(s.scope, s.slot, s.org_id) for s in plan} == {(f"followup:{SESSION}", "followup", ORG)}


def test_followups_wait_for_the_end_of_the_session_plus_the_delay():
    facts = AttendanceFacts(SESSION, ORG, [AttendanceMark(ANA, "present")], due=NOW + timedelta(minutes=30))
    assert followups_wait(facts, NOW) == timedelta(minutes=30)
    assert followups_wait(facts, NOW + timedelta(hours=1)) == timedelta(0)
    assert followup_job_id(facts) == f"followups:{SESSION}:{int((NOW + timedelta(minutes=30)).timestamp())}"


def test_reminders_go_to_everyone_coming_urgently_only_when_soon():
    start = NOW + timedelta(hours=24)
    facts = ReminderFacts("shift", SESSION, 3, start, [ANA, BEN])
    plan = plan_reminder(facts, NOW)
    assert targets(plan) == [
        (ANA, "reminder", Reminder("shift", SESSION, 3, start), False),
        (BEN, "reminder", Reminder("shift", SESSION, 3, start), False),
    ]
    assert plan[0].scope == f"reminder:shift:{SESSION}:{start.isoformat()}"
    assert all(s.urgent for s in plan_reminder(facts, start - timedelta(hours=2)))


def test_attendance_nudges_go_to_each_recorder_of_each_session():
    other = uuid4()
    plan = plan_attendance_nudges([UnrecordedSession(SESSION, [ANA, BEN]), UnrecordedSession(other, [])])
    assert targets(plan) == [
        (ANA, "attendance_reminder", AttendanceNudge(SESSION), False),
        (BEN, "attendance_reminder", AttendanceNudge(SESSION), False),
    ]
    assert {s.scope for s in plan} == {f"session:{SESSION}"}


# --- rosters and coverage ------------------------------------------------------------


def test_rosters_are_due_at_each_organizations_own_hour():
    new_york, london = RosterOrg(ORG, "America/New_York", 1, 8), RosterOrg(uuid4(), "Europe/London", 1, 8)
    assert rosters_due([new_york, london], NOW) == [ORG]
    assert rosters_due([new_york, london], NOW, force=True) == [ORG, london.org_id]


def test_one_roster_job_per_reader_keyed_by_the_organizations_week():
    plan = plan_rosters([RosterReader(ORG, ANA, "America/New_York"), RosterReader(ORG, BEN, "America/New_York")], NOW)
    scope = f"roster:{ORG}:2026-W10"
    assert plan == [RosterDue(ORG, ANA, scope), RosterDue(ORG, BEN, scope)]
    assert plan[0].job_id == f"{scope}:{ANA}"
    assert roster_send(ORG, ANA, scope) == Send(ANA, "roster", WeeklyRoster(ORG), org_id=ORG, scope=scope)


def test_coverage_alerts_go_to_the_organizations_staff_once_per_session():
    plan = plan_coverage_alerts([CoverageGap(SESSION, ORG, [ANA, BEN])])
    assert targets(plan) == [
        (ANA, "coverage_alert", CoverageAlert(SESSION), False), (BEN, "coverage_alert", CoverageAlert(SESSION), False),
    ]
    assert {(s.scope, s.org_id) for s in plan} == {(f"gap:{SESSION}", ORG)}
