-- The merchant API (issue 13): API keys, replayable idempotent requests, and what the API
-- says about customers and invoices.

-- Keys are shown once. Only a SHA-256 of the whole key is kept (keys are 32 random bytes, so
-- a fast hash is enough); `prefix` (`kassa_test_Ab12`) names the key in lists and logs.
CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY,
    merchant_id  TEXT NOT NULL REFERENCES merchants (id),
    name         TEXT NOT NULL,
    mode         TEXT NOT NULL CHECK (mode IN ('test', 'live')),
    prefix       TEXT NOT NULL,
    secret_hash  TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX api_keys_by_merchant ON api_keys (merchant_id, created_at);

-- A POST with an Idempotency-Key: the first response is kept for 24 hours and replayed for
-- the same key and body; another body under the same key is refused. A row without a
-- status is a request still in flight.
CREATE TABLE api_requests (
    merchant_id  TEXT NOT NULL,
    mode         TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       BIGINT,
    response     TEXT,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, mode, key)
);
CREATE INDEX api_requests_by_age ON api_requests (created_at);

-- Test-mode data never mixes with live data: a customer, and everything on its ledger, is one
-- or the other (what exists now follows its merchant's mode).
ALTER TABLE customers ADD COLUMN mode TEXT NOT NULL DEFAULT 'test' CHECK (mode IN ('test', 'live'));
UPDATE customers SET mode = (SELECT mode FROM merchants WHERE merchants.id = customers.merchant_id);
ALTER TABLE customers ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
ALTER TABLE customers ADD COLUMN segment TEXT;
ALTER TABLE customers ADD COLUMN payment_terms_days BIGINT NOT NULL DEFAULT 30;
-- Further contacts beyond the billing email, as a JSON array of {name, email, phone, role}.
ALTER TABLE customers ADD COLUMN contacts TEXT NOT NULL DEFAULT '[]';
ALTER TABLE customers ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
UPDATE customers SET updated_at = created_at;
CREATE INDEX customers_api_list ON customers (merchant_id, mode, created_at, id);

ALTER TABLE invoices ADD COLUMN mode TEXT NOT NULL DEFAULT 'test' CHECK (mode IN ('test', 'live'));
UPDATE invoices SET mode = (SELECT mode FROM customers WHERE customers.merchant_id = invoices.merchant_id
                            AND customers.id = invoices.customer_id);
-- Moves with every change to the invoice, its ledger included ("updated since" lists).
ALTER TABLE invoices ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
UPDATE invoices SET updated_at = created_at;
CREATE INDEX invoices_api_list ON invoices (merchant_id, mode, created_at, id);
