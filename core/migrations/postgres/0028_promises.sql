-- Promises to pay (issue 21): a debtor promises to pay (part of) what chosen invoices owe by
-- a date within the merchant's window. While a promise is open its invoices carry
-- `promised_until` (its date plus the merchant's grace), which holds them out of collection;
-- the promises job marks it kept (paid in time) or broken and clears the hold. An invoice is
-- in at most one open promise. `paid_before_minor` is what payments had applied to its
-- invoices when it was made: what was paid since is the difference.
ALTER TABLE merchants ADD COLUMN promise_window_days INTEGER NOT NULL DEFAULT 30;
ALTER TABLE merchants ADD COLUMN promise_grace_days INTEGER NOT NULL DEFAULT 3;
ALTER TABLE invoices ADD COLUMN promised_until TEXT;

CREATE TABLE promises (
    id                TEXT PRIMARY KEY,
    merchant_id       TEXT NOT NULL,
    customer_id       TEXT NOT NULL,
    currency          TEXT NOT NULL CHECK (length(currency) = 3),
    amount_minor      BIGINT NOT NULL CHECK (amount_minor > 0),
    promised_date     TEXT NOT NULL,
    pause_until       TEXT NOT NULL,
    state             TEXT NOT NULL CHECK (state IN ('open', 'kept', 'broken')),
    paid_before_minor BIGINT NOT NULL,
    idempotency_key   TEXT NOT NULL,
    made_by           TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    closed_at         BIGINT,
    UNIQUE (merchant_id, idempotency_key),
    UNIQUE (merchant_id, id),
    FOREIGN KEY (merchant_id, customer_id) REFERENCES customers (merchant_id, id)
);
CREATE INDEX promises_open_by_pause ON promises (state, pause_until);
CREATE INDEX promises_by_customer ON promises (merchant_id, customer_id, created_at);

CREATE TABLE promise_invoices (
    merchant_id TEXT NOT NULL,
    promise_id  TEXT NOT NULL,
    invoice_id  TEXT NOT NULL,
    PRIMARY KEY (merchant_id, promise_id, invoice_id),
    FOREIGN KEY (merchant_id, promise_id) REFERENCES promises (merchant_id, id),
    FOREIGN KEY (merchant_id, invoice_id) REFERENCES invoices (merchant_id, id)
);
CREATE INDEX promise_invoices_by_invoice ON promise_invoices (merchant_id, invoice_id);
