-- Outgoing webhooks (issue 13). Events learn their mode (test or live), so that a test-mode
-- endpoint hears only test data and a live one only live data.
ALTER TABLE events ADD COLUMN mode TEXT NOT NULL DEFAULT 'test' CHECK (mode IN ('test', 'live'));

-- Where a merchant wants to hear about events: a URL, the event types (JSON array of names,
-- `invoice.*` or `*`), and whether Kassa still sends there.
CREATE TABLE webhook_endpoints (
    id              TEXT PRIMARY KEY,
    merchant_id     TEXT NOT NULL REFERENCES merchants (id),
    mode            TEXT NOT NULL CHECK (mode IN ('test', 'live')),
    url             TEXT NOT NULL,
    description     TEXT NOT NULL,
    events          TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('enabled', 'disabled')),
    disabled_reason TEXT,
    -- The first failed delivery since the last successful one: an endpoint failing for days
    -- is disabled, with the reason kept here.
    failing_since   BIGINT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (merchant_id, id)
);
CREATE INDEX webhook_endpoints_by_merchant ON webhook_endpoints (merchant_id, mode, created_at);

-- Signing secrets (`whsec_...`). Rotating adds a new one and lets the old one sign beside it
-- until `expires_at`, so receivers can switch without missing a delivery.
CREATE TABLE webhook_secrets (
    id          TEXT PRIMARY KEY,
    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints (id),
    secret      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT
);
CREATE INDEX webhook_secrets_by_endpoint ON webhook_secrets (endpoint_id);

-- One event for one endpoint: sent from the job queue until it is answered 2xx, or until its
-- retries (more than three days) run out. Replaying sends it again.
CREATE TABLE webhook_deliveries (
    id           TEXT PRIMARY KEY,
    merchant_id  TEXT NOT NULL,
    endpoint_id  TEXT NOT NULL REFERENCES webhook_endpoints (id),
    event_id     TEXT NOT NULL REFERENCES events (id),
    status       TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts     BIGINT NOT NULL DEFAULT 0,
    delivered_at BIGINT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, created_at);

-- Every try of a delivery: what the receiver answered, how fast, and the start of its body.
CREATE TABLE webhook_attempts (
    id           TEXT PRIMARY KEY,
    delivery_id  TEXT NOT NULL REFERENCES webhook_deliveries (id),
    -- 1 for the first try of the delivery, 2 for the next...
    number       BIGINT NOT NULL,
    status_code  BIGINT,
    latency_ms   BIGINT NOT NULL,
    error        TEXT,
    response     TEXT,
    attempted_at BIGINT NOT NULL
);
CREATE INDEX webhook_attempts_by_delivery ON webhook_attempts (delivery_id, number);
