-- Per-key request counts for the API's rate limit: one row per key and fixed window, bumped
-- by one atomic upsert per request, so the limit holds across several kassa processes.
CREATE TABLE rate_windows (
    bucket       TEXT NOT NULL,
    window_start BIGINT NOT NULL,
    hits         BIGINT NOT NULL,
    PRIMARY KEY (bucket, window_start)
);
CREATE INDEX rate_windows_by_age ON rate_windows (window_start);
