-- Per-person message settings: kinds turned off, quiet hours, discreet mode.
CREATE TABLE notification_prefs (
    user_id         uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    disabled_kinds  text[] NOT NULL DEFAULT '{}',
    quiet_start     time NOT NULL DEFAULT '21:00',
    quiet_end       time NOT NULL DEFAULT '08:00',
    discreet        boolean NOT NULL DEFAULT false,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
