-- Files sent to POST /api/v1/imports: kept until the import job has run them (then the
-- content is dropped and the report kept), with the job's progress for the API to show.
CREATE TABLE imports (
    id          TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    mode        TEXT NOT NULL CHECK (mode IN ('test', 'live')),
    format      TEXT NOT NULL,
    -- The API key that sent it: the import runs as that key (its merchant and mode).
    api_key_id  TEXT NOT NULL,
    on_error    TEXT NOT NULL CHECK (on_error IN ('reject_file', 'skip_invalid')),
    filename    TEXT NOT NULL,
    content     BYTEA,
    status      TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
    done        BIGINT NOT NULL DEFAULT 0,
    total       BIGINT NOT NULL DEFAULT 0,
    report      TEXT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX imports_by_merchant ON imports (merchant_id, mode, created_at);
