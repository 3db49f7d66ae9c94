-- Free of charge (issue 17.4), one rule for the search's `free` filter and each result's
-- `free` flag: no amount to pay, or words that say so (free, gratis, gratuit/o/a). Until now
-- the filter read the words and the flag did not, so a service whose cost option said only
-- "Gratis" was found as free and then shown as not free. Read once when a cost option is
-- written, not by a regular expression on every row of every search (a free search near a
-- place scanned and matched all 50,000 options in the bench directory).
ALTER TABLE directory_cost_options ADD COLUMN free boolean GENERATED ALWAYS AS (
    coalesce(amount = 0, false) OR coalesce(lower(option) ~ '(free|gratis|gratuit)', false)
) STORED;
CREATE INDEX directory_cost_options_free ON directory_cost_options (service_id) WHERE active AND free;
