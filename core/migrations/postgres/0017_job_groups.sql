-- Jobs that share a group (the deliveries to one webhook endpoint) run at most a few at a
-- time, so one slow receiver cannot take every worker slot (core/src/jobs.rs).
ALTER TABLE jobs ADD COLUMN group_key TEXT;
CREATE INDEX jobs_running_groups ON jobs (state, group_key);
