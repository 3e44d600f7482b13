-- Widget tokens (issue 22): what a merchant's `<kassa-pay>` element and its pay page may
-- read. A token names a row here (`id`) and the key that signed it (`key_id`); its row says
-- what it covers (one invoice of one customer), the web origins allowed to show it (a JSON
-- array, editable), when it expires and whether it was revoked. So a token can be revoked
-- and its origins changed after it was handed out, and a key retired without touching rows.
--
-- Signing keys: random, sealed with the instance key (`widget-keys`); new tokens are signed
-- with the newest key not retired, and every key not retired verifies, so a new key does not
-- break pages that show tokens of the one before.
CREATE TABLE widget_keys (
    id         TEXT PRIMARY KEY,
    -- 1, 2, 3...: the newest key is the highest (made in the same second or not).
    seq        BIGINT NOT NULL UNIQUE,
    sealed     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    retired_at BIGINT
);

CREATE TABLE widget_tokens (
    id          TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    mode        TEXT NOT NULL CHECK (mode IN ('test', 'live')),
    customer_id TEXT NOT NULL,
    invoice_id  TEXT,
    origins     TEXT NOT NULL,
    key_id      TEXT NOT NULL REFERENCES widget_keys (id),
    expires_at  BIGINT NOT NULL,
    revoked_at  BIGINT,
    created_at  BIGINT NOT NULL,
    FOREIGN KEY (merchant_id, customer_id) REFERENCES customers (merchant_id, id)
);
CREATE INDEX widget_tokens_by_merchant ON widget_tokens (merchant_id, mode, created_at);
