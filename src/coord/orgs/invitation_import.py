"""Inviting many at once from a CSV file (columns email, name, roles; header required;
UTF-8 with or without a BOM; roles separated by ';'; at most 2,000 rows).

Every row is checked before anything is sent: the answer is a report per row. A file with
any invalid row invites nobody unless the caller confirms `apply=valid` (then the valid
rows are invited); nothing is ever half-imported: the rows invited are written, with their
events, in one statement each, inside the caller's transaction.
"""

from __future__ import annotations

import csv
import io
import re
from uuid import UUID

import asyncpg

from coord.i18n import gettext as _
from coord.kernel import clock
from coord.kernel.audit import audit
from coord.kernel.config import Settings
from coord.kernel.errors import Unprocessable
from coord.orgs import invitation_queries as q
from coord.orgs.invitation_schemas import ImportReport, ImportRow
from coord.orgs.invitations import VALID_FOR, new_link, require_inviter
from coord.outbox.domain_events import InvitationSent
from coord.outbox.record import record_many

MAX_ROWS = 2000
MAX_BYTES = 1024 * 1024
ROLES = ("admin", "coordinator", "facilitator", "volunteer", "participant")
COLUMNS = ("email", "name", "roles")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
NOT_APPLIED = "the file has invalid rows, so nobody was invited: fix them, or invite the valid rows"


class _Row:
    __slots__ = ("line", "email", "name", "roles", "reason")

    def __init__(self, line: int, email: str, name: str, roles: list[str], reason: str | None) -> None:
        self.line, self.email, self.name, self.roles, self.reason = line, email, name, roles, reason


def parse(content: bytes) -> list[_Row]:
    """The file's rows, each checked on its own (duplicates and memberships are checked later)."""
    if len(content) > MAX_BYTES:
        raise Unprocessable(_("the file is too large (at most 1 MiB)"), field="file")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Unprocessable(_("the file is not UTF-8 text: save it as 'CSV UTF-8'"), field="file") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in next(reader, [])]
    if not header or any(c not in header for c in COLUMNS):
        raise Unprocessable(_("the first line must name the columns: email,name,roles"), field="file")
    at = {c: header.index(c) for c in COLUMNS}
    rows: list[_Row] = []
    for values in reader:
        if not any(v.strip() for v in values):
            continue  # blank lines
        if len(rows) == MAX_ROWS:
            raise Unprocessable(_("the file has more than %(max_rows)s rows: split it") % {"max_rows": MAX_ROWS}, field="file")
        line = reader.line_num
        cell = {c: (values[i].strip() if i < len(values) else "") for c, i in at.items()}
        roles = sorted({r.strip().lower() for r in cell["roles"].split(";") if r.strip()})
        reason = None
        if not _EMAIL.match(cell["email"]) or len(cell["email"]) > 254:
            reason = "not an email address" if cell["email"] else "no email address"
        elif not roles:
            reason = "no roles (separate several with ';')"
        elif unknown := [r for r in roles if r not in ROLES]:
            reason = f"unknown role {unknown[0]!r} (roles: {', '.join(ROLES)})"
        elif len(cell["name"]) > 120:
            reason = "the name is longer than 120 characters"
        rows.append(_Row(line, cell["email"], cell["name"], roles, reason))
    if not rows:
        raise Unprocessable(_("the file has no rows under its header"), field="file")
    return rows


async def import_csv(conn: asyncpg.Connection, settings: Settings, actor_id: UUID, org_id: UUID, content: bytes,
                     apply_valid: bool) -> ImportReport:
    await require_inviter(conn, org_id, actor_id, [])
    actor_is_admin = await conn.fetchval(q.ACTOR_IS_ADMIN, org_id, actor_id)
    rows = parse(content)
    seen: dict[str, int] = {}
    for row in rows:
        if row.reason is None:
            key = row.email.lower()
            if key in seen:
                row.reason = f"the same address as line {seen[key]}"
            else:
                seen[key] = row.line
                if "admin" in row.roles and not actor_is_admin:
                    row.reason = "only an admin can make someone an admin"
    members = {r["email"]: r for r in await conn.fetch(q.MEMBERS_BY_EMAIL, org_id, list(seen))}
    report: list[ImportRow] = []
    to_invite: list[_Row] = []
    invalid = sum(1 for r in rows if r.reason is not None)
    applied = invalid == 0 or apply_valid
    for row in rows:
        member = members.get(row.email.lower())
        if row.reason is not None:
            report.append(ImportRow(row.line, row.email, "invalid", row.reason))
        elif member is not None and member["roles"] is not None and set(row.roles) <= set(member["roles"]):
            report.append(ImportRow(row.line, row.email, "already_member"))
        elif applied:
            report.append(ImportRow(row.line, row.email, "invited"))
            to_invite.append(row)
        else:
            report.append(ImportRow(row.line, row.email, "not_invited", NOT_APPLIED))
    if to_invite:
        await _invite_all(conn, settings, actor_id, org_id, to_invite)
    skipped = sum(1 for r in report if r.outcome in ("already_member", "not_invited"))
    return ImportReport(rows=report, invited=len(to_invite), skipped=skipped, invalid=invalid, applied=applied)


async def _invite_all(conn: asyncpg.Connection, settings: Settings, actor_id: UUID, org_id: UUID,
                      rows: list[_Row]) -> None:
    now = clock.now()
    links = [new_link(settings.secret_key) for _ in rows]
    created = await conn.fetch(
        q.UPSERT_INVITATIONS, org_id, now, actor_id, now + VALID_FOR, [r.email for r in rows],
        [";".join(r.roles) for r in rows], [r.name or None for r in rows], [n for n, _ in links], [h for _, h in links],
    )
    await record_many(conn, [InvitationSent(invitation_id=r["id"], org_id=org_id) for r in created])
    await audit(conn, org_id, actor_id, "org.invitations_imported", "org", org_id, {"invited": len(created)})
