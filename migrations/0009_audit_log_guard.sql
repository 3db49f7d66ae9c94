-- The audit log stays append-only in the database too: no entry can be deleted (but by
-- the cascade of its organization's deletion), and an update may only clear the actor
-- (erasure's SET NULL), never put another name on what somebody did.
CREATE OR REPLACE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF pg_trigger_depth() > 1 THEN  -- fired by a foreign key's ON DELETE CASCADE
            RETURN OLD;
        END IF;
    ELSIF (NEW.action, NEW.subject_type, NEW.subject_id, NEW.detail, NEW.at, NEW.org_id)
            IS NOT DISTINCT FROM (OLD.action, OLD.subject_type, OLD.subject_id, OLD.detail, OLD.at, OLD.org_id)
          AND (NEW.actor_id IS NULL OR NEW.actor_id = OLD.actor_id) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
