"""iMIP (RFC 6047) email carrying an iTIP (RFC 5546) REQUEST or CANCEL.

multipart/mixed
├── multipart/alternative
│   ├── text/plain
│   ├── text/html
│   └── text/calendar; method=REQUEST; charset=UTF-8   (what calendar clients act on)
└── invite.ics (the same calendar, for clients that only look at attachments)
"""

from __future__ import annotations

from email.message import Message

from coord.calendar import Calendar, render_calendar
from coord.kernel.config import Settings
from coord.notify import mime
from coord.notify.messages import Sender, base_message


def imip_message(
    settings: Settings, *, to: str, subject: str, text: str, html: str, calendar: Calendar, sender: Sender | None = None
) -> Message:
    if calendar.method is None:
        raise ValueError("an iMIP message needs a METHOD")
    ics = render_calendar(calendar)
    inline = mime.text(ics.decode("utf-8"), "calendar", method=calendar.method)
    filename = "cancel.ics" if calendar.method == "CANCEL" else "invite.ics"
    return base_message(
        settings, to, subject, text, html, extra=(inline,), attachments=((ics, "application", "ics", filename),),
        sender=sender,
    )
