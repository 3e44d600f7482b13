-- Direct debit for a plan's instalments (issue 21): the debtor signs a SEPA Direct Debit
-- mandate with the merchant's Stripe account on Kassa's form (a SetupIntent on a Stripe
-- Customer made for it; the IBAN goes from Stripe's fields to Stripe, never through Kassa).
-- Once set up (`active`), the plans job collects each instalment on its date from it: one
-- off-session payment attempt per instalment, under the key `plan-debit:{plan}:{seq}`.
-- One row per plan; setting up again after a failure or a stop starts a new setup (`id`) in
-- it.
CREATE TABLE plan_mandates (
    merchant_id       TEXT NOT NULL,
    plan_id           TEXT NOT NULL,
    id                TEXT NOT NULL,
    customer_id       TEXT NOT NULL,
    gateway           TEXT NOT NULL,
    mode              TEXT NOT NULL CHECK (mode IN ('test', 'live')),
    status            TEXT NOT NULL CHECK (status IN ('pending', 'active', 'failed', 'stopped')),
    setup_reference   TEXT,
    gateway_customer  TEXT,
    payment_method    TEXT,
    mandate_reference TEXT,
    last4             TEXT,
    failure_code      TEXT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, plan_id),
    UNIQUE (merchant_id, id),
    FOREIGN KEY (merchant_id, plan_id) REFERENCES payment_plans (merchant_id, id)
);
CREATE INDEX plan_mandates_by_setup ON plan_mandates (merchant_id, gateway, setup_reference);
