-- The "stop these check-ins" link of a referral check-in and the switch on the settings page
-- are one setting: the 'referral_checkin' kind in notification_prefs.disabled_kinds, which
-- delivery already honours. Until now the link wrote a table of its own, so the page still
-- showed check-ins as on for someone who had stopped them. The stops made so far move there.
INSERT INTO notification_prefs (user_id, disabled_kinds)
SELECT user_id, ARRAY['referral_checkin'] FROM referral_checkin_optouts
ON CONFLICT (user_id) DO UPDATE
SET disabled_kinds = notification_prefs.disabled_kinds || 'referral_checkin'::text, updated_at = now()
WHERE NOT 'referral_checkin' = ANY (notification_prefs.disabled_kinds);

DROP TABLE referral_checkin_optouts;
