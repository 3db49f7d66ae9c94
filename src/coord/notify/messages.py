"""Message builders. Calm, plain wording; no other recipient is ever named."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr, formatdate
from html import escape
from uuid import UUID

import asyncpg

from coord.config import Settings
from coord.notify import queries


def paragraphs_to_text_and_html(greeting: str, paragraphs: list[str], link: str) -> tuple[str, str]:
    text = "\n\n".join([greeting, *paragraphs, link]) + "\n"
    html = "".join(f"<p>{escape(p)}</p>" for p in [greeting, *paragraphs])
    html += f'<p><a href="{escape(link)}">{escape(link)}</a></p>'
    return text, html


def base_message(settings: Settings, to: str, subject: str, text: str, html: str | None = None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr(("coord", settings.mail_from))
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    if html:
        message.add_alternative(html, subtype="html")
    return message


async def welcome(
    conn: asyncpg.Connection, settings: Settings, org_id: UUID, user: asyncpg.Record
) -> EmailMessage | None:
    org = await conn.fetchrow(queries.ORG_FOR_MAIL, org_id)
    if org is None:
        return None
    name, org_name = user["display_name"], org["name"]
    link = f"{settings.base_url}/me"
    text = (
        f"Hello {name},\n\n"
        f"You have been added to {org_name} on coord. You can see your schedule, "
        f"sign up for shifts and subscribe to your calendar here:\n{link}\n\n"
        f"If you did not expect this, you can ignore this message or write to {org['contact_email']}.\n"
    )
    html = (
        f"<p>Hello {escape(name)},</p><p>You have been added to <strong>{escape(org_name)}</strong> on coord. "
        f'You can see your schedule, sign up for shifts and subscribe to your calendar <a href="{escape(link)}">here</a>.</p>'
        f"<p>If you did not expect this, you can ignore this message or write to {escape(org['contact_email'])}.</p>"
    )
    return base_message(settings, user["email"], f"Welcome to {org_name}", text, html)
