-- A merchant's job belongs to a mode too (test or live), so that an API key sees only its own
-- mode's jobs; NULL for the system's jobs and for jobs queued before this migration.
ALTER TABLE jobs ADD COLUMN mode TEXT;
