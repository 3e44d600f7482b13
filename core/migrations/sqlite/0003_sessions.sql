-- Server-side sessions (debtor and staff sign-ins). The cookie holds a random 128-bit id;
-- only its SHA-256 is stored, so a leaked database signs nobody in. `data` is the session's
-- JSON; expired rows are deleted hourly and never loaded.
CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    data       TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- tower-sessions-sqlx-store's table, which kept raw session ids: its sessions end here.
DROP TABLE IF EXISTS tower_sessions;
