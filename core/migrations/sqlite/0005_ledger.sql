-- The full ledger. Value reaches invoices through `applications`, from a payment or a credit
-- note; a negative application undoes an earlier one (a reversed payment). Balances are
-- derived: an invoice's open balance is its total minus its applications minus its
-- write-offs; a source's unapplied credit is its amount minus its applications.

CREATE TABLE credit_notes (
    id          TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    number      TEXT NOT NULL,
    currency    TEXT NOT NULL CHECK (length(currency) = 3),
    amount_minor BIGINT NOT NULL CHECK (amount_minor > 0),
    -- The invoice it was issued against, if any (it may also be held as credit).
    invoice_id  TEXT,
    reason      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    UNIQUE (merchant_id, number),
    UNIQUE (merchant_id, id),
    FOREIGN KEY (merchant_id, customer_id) REFERENCES customers (merchant_id, id),
    FOREIGN KEY (merchant_id, invoice_id) REFERENCES invoices (merchant_id, id)
);

CREATE TABLE applications (
    id             TEXT PRIMARY KEY,
    merchant_id    TEXT NOT NULL,
    customer_id    TEXT NOT NULL,
    invoice_id     TEXT NOT NULL,
    currency       TEXT NOT NULL CHECK (length(currency) = 3),
    payment_id     TEXT,
    credit_note_id TEXT,
    amount_minor   BIGINT NOT NULL CHECK (amount_minor <> 0),
    created_at     BIGINT NOT NULL,
    CHECK ((payment_id IS NULL) <> (credit_note_id IS NULL)),
    FOREIGN KEY (merchant_id, customer_id) REFERENCES customers (merchant_id, id),
    FOREIGN KEY (merchant_id, invoice_id) REFERENCES invoices (merchant_id, id),
    FOREIGN KEY (merchant_id, payment_id) REFERENCES payments (merchant_id, id),
    FOREIGN KEY (merchant_id, credit_note_id) REFERENCES credit_notes (merchant_id, id)
);
CREATE INDEX applications_by_invoice ON applications (merchant_id, invoice_id);
CREATE INDEX applications_by_payment ON applications (merchant_id, payment_id);
CREATE INDEX applications_by_customer ON applications (merchant_id, customer_id);

INSERT INTO applications (id, merchant_id, customer_id, invoice_id, currency, payment_id, amount_minor, created_at)
SELECT a.id, a.merchant_id, p.customer_id, a.invoice_id, p.currency, a.payment_id, a.amount_minor, a.created_at
FROM allocations a JOIN payments p ON p.merchant_id = a.merchant_id AND p.id = a.payment_id;
DROP TABLE allocations;

-- Write-offs: part of an invoice the merchant no longer asks for, with a reason. A short
-- payment's write-off names the payment; reversing the payment adds the negative.
CREATE TABLE write_offs (
    id           TEXT PRIMARY KEY,
    merchant_id  TEXT NOT NULL,
    customer_id  TEXT NOT NULL,
    invoice_id   TEXT NOT NULL,
    currency     TEXT NOT NULL CHECK (length(currency) = 3),
    amount_minor BIGINT NOT NULL CHECK (amount_minor <> 0),
    reason       TEXT NOT NULL CHECK (reason IN ('short_payment', 'bad_debt', 'small_balance', 'other')),
    payment_id   TEXT,
    note         TEXT,
    created_at   BIGINT NOT NULL,
    FOREIGN KEY (merchant_id, customer_id) REFERENCES customers (merchant_id, id),
    FOREIGN KEY (merchant_id, invoice_id) REFERENCES invoices (merchant_id, id),
    FOREIGN KEY (merchant_id, payment_id) REFERENCES payments (merchant_id, id)
);
CREATE INDEX write_offs_by_invoice ON write_offs (merchant_id, invoice_id);
CREATE INDEX write_offs_by_customer ON write_offs (merchant_id, customer_id);

-- A chargeback or failed direct debit reverses a payment; what it paid is owed again.
ALTER TABLE payments ADD COLUMN reversed_at BIGINT;
ALTER TABLE payments ADD COLUMN reversal_reason TEXT;

-- What a payment may fall short of an invoice and still settle it (the rest written off).
ALTER TABLE merchants ADD COLUMN short_payment_tolerance_minor BIGINT NOT NULL DEFAULT 0;
