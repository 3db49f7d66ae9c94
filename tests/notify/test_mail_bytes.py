"""The mailer flattens messages itself (coord.notify.mailer.flatten, a faster header fold):
what goes over SMTP must be, byte for byte, what aiosmtplib's send_message would have sent."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.message import Message

from aiosmtplib.email import flatten_message
from hypothesis import given, settings, strategies as st

from coord.calendar import CalEvent, Calendar
from coord.kernel.config import Settings
from coord.notify.imip import imip_message
from coord.notify.mailer import flatten
from coord.notify.messages import Sender, base_message

SETTINGS = Settings(secret_key="k" * 32, database_url="postgresql://x", redis_url="redis://x")
START = datetime(2027, 3, 14, 18, 0, tzinfo=timezone.utc)


def _invite(subject: str, sender: Sender, summary: str) -> Message:
    event = CalEvent(uid="u-1@coord", dtstamp=START, start=START, end=START + timedelta(hours=1), tzid="America/Chicago",
                     summary=summary, sequence=2, location="12 Main St", url="https://x.test/s",
                     description="Bring gloves. " * 12, organizer="mailto:o@x.test", attendee="mailto:a@x.test",
                     status="CONFIRMED")
    return imip_message(SETTINGS, to="volunteer@example.org", subject=subject, text="Hello Sam,\n" * 5,
                        html="<p>Hello</p>", calendar=Calendar(name=summary, events=(event,), method="REQUEST"),
                        sender=sender)


def test_real_messages_flatten_to_the_same_bytes():
    messages = [
        _invite("You're signed up: Food bank", Sender("Springfield Food Bank", "contact@x.org"), "Food bank"),
        _invite("Estás inscrita: Banco de alimentos, turno de la mañana del sábado en el centro comunitario",
                Sender("Banco de Alimentos", None), "Banco de alimentos"),
        _invite("تم تسجيلك: بنك الطعام", Sender("بنك الطعام", "contact@x.org"), "بنك الطعام"),
        _invite("A subject long enough to need folding onto a second line when it is written out: " * 2,
                Sender("coord"), "x"),
        base_message(SETTINGS, "a@x.test", "Welcome", "text only"),
    ]
    for message in messages:
        for cte in ("8bit", "7bit"):
            assert _outcome(flatten, message, cte) == _outcome(flatten_message, message, cte)


def test_a_bcc_is_never_written():
    message = base_message(SETTINGS, "a@x.test", "Hi", "text")
    message["Bcc"] = "hidden@x.test"
    assert b"hidden@x.test" not in flatten(message)
    assert message["Bcc"] == "hidden@x.test"  # the caller's message is left as it was


def _outcome(flattener, message, cte):
    try:
        return flattener(message, cte_type=cte) if flattener is flatten_message else flattener(message, cte)
    except Exception as exc:  # a value the generator refuses (an embedded header) is refused by both
        return type(exc), str(exc)


header_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=120)


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(["Subject", "To", "X-Coord-Note", "Reply-To"]), value=header_text,
       ascii_value=st.text(st.characters(min_codepoint=9, max_codepoint=126), max_size=120))
def test_any_header_folds_as_compat32_folds_it(name, value, ascii_value):
    for text in (value, ascii_value):
        message = Message()
        message[name] = text
        message.set_payload("body")
        for cte in ("8bit", "7bit"):
            assert _outcome(flatten, message, cte) == _outcome(flatten_message, message, cte)
