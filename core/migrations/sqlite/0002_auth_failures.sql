-- Failed sign-in attempts, for rate limiting. Kept in the database (not in a process's
-- memory) so the limit holds across restarts and across several kassa processes.
CREATE TABLE auth_failures (
    id         TEXT PRIMARY KEY,
    scope      TEXT NOT NULL,
    subject    TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX auth_failures_by_subject ON auth_failures (scope, subject, created_at);
