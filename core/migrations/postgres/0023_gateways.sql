-- The gateway seam made for real gateways (issue 20).
--
-- 1. A payer contesting a payment with their bank is a chargeback in Kassa ("dispute" means a
--    debtor contesting an invoice), and a chargeback is won or lost.
-- 2. Each invoice an attempt pays keeps its planned part, and the attempt keeps where the
--    payer was sent (a provider's page) and the method the provider reports: a later report
--    (the payer back from that page, a provider's event) settles it as the debtor chose.
-- 3. A provider's reference finds its attempt.
ALTER TABLE payment_attempts DROP CONSTRAINT payment_attempts_state_check;
UPDATE payment_attempts SET state = 'chargeback' WHERE state = 'disputed';
ALTER TABLE payment_attempts ADD CONSTRAINT payment_attempts_state_check
    CHECK (state IN ('pending', 'requires_action', 'processing', 'succeeded', 'failed', 'canceled', 'refunded',
                     'chargeback', 'chargeback_won', 'chargeback_lost'));
ALTER TABLE payment_attempts ADD COLUMN method TEXT;
ALTER TABLE payment_attempts ADD COLUMN next_url TEXT;
-- The part of the attempt planned for this invoice (NULL before this migration: its balance
-- then).
ALTER TABLE payment_attempt_invoices ADD COLUMN amount_minor BIGINT CHECK (amount_minor > 0);
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
