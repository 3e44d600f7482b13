-- The gateway seam made for real gateways (issue 20).
--
-- 1. A payer contesting a payment with their bank is a chargeback in Kassa ("dispute" means a
--    debtor contesting an invoice), and a chargeback is won or lost.
-- 2. Each invoice an attempt pays keeps its planned part, and the attempt keeps where the
--    payer was sent (a provider's page) and the method the provider reports: a later report
--    (the payer back from that page, a provider's event) settles it as the debtor chose.
-- 3. A provider's reference finds its attempt.
--
-- SQLite cannot change a CHECK: both tables are rebuilt (nothing else references them).
CREATE TABLE payment_attempts_new (
    id                TEXT PRIMARY KEY,
    merchant_id       TEXT NOT NULL,
    customer_id       TEXT NOT NULL,
    idempotency_key   TEXT NOT NULL,
    principal         TEXT NOT NULL,
    request_hash      TEXT NOT NULL,
    currency          TEXT NOT NULL CHECK (length(currency) = 3),
    amount_minor      BIGINT NOT NULL CHECK (amount_minor > 0),
    gateway           TEXT NOT NULL,
    gateway_reference TEXT,
    state             TEXT NOT NULL CHECK (state IN ('pending', 'requires_action', 'processing', 'succeeded',
                                                     'failed', 'canceled', 'refunded', 'chargeback',
                                                     'chargeback_won', 'chargeback_lost')),
    decline_code      TEXT,
    payment_id        TEXT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    method            TEXT,
    next_url          TEXT,
    UNIQUE (merchant_id, idempotency_key),
    UNIQUE (merchant_id, id),
    FOREIGN KEY (merchant_id, customer_id) REFERENCES customers (merchant_id, id),
    FOREIGN KEY (merchant_id, payment_id) REFERENCES payments (merchant_id, id)
);
INSERT INTO payment_attempts_new (id, merchant_id, customer_id, idempotency_key, principal, request_hash, currency,
    amount_minor, gateway, gateway_reference, state, decline_code, payment_id, created_at, updated_at)
SELECT id, merchant_id, customer_id, idempotency_key, principal, request_hash, currency, amount_minor, gateway,
    gateway_reference, CASE state WHEN 'disputed' THEN 'chargeback' ELSE state END, decline_code, payment_id,
    created_at, updated_at
FROM payment_attempts;

CREATE TABLE payment_attempt_invoices_new (
    attempt_id   TEXT NOT NULL,
    merchant_id  TEXT NOT NULL,
    invoice_id   TEXT NOT NULL,
    -- The part of the attempt planned for this invoice (NULL before this migration: its
    -- balance then).
    amount_minor BIGINT CHECK (amount_minor > 0),
    PRIMARY KEY (attempt_id, invoice_id),
    FOREIGN KEY (merchant_id, attempt_id) REFERENCES payment_attempts_new (merchant_id, id),
    FOREIGN KEY (merchant_id, invoice_id) REFERENCES invoices (merchant_id, id)
);
INSERT INTO payment_attempt_invoices_new (attempt_id, merchant_id, invoice_id)
SELECT attempt_id, merchant_id, invoice_id FROM payment_attempt_invoices;

DROP TABLE payment_attempt_invoices;
DROP TABLE payment_attempts;
ALTER TABLE payment_attempts_new RENAME TO payment_attempts;
ALTER TABLE payment_attempt_invoices_new RENAME TO payment_attempt_invoices;
CREATE INDEX payment_attempt_invoices_by_invoice ON payment_attempt_invoices (merchant_id, invoice_id);
CREATE UNIQUE INDEX payment_attempts_by_reference ON payment_attempts (merchant_id, gateway, gateway_reference);

-- The sandbox, a gateway without a network (core/src/gateways/sandbox.rs): its payments, kept
-- as a provider keeps them, so that a payer's return, a replay or a restart finds them.
CREATE TABLE sandbox_payments (
    id              TEXT PRIMARY KEY,
    merchant_id     TEXT NOT NULL REFERENCES merchants (id),
    idempotency_key TEXT NOT NULL,
    currency        TEXT NOT NULL CHECK (length(currency) = 3),
    amount_minor    BIGINT NOT NULL CHECK (amount_minor > 0),
    description     TEXT NOT NULL,
    return_url      TEXT NOT NULL,
    -- Kassa's attempt, as a provider keeps it in a payment's metadata.
    attempt_id      TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('requires_action', 'processing', 'succeeded', 'failed',
                                                    'canceled')),
    decline_code    TEXT,
    method          TEXT,
    refunded_minor  BIGINT NOT NULL DEFAULT 0,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (merchant_id, idempotency_key)
);

-- The sandbox's refunds: one per idempotency key, never more than what was paid.
CREATE TABLE sandbox_refunds (
    id              TEXT PRIMARY KEY,
    merchant_id     TEXT NOT NULL REFERENCES merchants (id),
    payment_id      TEXT NOT NULL REFERENCES sandbox_payments (id),
    idempotency_key TEXT NOT NULL,
    amount_minor    BIGINT NOT NULL CHECK (amount_minor > 0),
    created_at      BIGINT NOT NULL,
    UNIQUE (merchant_id, idempotency_key)
);

-- Events from gateways (webhooks in), each applied once: a repeat finds its id here and
-- changes nothing (core/src/services/gateway_events.rs).
CREATE TABLE gateway_events (
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    gateway     TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    kind        TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, gateway, event_id)
);

-- Events refused (a bad or old signature, an unreadable body), counted per merchant, gateway,
-- reason and day: recorded for staff without letting a flood of forgeries grow the database.
CREATE TABLE gateway_event_refusals (
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    gateway     TEXT NOT NULL,
    reason      TEXT NOT NULL,
    day         TEXT NOT NULL,
    count       BIGINT NOT NULL,
    last_at     BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, gateway, reason, day)
);
