"""Messages choose their multipart boundaries up front (coord.notify.messages), which is safe
only while every leaf part is base64: base64 lines never hold "=_", which every boundary starts
with. This pins both halves: the parts, and a parser reading back exactly what was built."""

from __future__ import annotations

import email
from datetime import datetime, timedelta, timezone
from email import policy

from coord.calendar import CalEvent, Calendar
from coord.kernel.config import Settings
from coord.notify.imip import imip_message


def test_an_invite_flattens_and_parses_back_part_for_part():
    start = datetime(2027, 3, 14, 18, 0, tzinfo=timezone.utc)
    event = CalEvent(uid="u-1@coord", dtstamp=start, start=start, end=start + timedelta(hours=1), tzid="UTC",
                     summary="Círculo =_coord_ de jueves", sequence=0, location=None, url="https://x.test/s",
                     description="--=_coord_0 in a description", organizer="mailto:o@x.test",
                     attendee="mailto:a@x.test", status="CONFIRMED")
    settings = Settings(secret_key="k" * 32, database_url="postgresql://x", redis_url="redis://x")
    message = imip_message(settings, to="a@x.test", subject="Sí: jueves", text="Hola\n--=_coord_1\n",
                           html="<p>=_coord_</p>", calendar=Calendar(name="c", events=(event,), method="REQUEST"))
    parsed = email.message_from_bytes(message.as_bytes(), policy=policy.default)
    leaves = [part for part in parsed.walk() if not part.is_multipart()]
    assert [part.get_content_type() for part in leaves] == ["text/plain", "text/html", "text/calendar",
                                                            "application/ics"]
    assert all(part["Content-Transfer-Encoding"] == "base64" for part in leaves)
    assert leaves[0].get_content() == "Hola\n--=_coord_1\n"
    assert "Círculo =_coord_ de jueves" in leaves[2].get_content()
    boundaries = {part.get_boundary() for part in parsed.walk() if part.is_multipart()}
    assert len(boundaries) == 2 and all(b.startswith("=_coord_") for b in boundaries)
