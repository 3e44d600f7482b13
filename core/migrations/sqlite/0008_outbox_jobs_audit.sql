-- The outbox: every state change writes the event it emits in the same transaction, so a
-- crash never leaves money recorded without its event, or an event without its money.
CREATE TABLE events (
    id            TEXT PRIMARY KEY,
    merchant_id   TEXT NOT NULL,
    type          TEXT NOT NULL,
    subject_id    TEXT NOT NULL,
    data          TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    dispatched_at BIGINT
);
CREATE INDEX events_by_merchant ON events (merchant_id, created_at);

-- The job queue. Workers claim due jobs (SKIP LOCKED on PostgreSQL, the write lock on
-- SQLite), hold them under a lease, and retry failures with exponential backoff until
-- `max_attempts`, after which a job is `dead` and kept for an operator.
CREATE TABLE jobs (
    id           TEXT PRIMARY KEY,
    merchant_id  TEXT,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'dead')),
    run_at       BIGINT NOT NULL,
    attempts     BIGINT NOT NULL DEFAULT 0,
    max_attempts BIGINT NOT NULL,
    locked_by    TEXT,
    locked_until BIGINT,
    last_error   TEXT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX jobs_due ON jobs (state, run_at);

-- The audit log: append-only and hash-chained per merchant (`chain`), so an edited or
-- deleted entry breaks the chain and `kassa audit verify` says where.
CREATE TABLE audit_log (
    id           TEXT PRIMARY KEY,
    chain        TEXT NOT NULL,
    seq          BIGINT NOT NULL,
    merchant_id  TEXT,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    before_state TEXT,
    after_state  TEXT,
    origin       TEXT NOT NULL,
    at           BIGINT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL,
    UNIQUE (chain, seq)
);
CREATE INDEX audit_log_by_subject ON audit_log (merchant_id, subject_type, subject_id);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
