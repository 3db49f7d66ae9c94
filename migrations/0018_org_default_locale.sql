-- Issue 16, point 2: an organization's default language, for its people whose browser
-- and profile say nothing coord speaks. NULL: English.
ALTER TABLE orgs ADD COLUMN default_locale text;
