"""coord.notify.mime writes a message's parts as text instead of building them with the email
package's MIME classes: what is sent and what FileMailer writes must be, byte for byte, what
those classes gave. The reference below is the code as it was, MIMEText, MIMEMultipart and
MIMEApplication; both builders draw the same boundaries."""

from __future__ import annotations

import email
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from email import policy
from email.message import Message
from email.mime.application import MIMEApplication
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st

from coord.calendar import Calendar, CalEvent, render_calendar
from coord.kernel.config import Settings
from coord.notify import messages, mime
from coord.notify.imip import imip_message
from coord.notify.mailer import flatten
from coord.notify.messages import Sender, base_message

SETTINGS = Settings(secret_key="k" * 32, database_url="postgresql://x", redis_url="redis://x")
START = datetime(2027, 3, 14, 18, 0, tzinfo=timezone.utc)


def _reference_alternative(boundaries, text, html, *extra):
    plain = MIMEText(text, "plain", "utf-8")
    if not html and not extra:
        return plain
    body = MIMEMultipart("alternative", boundary=next(boundaries))
    body.attach(plain)
    if html:
        body.attach(MIMEText(html, "html", "utf-8"))
    for part in extra:
        body.attach(part)
    return body


def _reference_attachment(data, maintype, subtype, filename):
    part = MIMEText(data.decode("utf-8"), subtype, "utf-8") if maintype == "text" else MIMEApplication(data, subtype)
    part.add_header("Content-Disposition", "attachment", filename=filename)
    return part


def _reference_message(new, text, html=None, *, extra=(), attachments=(), boundaries):
    """The MIME tree as base_message built it, addressed with the headers `new` was given after
    its own parts' (From, Reply-To, To, Subject, Date...: code this change leaves as it was)."""
    message = _reference_alternative(boundaries, text, html, *extra)
    if attachments:
        mixed = MIMEMultipart("mixed", boundary=next(boundaries))
        mixed.attach(message)
        for data, maintype, subtype, filename in attachments:
            mixed.attach(_reference_attachment(data, maintype, subtype, filename))
        message = mixed
    for name, value in list(new.raw_items())[len(message):]:
        message[name] = value
    return message


def _reference_imip(new, *, text, html, calendar, boundaries):
    ics = render_calendar(calendar)
    inline = MIMEText(ics.decode("utf-8"), "calendar", "utf-8")
    inline.set_param("method", calendar.method)
    filename = "cancel.ics" if calendar.method == "CANCEL" else "invite.ics"
    return _reference_message(new, text, html, extra=(inline,), attachments=((ics, "application", "ics", filename),),
                              boundaries=boundaries)


@contextmanager
def _boundaries(drawn: list[str]):
    """coord's builders draw these boundaries, in this order, as the reference does."""
    with patch.object(messages, "_boundary", side_effect=list(drawn)):
        yield


def _outcome(write) -> object:
    try:
        return write()
    except Exception as exc:  # a header the generator refuses is refused by both
        return type(exc), str(exc)


def _assert_same_bytes(new: Message, reference: Message) -> None:
    for cte in ("8bit", "7bit"):
        assert _outcome(lambda cte=cte: flatten(new, cte)) == _outcome(lambda cte=cte: flatten(reference, cte))
    assert _outcome(new.as_bytes) == _outcome(reference.as_bytes)
    new["Message-ID"] = reference["Message-ID"] = "<d-1@coord>"  # as delivery adds it after building
    assert _outcome(lambda: flatten(new)) == _outcome(lambda: flatten(reference))


SAMPLES = ["", "Hello Sam,\n", "تم تسجيلك في بنك الطعام، يوم الثلاثاء ١٦ مارس", "🎉 Tú estás inscrita 👩🏽‍🍳",
           "line\r\nwith CRLF\rand CR\n", "From the start\n.\n", "x" * 3000, "é" * 999 + "\n" + "😀" * 400,
           "a" * 57, "a" * 56 + "\n", "--=_coord_0 a boundary-like line\n"]
any_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)
texts = st.one_of(st.sampled_from(SAMPLES), any_text,
                  st.tuples(any_text, st.integers(1, 40)).map(lambda t: t[0] * t[1]))  # long lines
header_text = st.one_of(st.sampled_from(SAMPLES[:4] + ["A subject long enough to need folding onto a second line: " * 2]),
                        st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=120))
one_line = st.one_of(st.sampled_from(["بنك الطعام", "Food bank 🥫", "x" * 200]), st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=120))
addresses = st.sampled_from(["volunteer@example.org", "Zoë <zoe@x.test>", "josé@bücher.test", "a@x.test"])
senders = st.one_of(st.none(), st.builds(Sender, header_text, st.sampled_from([None, "contact@x.org", "a.b+c@x.test"])))
boundary = st.integers(0, 2**96 - 1).map(lambda n: f"=_coord_{n:024x}")
filenames = st.one_of(st.sampled_from(["invite.ics", "roster.ics", "", 'a "quoted" \\ name.pdf', "x" * 90]),
                      st.text(max_size=80))
attachments = st.lists(st.one_of(
    st.tuples(texts.map(lambda t: t.encode("utf-8")), st.just("text"), st.sampled_from(["calendar", "plain"]), filenames),
    st.tuples(st.binary(max_size=400) | texts.map(lambda t: t.encode("utf-8")), st.sampled_from(["application", "image"]),
              st.sampled_from(["ics", "pdf", "octet-stream"]), filenames),
), max_size=3)


@settings(max_examples=300, deadline=None)
@given(to=addresses, subject=header_text, text=texts, html=st.one_of(st.none(), st.just(""), texts),
       attached=attachments, sender=senders, drawn=st.lists(boundary, min_size=2, max_size=2))
def test_any_message_is_written_as_the_mime_classes_wrote_it(to, subject, text, html, attached, sender, drawn):
    with _boundaries(drawn):
        new = base_message(SETTINGS, to, subject, text, html, attachments=tuple(attached), sender=sender)
    reference = _reference_message(new, text, html, attachments=tuple(attached), boundaries=iter(drawn))
    _assert_same_bytes(new, reference)


def _calendar(method: str, summary: str, description: str | None) -> Calendar:
    event = CalEvent(uid="u-1@coord", dtstamp=START, start=START, end=START + timedelta(hours=1),
                     tzid="America/Chicago", summary=summary, sequence=2, location="12 Main St", url="https://x.test/s",
                     description=description, organizer="mailto:o@x.test", attendee="mailto:a@x.test",
                     status="CANCELLED" if method == "CANCEL" else "CONFIRMED")
    return Calendar(name=summary, events=(event,), method=method, refresh_minutes=None)


@settings(max_examples=150, deadline=None)
@given(method=st.sampled_from(["REQUEST", "CANCEL"]), to=addresses, subject=header_text, text=texts,
       html=st.one_of(st.just(""), texts), summary=one_line, description=st.one_of(st.none(), texts),
       sender=senders, drawn=st.lists(boundary, min_size=2, max_size=2))
def test_any_invite_is_written_as_the_mime_classes_wrote_it(method, to, subject, text, html, summary, description,
                                                             sender, drawn):
    calendar = _calendar(method, summary, description)
    with _boundaries(drawn):
        new = imip_message(SETTINGS, to=to, subject=subject, text=text, html=html, calendar=calendar, sender=sender)
    reference = _reference_imip(new, text=text, html=html, calendar=calendar, boundaries=iter(drawn))
    _assert_same_bytes(new, reference)


def test_each_kind_of_message_coord_sends_is_the_same():
    """Plain, alternative, with a roster, REQUEST and CANCEL, with the boundaries coord draws."""
    roster = ((render_calendar(_calendar("REQUEST", "Food bank", "Bring gloves.")), "text", "calendar", "roster.ics"),)
    for text, html, attachments in [("text only", None, ()), ("texto", "<p>texto</p>", ()), ("r", "<p>r</p>", roster)]:
        new = base_message(SETTINGS, "a@x.test", "Hola", text, html, attachments=attachments,
                           sender=Sender("Banco", "c@x.org"))
        _assert_same_bytes(new, _reference_message(new, text, html, attachments=attachments, boundaries=_drawn(new)))
    for method in ("REQUEST", "CANCEL"):
        calendar = _calendar(method, "بنك الطعام", None)
        new = imip_message(SETTINGS, to="a@x.test", subject="تم تسجيلك", text="t", html="<p>t</p>", calendar=calendar,
                           sender=Sender("بنك الطعام"))
        _assert_same_bytes(new, _reference_imip(new, text="t", html="<p>t</p>", calendar=calendar,
                                                boundaries=_drawn(new)))


def _drawn(message: Message) -> Iterator[str]:
    """The boundaries coord drew for a message, in the order it drew them (the inner one first)."""
    parsed = email.message_from_bytes(message.as_bytes(), policy=policy.compat32)
    return iter([part.get_boundary() for part in parsed.walk() if part.is_multipart()][::-1])


@settings(max_examples=500, deadline=None)
@given(name=st.sampled_from(["Content-Type", "Content-Disposition", "X"]),
       value=st.one_of(st.text(max_size=120), st.text("ab ;,\t\"=", max_size=120),
                       st.tuples(st.text("abc/-", max_size=60), st.text("abc=_\"", max_size=80)).map("; ".join),
                       boundary.map(lambda b: f'multipart/alternative; boundary="{b}"')))
def test_a_part_header_folds_as_compat32_folds_it(name, value):
    assert mime._header(name, value) == policy.compat32.fold(name, value)


def test_a_parameter_on_a_second_line_folds_as_compat32_folds_it():
    """Around the edges of mime._header's two-line form: each half just fitting or not, and
    values Header could break elsewhere."""
    for name in ("Content-Type",):
        for first_length in range(40, 70):
            for rest_length in range(1, 82):
                for first_text, rest_text in (("a", "b"), ("a b", "b"), ("a", "b,c"), ("a;b", "c"), ("a", "b\tc")):
                    value = f"{(first_text * 80)[:first_length]}; {(rest_text * 80)[:rest_length]}"
                    assert mime._header(name, value) == policy.compat32.fold(name, value), value
