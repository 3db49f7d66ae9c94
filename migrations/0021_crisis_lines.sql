-- Issue 16, point 8: an organization's crisis lines, each with the languages it serves:
-- [{"name": ..., "contact": ..., "languages": ["es"]}]. NULL: coord's defaults (988 and
-- Crisis Text Line, in English and Spanish; coord.orgs.crisis). `crisis_resources` stays
-- the organization's own words, shown after the lines.
ALTER TABLE orgs ADD COLUMN crisis_lines jsonb;
