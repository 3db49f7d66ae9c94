-- Groups run from the pages (issue 15): archiving a group, and a private group's link.

-- An archived group takes no new series or sessions (its future sessions were cancelled when
-- it was archived), is hidden from every listing but its staff's, and keeps its history:
-- members, past sessions and attendance stay as they are. NULL: the group runs.
ALTER TABLE groups ADD COLUMN archived_at timestamptz;

-- A group's invitation link (/groups/join/T): whoever has it may see the group's name and ask
-- to join, even when the group is private. As with invitations and account_tokens, the token
-- is HMAC(COORD_SECRET_KEY, nonce) and only its SHA-256 is kept: the page shows staff the link
-- again by deriving it from the nonce. One live link per group; revoking it ends it for good
-- (a new link has a new nonce).
CREATE TABLE group_links (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    group_id    uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    nonce       bytea NOT NULL,
    token_hash  bytea NOT NULL UNIQUE,
    created_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);
CREATE UNIQUE INDEX group_links_live ON group_links (group_id) WHERE revoked_at IS NULL;
