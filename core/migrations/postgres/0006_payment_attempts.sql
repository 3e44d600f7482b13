-- Payment attempts: what was asked of a payment provider, written before the provider is
-- called, with a state that only moves forward. `payments` keeps only money received (the
-- ledger); a declined attempt is an attempt, not a payment.
CREATE TABLE payment_attempts (
    id                TEXT PRIMARY KEY,
    merchant_id       TEXT NOT NULL,
    customer_id       TEXT NOT NULL,
    -- The idempotency key is bound to who asked and to what was asked: the same key from
    -- another principal, or with other content, is refused.
    idempotency_key   TEXT NOT NULL,
    principal         TEXT NOT NULL,
    request_hash      TEXT NOT NULL,
    currency          TEXT NOT NULL CHECK (length(currency) = 3),
    amount_minor      BIGINT NOT NULL CHECK (amount_minor > 0),
    gateway           TEXT NOT NULL,
    gateway_reference TEXT,
    state             TEXT NOT NULL CHECK (state IN ('pending', 'requires_action', 'processing', 'succeeded',
                                                     'failed', 'canceled', 'refunded', 'disputed')),
    decline_code      TEXT,
    payment_id        TEXT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    UNIQUE (merchant_id, idempotency_key),
    UNIQUE (merchant_id, id),
    FOREIGN KEY (merchant_id, customer_id) REFERENCES customers (merchant_id, id),
    FOREIGN KEY (merchant_id, payment_id) REFERENCES payments (merchant_id, id)
);

-- The invoices an attempt pays: while one is open (pending, requires action, processing),
-- another attempt on the same invoice is refused.
CREATE TABLE payment_attempt_invoices (
    attempt_id  TEXT NOT NULL,
    merchant_id TEXT NOT NULL,
    invoice_id  TEXT NOT NULL,
    PRIMARY KEY (attempt_id, invoice_id),
    FOREIGN KEY (merchant_id, attempt_id) REFERENCES payment_attempts (merchant_id, id),
    FOREIGN KEY (merchant_id, invoice_id) REFERENCES invoices (merchant_id, id)
);
CREATE INDEX payment_attempt_invoices_by_invoice ON payment_attempt_invoices (merchant_id, invoice_id);

-- Declined attempts move out of the ledger. (`payments.status`, `failure_reason` and
-- `unapplied_minor` are no longer read or written; SQLite cannot drop columns under a CHECK.)
INSERT INTO payment_attempts (id, merchant_id, customer_id, idempotency_key, principal, request_hash, currency,
    amount_minor, gateway, gateway_reference, state, decline_code, created_at, updated_at)
SELECT id, merchant_id, customer_id, idempotency_key, 'debtor:' || customer_id, '', currency, amount_minor, gateway,
    gateway_reference, 'failed', failure_reason, created_at, created_at
FROM payments WHERE status <> 'succeeded';
DELETE FROM payments WHERE status <> 'succeeded';
ALTER TABLE payments ADD COLUMN attempt_id TEXT;

-- Test mode: the sandbox gateway, a visible banner, test data. Live mode: real providers
-- only, and the debtor never chooses an outcome.
ALTER TABLE merchants ADD COLUMN mode TEXT NOT NULL DEFAULT 'test' CHECK (mode IN ('test', 'live'));
