-- 'Open now' (issue 17.4) read from two stored columns of each schedule instead of worked
-- out from its text on every row of every search: `open_days`, the ISO weekdays its hours
-- apply on (bit 0 Monday ... bit 6 Sunday; 0 when its frequency is neither weekly nor daily,
-- so it is never open now), and `utc_offset_hours`, its own UTC offset (HSDS `timezone`) when
-- it gives a number, else NULL (the curating organization's time zone applies). An open-now
-- search over 50,000 schedules spent most of its time unpacking `data` and upper-casing
-- `byday` per row. coord.directory.search_queries keeps the time-of-day half of the rule.
CREATE FUNCTION coord_open_days(freq text, byday text) RETURNS smallint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN freq IS NOT NULL AND upper(freq) NOT IN ('WEEKLY', 'DAILY') THEN 0
        WHEN byday IS NULL OR upper(freq) = 'DAILY' THEN 127
        -- Days are two-letter codes between commas: 'MO' is found in 'MO,WE' and in no other code.
        ELSE (SELECT coalesce(sum(1 << (d.n - 1)::int), 0)
              FROM unnest(ARRAY['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU']) WITH ORDINALITY AS d(code, n)
              WHERE strpos(upper(byday), d.code) > 0)
    END::smallint
$$;

ALTER TABLE directory_schedules
    ADD COLUMN open_days smallint GENERATED ALWAYS AS (coord_open_days(freq, byday)) STORED,
    ADD COLUMN utc_offset_hours float8 GENERATED ALWAYS AS (
        CASE WHEN jsonb_typeof(data -> 'timezone') = 'number' THEN (data ->> 'timezone')::float8 END
    ) STORED;
