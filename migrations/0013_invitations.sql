-- Invitations (issue 14): an admin or coordinator invites an address, with roles, whether or
-- not it has an account. The link /invitations/T works for 14 days, once. As with
-- account_tokens, the token is HMAC(COORD_SECRET_KEY, nonce) and only its SHA-256 is kept:
-- the job that mails the link derives it from this row, the outbox carries the row's id.
-- A resend draws a new nonce (the link mailed before stops working) and a new expiry.
CREATE TABLE invitations (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id        uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    email         text NOT NULL,
    roles         text[] NOT NULL CHECK (cardinality(roles) > 0),
    display_name  text,               -- the inviter's suggestion; the person chooses their own
    invited_by    uuid REFERENCES users (id) ON DELETE SET NULL,
    nonce         bytea NOT NULL,
    token_hash    bytea NOT NULL UNIQUE,
    created_at    timestamptz NOT NULL,
    sent_at       timestamptz NOT NULL,    -- the latest (re)send
    expires_at    timestamptz NOT NULL,
    accepted_at   timestamptz,
    accepted_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    revoked_at    timestamptz
);
-- One open invitation per address and organization (a second invite updates it).
CREATE UNIQUE INDEX invitations_open ON invitations (org_id, lower(email))
    WHERE accepted_at IS NULL AND revoked_at IS NULL;
CREATE INDEX invitations_org ON invitations (org_id, created_at DESC);
