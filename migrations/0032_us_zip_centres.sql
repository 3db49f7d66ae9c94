-- The centre of every US ZIP code, for `near=` when the directory has no public address with
-- the code (coord.directory.search.resolve_place). `coord migrate` fills it from the zipcodes
-- package once, when it is empty (coord.directory.zip_centres): the package's data is not
-- ours to copy into this repository, and asking the package from the API held that
-- process's event loop, every request in it, for 0.3-1.5 s while it unpacked its data on the
-- first lookup (and kept about 40 MB in each API process).
CREATE TABLE us_zip_centres (
    code text PRIMARY KEY CHECK (code ~ '^[0-9]{5}$'),
    latitude double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
    longitude double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180)
);
