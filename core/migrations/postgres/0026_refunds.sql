-- Refunds (issue 20): (part of) a payment paid back, through the gateway it came through or,
-- for a payment received outside Kassa, recorded as paid back by the merchant. A refund moves
-- the ledger once it succeeded (`payments.refunded_minor` and the undoing applications);
-- pending ones only hold back what they will take. `idempotency_key` answers a repeated
-- request with the same refund; `request_hash` refuses the same key with another request.
ALTER TABLE payments ADD COLUMN refunded_minor BIGINT NOT NULL DEFAULT 0;

CREATE TABLE refunds (
    id                 TEXT PRIMARY KEY,
    merchant_id        TEXT NOT NULL,
    customer_id        TEXT NOT NULL,
    payment_id         TEXT NOT NULL,
    currency           TEXT NOT NULL CHECK (length(currency) = 3),
    amount_minor       BIGINT NOT NULL CHECK (amount_minor > 0),
    state              TEXT NOT NULL CHECK (state IN ('pending', 'succeeded', 'failed')),
    -- NULL: paid back by the merchant outside Kassa.
    gateway            TEXT,
    -- The payment's reference at the gateway, and the refund's once the gateway answered.
    payment_reference  TEXT NOT NULL,
    gateway_reference  TEXT,
    idempotency_key    TEXT NOT NULL,
    request_hash       TEXT NOT NULL,
    reason             TEXT NOT NULL,
    requested_by       TEXT NOT NULL,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    UNIQUE (merchant_id, idempotency_key),
    FOREIGN KEY (merchant_id, customer_id) REFERENCES customers (merchant_id, id)
);
CREATE UNIQUE INDEX refunds_by_gateway_reference ON refunds (merchant_id, gateway, gateway_reference);
CREATE INDEX refunds_by_payment ON refunds (merchant_id, payment_id, created_at);
