-- 'Open now' (issue 17.4) read from one narrow row per service with hours: its weekly hours as
-- ranges of seconds of the week (Monday 00:00:00 is 0), kept up to date by every import
-- (coord_refresh_open_week). Not on the service's own row: writing them there after the
-- import had written the row doubled the table every search scans. A search used to join every schedule to its candidates and work
-- out each one's local day and time: 150 ms of a 160 ms search near Manhattan at noon over
-- 50,000 services. The rule is unchanged (tests/directory/test_open_now.py models it):
--   - a schedule counts when it is active, has both times, and its frequency is weekly, daily or
--     missing (open_days > 0, migration 0030); one on a service-at-location counts for the
--     service while that link is active;
--   - on each listed day it is open from opens_at up to, not including, closes_at; when the end
--     is not after the start, from midnight up to closes_at and from opens_at to midnight;
--   - its hours are in the curating organization's time zone (`open_local`, compared with that
--     zone's second of the week), or in its own UTC offset when it gives one (`open_utc`, shifted
--     to UTC here, compared with UTC's second of the week).

CREATE TABLE directory_service_hours (
    service_id uuid PRIMARY KEY REFERENCES directory_services (id) ON DELETE CASCADE,
    org_id     uuid NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    open_local int4multirange NOT NULL,
    open_utc   int4multirange NOT NULL
);

-- Every service of an organization's directory, from its schedules as they are now, in one pass
-- (a function called per schedule took four times as long); rows that did not change are not
-- written, and a service left without hours loses its row.
CREATE FUNCTION coord_refresh_open_week(org uuid) RETURNS void
LANGUAGE sql AS $$
    WITH hours AS (
        SELECT sc.service_id, sc.open_days, sc.opens_at, sc.closes_at, sc.utc_offset_hours
        FROM directory_schedules sc
        WHERE sc.org_id = org AND sc.active AND sc.service_id IS NOT NULL
        UNION ALL
        SELECT x.service_id, sc.open_days, sc.opens_at, sc.closes_at, sc.utc_offset_hours
        FROM directory_schedules sc
        JOIN directory_service_at_locations x ON x.id = sc.service_at_location_id AND x.active
        WHERE sc.org_id = org AND sc.active
    ),
    timed AS (
        SELECT service_id, open_days, utc_offset_hours IS NOT NULL AS utc,
               floor(extract(epoch FROM opens_at))::int AS o, floor(extract(epoch FROM closes_at))::int AS c,
               (round(coalesce(utc_offset_hours, 0) * 3600)::bigint % 604800)::int AS shift
        FROM hours
        WHERE opens_at IS NOT NULL AND closes_at IS NOT NULL AND open_days > 0
    ),
    -- Each listed day's span, or the two halves of one that wraps over midnight.
    spans AS (
        SELECT t.service_id, t.utc, t.shift, d * 86400 + p.lo AS lo, d * 86400 + p.hi AS hi
        FROM timed t
        CROSS JOIN generate_series(0, 6) d
        CROSS JOIN LATERAL (
            SELECT t.o, t.c WHERE t.o < t.c
            UNION ALL SELECT 0, t.c WHERE t.o >= t.c
            UNION ALL SELECT t.o, 86400 WHERE t.o >= t.c
        ) p(lo, hi)
        WHERE (t.open_days >> d) & 1 = 1
    ),
    -- Shifted back by the schedule's own offset (by up to a week either way): the parts that
    -- fall inside the week, from any of three copies.
    wrapped AS (
        SELECT service_id, utc, int4range(lo - shift + k * 604800, hi - shift + k * 604800) * int4range(0, 604800) AS r
        FROM spans CROSS JOIN (VALUES (-1), (0), (1)) w(k)
    ),
    weeks AS (
        SELECT service_id,
               coalesce(range_agg(r) FILTER (WHERE NOT utc), '{}') AS open_local,
               coalesce(range_agg(r) FILTER (WHERE utc), '{}') AS open_utc
        FROM wrapped
        WHERE NOT isempty(r)
        GROUP BY service_id
    ),
    gone AS (
        DELETE FROM directory_service_hours h
        WHERE h.org_id = org AND NOT EXISTS (SELECT 1 FROM weeks WHERE weeks.service_id = h.service_id)
    )
    INSERT INTO directory_service_hours (service_id, org_id, open_local, open_utc)
    SELECT service_id, org, open_local, open_utc FROM weeks
    ON CONFLICT (service_id) DO UPDATE SET open_local = excluded.open_local, open_utc = excluded.open_utc
    WHERE (directory_service_hours.open_local, directory_service_hours.open_utc)
          IS DISTINCT FROM (excluded.open_local, excluded.open_utc)
$$;

SELECT coord_refresh_open_week(id) FROM orgs WHERE EXISTS (SELECT 1 FROM directory_services s WHERE s.org_id = orgs.id);
