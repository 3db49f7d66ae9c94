-- One pair of booking events for every kind of booking (coord.bookings): the six
-- signup.* / registration.* confirmed / waitlisted / cancelled events become
-- booking.placed and booking.cancelled, naming what is booked in `bookable`.
-- Stored rows are rewritten to the new shape, so an unpublished row (and a
-- published one a delivery retry reads again) still decodes. Event ids stay, and
-- with them the delivery keys already written.
--
--   signup.confirmed       {signup_id, shift_id, user_id, promoted}
--   registration.confirmed {registration_id, event_id, user_id, promoted}
--     -> booking.placed    {booking_id, bookable, bookable_id, user_id, status: "confirmed", promoted}
--   signup.waitlisted / registration.waitlisted
--     -> booking.placed    {..., status: "waitlisted", promoted: false}
--   signup.cancelled / registration.cancelled {..., had_place}
--     -> booking.cancelled {booking_id, bookable, bookable_id, user_id, had_place}

WITH old (kind, new_kind, bookable, booking_key, bookable_key, status) AS (
    VALUES ('signup.confirmed', 'booking.placed', 'shift', 'signup_id', 'shift_id', 'confirmed'),
           ('signup.waitlisted', 'booking.placed', 'shift', 'signup_id', 'shift_id', 'waitlisted'),
           ('signup.cancelled', 'booking.cancelled', 'shift', 'signup_id', 'shift_id', NULL),
           ('registration.confirmed', 'booking.placed', 'event', 'registration_id', 'event_id', 'confirmed'),
           ('registration.waitlisted', 'booking.placed', 'event', 'registration_id', 'event_id', 'waitlisted'),
           ('registration.cancelled', 'booking.cancelled', 'event', 'registration_id', 'event_id', NULL)
)
UPDATE outbox o
SET kind = old.new_kind,
    payload = jsonb_strip_nulls(jsonb_build_object(
        'kind', old.new_kind,
        'booking_id', o.payload -> old.booking_key,
        'bookable', old.bookable,
        'bookable_id', o.payload -> old.bookable_key,
        'user_id', o.payload -> 'user_id',
        'status', old.status,
        'promoted', CASE WHEN old.new_kind = 'booking.placed'
                         THEN coalesce(o.payload -> 'promoted', 'false'::jsonb) END,
        'had_place', CASE WHEN old.new_kind = 'booking.cancelled'
                          THEN coalesce(o.payload -> 'had_place', 'true'::jsonb) END
    ))
FROM old
WHERE o.kind = old.kind;
