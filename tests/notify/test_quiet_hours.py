from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from coord.notify.quiet_hours import in_quiet_hours, release_time

NIGHT = (time(21, 0), time(8, 0))


def test_evening_message_waits_for_the_recipients_morning():
    now = datetime(2026, 11, 23, 23, 30, tzinfo=ZoneInfo("Europe/London")).astimezone(timezone.utc)
    release = release_time(now, "Europe/London", *NIGHT)
    assert release.astimezone(ZoneInfo("Europe/London")) == datetime(2026, 11, 24, 8, 0, tzinfo=ZoneInfo("Europe/London"))


def test_early_morning_message_waits_until_eight_the_same_day():
    now = datetime(2026, 11, 24, 5, 0, tzinfo=ZoneInfo("America/New_York"))
    release = release_time(now, "America/New_York", *NIGHT).astimezone(ZoneInfo("America/New_York"))
    assert (release.date(), release.time()) == (now.date(), time(8, 0))


def test_daytime_message_goes_at_once():
    now = datetime(2026, 11, 24, 12, 0, tzinfo=timezone.utc)
    assert release_time(now, "Asia/Kolkata", *NIGHT) == now


@settings(max_examples=300, deadline=None)
@given(
    st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 1, 1), timezones=st.just(timezone.utc)),
    st.sampled_from(["America/New_York", "Europe/London", "Australia/Sydney", "Asia/Kolkata", "UTC"]),
    st.times(), st.times(),
)
def test_release_is_never_early_and_never_inside_quiet_hours(now, tz, start, end):
    release = release_time(now, tz, start, end)
    assert release >= now
    assert not in_quiet_hours(release.astimezone(ZoneInfo(tz)).time(), start, end)
    assert release - now <= timedelta(hours=25)
