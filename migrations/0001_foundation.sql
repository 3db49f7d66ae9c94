-- Foundation: accounts, organizations, venues, the outbox, deliveries and the audit log.

CREATE TABLE users (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email          text,                      -- NULL once the account is erased
    password_hash  text,                      -- NULL: cannot log in
    display_name   text NOT NULL,
    timezone       text NOT NULL DEFAULT 'UTC',
    token_version  integer NOT NULL DEFAULT 0, -- bumped by "log out everywhere"
    created_at     timestamptz NOT NULL DEFAULT now(),
    deleted_at     timestamptz
);
CREATE UNIQUE INDEX users_email_key ON users (lower(email)) WHERE email IS NOT NULL;

CREATE TABLE orgs (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name           text NOT NULL,
    slug           text NOT NULL UNIQUE,
    timezone       text NOT NULL,
    contact_email  text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE org_members (
    org_id      uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    roles       text[] NOT NULL CHECK (
                    cardinality(roles) > 0
                    AND roles <@ ARRAY['admin', 'coordinator', 'facilitator', 'volunteer', 'participant']
                ),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX org_members_user ON org_members (user_id);

CREATE TABLE venues (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id         uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    name           text NOT NULL,
    kind           text NOT NULL CHECK (kind IN ('in_person', 'virtual')),
    address        text,
    meeting_url    text,
    accessibility  text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'in_person' AND address IS NOT NULL) OR (kind = 'virtual' AND meeting_url IS NOT NULL))
);
CREATE INDEX venues_org ON venues (org_id, id);

-- Domain events, written in the transaction of the change; ids only, no personal data.
CREATE TABLE outbox (
    id            bigserial PRIMARY KEY,
    event_id      uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    kind          text NOT NULL,
    payload       jsonb NOT NULL,
    request_id    text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    published_at  timestamptz
);
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;

-- One row per effect (event x recipient x kind): a job run twice sends once.
CREATE TABLE deliveries (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    key         text NOT NULL UNIQUE,
    event_id    uuid,
    user_id     uuid REFERENCES users (id) ON DELETE SET NULL,
    org_id      uuid REFERENCES orgs (id) ON DELETE CASCADE,
    kind        text NOT NULL,
    channel     text NOT NULL DEFAULT 'email',
    status      text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
    attempts    integer NOT NULL DEFAULT 0,
    last_error  text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    sent_at     timestamptz
);
CREATE INDEX deliveries_failed ON deliveries (org_id, updated_at) WHERE status = 'failed';

-- Who read or changed attendance and rosters. Append-only.
CREATE TABLE audit_log (
    id            bigserial PRIMARY KEY,
    org_id        uuid REFERENCES orgs (id) ON DELETE CASCADE,
    actor_id      uuid REFERENCES users (id) ON DELETE SET NULL,
    action        text NOT NULL,
    subject_type  text NOT NULL,
    subject_id    uuid,
    detail        jsonb NOT NULL DEFAULT '{}'::jsonb,
    at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_org ON audit_log (org_id, id);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Cascades from an organization's deletion and erasure's SET NULL are allowed;
    -- an edit of what an entry says is not.
    IF TG_OP = 'UPDATE' AND (NEW.action, NEW.subject_type, NEW.subject_id, NEW.detail, NEW.at, NEW.org_id)
        IS NOT DISTINCT FROM (OLD.action, OLD.subject_type, OLD.subject_id, OLD.detail, OLD.at, OLD.org_id) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_no_edit BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
