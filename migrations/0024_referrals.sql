-- Issue 17, points 6 to 8: referrals that close the loop.
--
-- A facilitator or coordinator refers a person they serve to a directory service or to a
-- coord group. Statuses are FHIR SDOH's (ServiceRequest/Task): requested, accepted,
-- declined, cancelled, completed, entered-in-error, and `failed` (the person tried and it
-- did not work out, Task's word). `category` is the service's taxonomy term name, or
-- 'support group', kept on the row so counts by category need no join (and survive a
-- directory entry going inactive). Nothing here leaves coord without a consent below.
CREATE TABLE referrals (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id          uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    person_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    referrer_id     uuid REFERENCES users (id) ON DELETE SET NULL,
    service_id      uuid REFERENCES directory_services (id) ON DELETE SET NULL,
    group_id        uuid REFERENCES groups (id) ON DELETE SET NULL,
    note            text,
    status          text NOT NULL DEFAULT 'requested' CHECK (status IN (
                        'requested', 'accepted', 'declined', 'cancelled', 'completed', 'failed', 'entered-in-error')),
    category        text,
    -- The check-in ("Did you get connected?"): when it is due, and the person's answer.
    checkin_due_at  timestamptz NOT NULL,
    checkin_answer  text CHECK (checkin_answer IN ('connected', 'not_yet', 'did_not_work')),
    checkin_answered_at timestamptz,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    -- One or the other (both NULL only once what it named is gone).
    CHECK (service_id IS NULL OR group_id IS NULL)
);
CREATE INDEX referrals_person ON referrals (person_id, created_at DESC);
CREATE INDEX referrals_org ON referrals (org_id, created_at);
CREATE INDEX referrals_referrer ON referrals (referrer_id);

-- Every change of status: who, when, from what to what, and why (a short note).
CREATE TABLE referral_events (
    id           bigserial PRIMARY KEY,
    referral_id  uuid NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    actor_id     uuid REFERENCES users (id) ON DELETE SET NULL,  -- NULL: coord itself
    from_status  text,  -- NULL: the referral was made
    to_status    text NOT NULL,
    note         text,
    at           timestamptz NOT NULL
);
CREATE INDEX referral_events_referral ON referral_events (referral_id, id);

-- The person's consent to share facts about them with the receiving organization: to whom,
-- which facts, what for, until when. Revoking keeps the row (revoked_at): the record of what
-- was allowed, and when, is part of the history; erasure deletes it with the referral.
CREATE TABLE referral_consents (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    referral_id  uuid NOT NULL REFERENCES referrals (id) ON DELETE CASCADE,
    share_with   text NOT NULL,
    fields       text[] NOT NULL,
    purpose      text NOT NULL,
    until        date NOT NULL,
    created_at   timestamptz NOT NULL,
    revoked_at   timestamptz
);
CREATE INDEX referral_consents_referral ON referral_consents (referral_id);

-- How many days after a referral its check-in goes (an organization's setting).
ALTER TABLE orgs ADD COLUMN referral_checkin_days integer NOT NULL DEFAULT 7
    CHECK (referral_checkin_days BETWEEN 1 AND 90);

-- People who asked for no more referral check-ins (the link at the foot of each one).
CREATE TABLE referral_checkin_optouts (
    user_id     uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL
);
