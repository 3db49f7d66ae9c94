-- Scheduling: groups and recurring sessions, community events, volunteer shifts.
-- Capacity is enforced by locking the parent row (event, shift) in the
-- transaction that counts and inserts; waitlist order is a sequence number, and
-- positions are computed by rank, so they never have gaps.

ALTER TABLE orgs
    ADD COLUMN cancellation_cutoff_hours integer NOT NULL DEFAULT 24 CHECK (cancellation_cutoff_hours >= 0),
    ADD COLUMN reminder_lead_minutes integer NOT NULL DEFAULT 1440 CHECK (reminder_lead_minutes >= 0),
    ADD COLUMN retention_months integer NOT NULL DEFAULT 24 CHECK (retention_months > 0),
    ADD COLUMN crisis_resources text NOT NULL
        DEFAULT '988 Suicide & Crisis Lifeline: call or text 988. Crisis Text Line: text HOME to 741741.';

CREATE SEQUENCE waitlist_order;

CREATE TABLE groups (
    id                     uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id                 uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    name                   text NOT NULL,
    description            text,
    topic                  text,
    audience               text,
    languages              text[] NOT NULL DEFAULT '{}',
    format                 text NOT NULL CHECK (format IN ('peer_led', 'professional_led')),
    visibility             text NOT NULL CHECK (visibility IN ('public', 'unlisted', 'private')),
    join_policy            text NOT NULL CHECK (join_policy IN ('open', 'approval')),
    capacity               integer CHECK (capacity > 0),
    facilitators_required  integer NOT NULL DEFAULT 1 CHECK (facilitators_required >= 0),
    venue_id               uuid REFERENCES venues (id) ON DELETE SET NULL,
    timezone               text NOT NULL,
    discreet_title         text,
    created_at             timestamptz NOT NULL DEFAULT now(),
    updated_at             timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX groups_org ON groups (org_id, id);

CREATE TABLE group_members (
    group_id    uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role        text NOT NULL CHECK (role IN ('facilitator', 'participant')),
    status      text NOT NULL CHECK (status IN ('active', 'pending')),
    alias       text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id);

CREATE TABLE series (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    group_id            uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    org_id              uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    start_local         timestamp NOT NULL,          -- wall clock in `timezone`
    timezone            text NOT NULL,
    duration_minutes    integer NOT NULL CHECK (duration_minutes BETWEEN 5 AND 1440),
    rrule               text NOT NULL,
    venue_id            uuid REFERENCES venues (id) ON DELETE SET NULL,
    materialized_until  timestamptz NOT NULL,        -- occurrences before this exist as sessions
    split_from          uuid REFERENCES series (id) ON DELETE SET NULL,
    ended_at            timestamptz,
    sequence            integer NOT NULL DEFAULT 0,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX series_group ON series (group_id);
CREATE INDEX series_open ON series (materialized_until) WHERE ended_at IS NULL;

CREATE TABLE sessions (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    series_id      uuid REFERENCES series (id) ON DELETE CASCADE,
    group_id       uuid NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    org_id         uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    recurrence_id  timestamptz,                       -- original start: the RECURRENCE-ID
    starts_at      timestamptz NOT NULL,
    ends_at        timestamptz NOT NULL,
    venue_id       uuid REFERENCES venues (id) ON DELETE SET NULL,
    status         text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled', 'completed')),
    sequence       integer NOT NULL DEFAULT 0,
    cancel_reason  text,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at > starts_at),
    UNIQUE (series_id, recurrence_id)
);
CREATE INDEX sessions_group_time ON sessions (group_id, starts_at, id);
CREATE INDEX sessions_org_time ON sessions (org_id, starts_at, id);

CREATE TABLE session_facilitators (
    session_id  uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    assigned_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (session_id, user_id)
);
CREATE INDEX session_facilitators_user ON session_facilitators (user_id);

CREATE TABLE rsvps (
    session_id  uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    response    text NOT NULL CHECK (response IN ('going', 'not_going')),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (session_id, user_id)
);

-- Health data. user_id becomes NULL when a person is erased, so only counts remain.
CREATE TABLE attendance (
    id           bigserial PRIMARY KEY,
    session_id   uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    user_id      uuid REFERENCES users (id) ON DELETE SET NULL,
    status       text NOT NULL CHECK (status IN ('present', 'absent', 'excused')),
    recorded_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (session_id, user_id)
);
CREATE INDEX attendance_recorded ON attendance (recorded_at);

CREATE TABLE events (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id                  uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    title                   text NOT NULL,
    description             text,
    kind                    text NOT NULL CHECK (kind IN ('workshop', 'training', 'awareness', 'social')),
    starts_at               timestamptz NOT NULL,
    ends_at                 timestamptz NOT NULL,
    timezone                text NOT NULL,
    capacity                integer CHECK (capacity >= 0),
    venue_id                uuid REFERENCES venues (id) ON DELETE SET NULL,
    visibility              text NOT NULL CHECK (visibility IN ('public', 'unlisted', 'private')),
    registration_opens_at   timestamptz,
    registration_closes_at  timestamptz,
    status                  text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
    sequence                integer NOT NULL DEFAULT 0,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at > starts_at)
);
CREATE INDEX events_org_time ON events (org_id, starts_at, id);

CREATE TABLE registrations (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id      uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status        text NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'cancelled')),
    queue_order   bigint NOT NULL DEFAULT nextval('waitlist_order'),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    cancelled_at  timestamptz,
    UNIQUE (event_id, user_id)
);
CREATE INDEX registrations_waitlist ON registrations (event_id, queue_order) WHERE status = 'waitlisted';
CREATE INDEX registrations_user ON registrations (user_id);

CREATE TABLE shifts (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id             uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    role               text NOT NULL,
    description        text,
    starts_at          timestamptz NOT NULL,
    ends_at            timestamptz NOT NULL,
    capacity           integer NOT NULL CHECK (capacity >= 0),
    event_id           uuid REFERENCES events (id) ON DELETE SET NULL,
    session_id         uuid REFERENCES sessions (id) ON DELETE SET NULL,
    required_training  text,
    status             text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
    sequence           integer NOT NULL DEFAULT 0,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (ends_at > starts_at)
);
CREATE INDEX shifts_org_time ON shifts (org_id, starts_at, id);

CREATE TABLE signups (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    shift_id       uuid NOT NULL REFERENCES shifts (id) ON DELETE CASCADE,
    user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    status         text NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'cancelled')),
    queue_order    bigint NOT NULL DEFAULT nextval('waitlist_order'),
    late_cancel    boolean NOT NULL DEFAULT false,
    checked_in_at  timestamptz,
    hours          numeric(5, 2) CHECK (hours >= 0 AND hours <= 24),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    cancelled_at   timestamptz,
    UNIQUE (shift_id, user_id)
);
CREATE INDEX signups_waitlist ON signups (shift_id, queue_order) WHERE status = 'waitlisted';
CREATE INDEX signups_user ON signups (user_id, status);

CREATE TABLE trainings (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code          text NOT NULL,
    completed_on  date NOT NULL,
    expires_on    date,
    verified_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    verified_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now(),
    CHECK (expires_on IS NULL OR expires_on >= completed_on)
);
CREATE INDEX trainings_user ON trainings (user_id, code);
