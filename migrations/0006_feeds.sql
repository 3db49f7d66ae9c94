-- Private calendar feeds: the secret lives only in the URL; we keep its SHA-256.
CREATE TABLE feed_tokens (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scope            text NOT NULL CHECK (scope IN ('mine', 'org')),
    org_id           uuid REFERENCES orgs (id) ON DELETE CASCADE,
    discreet         boolean NOT NULL DEFAULT false,
    label            text,
    token_hash       bytea NOT NULL UNIQUE,
    created_at       timestamptz NOT NULL DEFAULT now(),
    last_fetched_at  timestamptz,
    CHECK ((scope = 'org') = (org_id IS NOT NULL))
);
CREATE INDEX feed_tokens_user ON feed_tokens (user_id);
