-- Merchants' Stripe accounts (issue 20): one per mode, so test keys and live keys sit side by
-- side and the merchant's mode picks one. The secret key and the webhook signing secret are
-- sealed (core/src/secrets.rs) under a key that is not in the database; `secret_key_hint`
-- (`sk_test_...4242`) is all that is ever shown again. `methods` lists the payment method
-- types to offer, comma-separated; empty: every method enabled in the Stripe Dashboard.
CREATE TABLE stripe_accounts (
    merchant_id      TEXT NOT NULL REFERENCES merchants (id),
    mode             TEXT NOT NULL CHECK (mode IN ('test', 'live')),
    secret_key       TEXT NOT NULL,
    secret_key_hint  TEXT NOT NULL,
    publishable_key  TEXT NOT NULL,
    webhook_secret   TEXT NOT NULL,
    methods          TEXT NOT NULL DEFAULT '',
    updated_at       BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, mode)
);
