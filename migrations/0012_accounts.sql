-- Accounts (issue 14): confirmed addresses, a preferred language, and single-use links
-- by email (confirm an address, reset a password, move the account to a new address).

ALTER TABLE users
    ADD COLUMN email_confirmed_at timestamptz,  -- NULL: nothing but the confirmation is sent to it
    ADD COLUMN locale text;                     -- BCP 47 tag ("es", "pt-BR"); NULL: not chosen

-- Accounts made before addresses were confirmed count as confirmed.
UPDATE users SET email_confirmed_at = created_at WHERE email IS NOT NULL AND deleted_at IS NULL;

-- One row per link mailed. The link's token is never stored: `token_hash` (its SHA-256) is
-- what a presented link is looked up by, and the token itself is HMAC(COORD_SECRET_KEY,
-- nonce), so the job that mails it (and mails it again after a failure) derives the same
-- link from this row, while the outbox carries the row's id only (coord.auth.tokens).
CREATE TABLE account_tokens (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose     text NOT NULL CHECK (purpose IN ('confirm_email', 'reset_password', 'change_email')),
    email       text NOT NULL,   -- where the link goes; for change_email, the address to move to
    nonce       bytea NOT NULL,
    token_hash  bytea NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz      -- used, or made void by a later change (single use)
);
CREATE INDEX account_tokens_live ON account_tokens (user_id, purpose) WHERE used_at IS NULL;
