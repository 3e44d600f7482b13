-- Payment plans (issue 21): a debtor spreads what chosen invoices owe over instalments, within
-- the merchant's policy (`merchants.plan_policy`, JSON of `kassa_domain::plan::PlanPolicy`;
-- NULL: the default). Within policy a proposal is accepted at once when the policy says so;
-- otherwise staff approve or reject it. While a plan is active its invoices carry `plan_id`,
-- which holds them out of collection; the plans job marks it completed (all paid) or broken
-- (an instalment unpaid past the grace) and clears the hold. A fee or interest is an invoice
-- of its own (`charge_invoice_id`), made when the plan becomes active and covered by it.
-- `settled_before_minor` is what payments, credit notes and write-offs had settled of its
-- invoices when it became active: what was settled towards the plan since is the difference,
-- and `instalments_paid` how many instalments (in order) that covers, as the job last saw.
ALTER TABLE merchants ADD COLUMN plan_policy TEXT;
ALTER TABLE invoices ADD COLUMN plan_id TEXT;

CREATE TABLE payment_plans (
    id                TEXT PRIMARY KEY,
    merchant_id       TEXT NOT NULL,
    customer_id       TEXT NOT NULL,
    currency          TEXT NOT NULL CHECK (length(currency) = 3),
    principal_minor   BIGINT NOT NULL CHECK (principal_minor > 0),
    charge_minor      BIGINT NOT NULL CHECK (charge_minor >= 0),
    frequency         TEXT NOT NULL CHECK (frequency IN ('weekly', 'fortnightly', 'monthly')),
    start_date        TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('proposed', 'active', 'rejected', 'broken', 'completed')),
    -- The policy's rules the proposal broke (JSON list of `Breach`); empty: within policy.
    breaches          TEXT NOT NULL,
    grace_days        BIGINT NOT NULL,
    settled_before_minor BIGINT NOT NULL DEFAULT 0,
    instalments_paid  BIGINT NOT NULL DEFAULT 0,
    -- The last instalment (seq) the debtor was reminded of before its date.
    reminded_through  BIGINT NOT NULL DEFAULT 0,
    charge_invoice_id TEXT,
    idempotency_key   TEXT NOT NULL,
    proposed_by       TEXT NOT NULL,
    decided_by        TEXT,
    decision_reason   TEXT,
    created_at        BIGINT NOT NULL,
    decided_at        BIGINT,
    closed_at         BIGINT,
    UNIQUE (merchant_id, idempotency_key),
    UNIQUE (merchant_id, id),
    FOREIGN KEY (merchant_id, customer_id) REFERENCES customers (merchant_id, id)
);
CREATE INDEX payment_plans_by_status ON payment_plans (status, merchant_id, created_at);
CREATE INDEX payment_plans_by_customer ON payment_plans (merchant_id, customer_id, created_at);

CREATE TABLE plan_invoices (
    merchant_id  TEXT NOT NULL,
    plan_id      TEXT NOT NULL,
    invoice_id   TEXT NOT NULL,
    -- What the plan spreads of it: its collectable balance when proposed.
    amount_minor BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, plan_id, invoice_id),
    FOREIGN KEY (merchant_id, plan_id) REFERENCES payment_plans (merchant_id, id),
    FOREIGN KEY (merchant_id, invoice_id) REFERENCES invoices (merchant_id, id)
);
CREATE INDEX plan_invoices_by_invoice ON plan_invoices (merchant_id, invoice_id);

CREATE TABLE plan_instalments (
    merchant_id  TEXT NOT NULL,
    plan_id      TEXT NOT NULL,
    seq          BIGINT NOT NULL,
    due_date     TEXT NOT NULL,
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    PRIMARY KEY (merchant_id, plan_id, seq),
    FOREIGN KEY (merchant_id, plan_id) REFERENCES payment_plans (merchant_id, id)
);
