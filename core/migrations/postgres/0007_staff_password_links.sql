-- A staff member added from the CLI or the admin sets their own password through a
-- single-use link; only the link token's SHA-256 is stored. Until then `password_hash` is
-- '!', which no password matches.
CREATE TABLE staff_password_links (
    token_hash  TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL,
    staff_id    TEXT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT,
    created_at  BIGINT NOT NULL,
    FOREIGN KEY (staff_id) REFERENCES staff_users (id)
);
