-- Kassa's first schema. Every row carries its merchant (tenant); child tables reference their
-- parent through (merchant_id, id) so a row can never point into another merchant's data.
-- Timestamps are unix seconds (INTEGER), calendar dates ISO text (YYYY-MM-DD), money integer
-- minor units with an ISO 4217 code beside it.

CREATE TABLE merchants (
    id          TEXT PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    brand_color TEXT NOT NULL,
    logo_url    TEXT,
    created_at  INTEGER NOT NULL
);

CREATE TABLE customers (
    id          TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    number      TEXT NOT NULL,
    name        TEXT NOT NULL,
    email       TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (merchant_id, number),
    UNIQUE (merchant_id, id)
);

CREATE TABLE invoices (
    id          TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    customer_id TEXT NOT NULL,
    number      TEXT NOT NULL,
    currency    TEXT NOT NULL CHECK (length(currency) = 3),
    issue_date  TEXT NOT NULL,
    due_date    TEXT NOT NULL,
    total_minor INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    UNIQUE (merchant_id, number),
    UNIQUE (merchant_id, id),
    FOREIGN KEY (merchant_id, customer_id) REFERENCES customers (merchant_id, id)
);
CREATE INDEX invoices_by_customer ON invoices (merchant_id, customer_id, due_date);

CREATE TABLE invoice_lines (
    id               TEXT PRIMARY KEY,
    merchant_id      TEXT NOT NULL,
    invoice_id       TEXT NOT NULL,
    position         INTEGER NOT NULL,
    description      TEXT NOT NULL,
    quantity         TEXT NOT NULL,
    unit_price_minor INTEGER NOT NULL,
    amount_minor     INTEGER NOT NULL,
    UNIQUE (invoice_id, position),
    FOREIGN KEY (merchant_id, invoice_id) REFERENCES invoices (merchant_id, id)
);

CREATE TABLE payments (
    id                TEXT PRIMARY KEY,
    merchant_id       TEXT NOT NULL,
    customer_id       TEXT NOT NULL,
    currency          TEXT NOT NULL CHECK (length(currency) = 3),
    amount_minor      INTEGER NOT NULL CHECK (amount_minor > 0),
    -- Cash received that settles no invoice (a concurrent payment got there first): kept.
    unapplied_minor   INTEGER NOT NULL DEFAULT 0 CHECK (unapplied_minor >= 0),
    method            TEXT NOT NULL,
    gateway           TEXT NOT NULL,
    gateway_reference TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('succeeded', 'declined')),
    failure_reason    TEXT,
    idempotency_key   TEXT NOT NULL,
    created_at        INTEGER NOT NULL,
    UNIQUE (merchant_id, idempotency_key),
    UNIQUE (merchant_id, id),
    FOREIGN KEY (merchant_id, customer_id) REFERENCES customers (merchant_id, id)
);

CREATE TABLE allocations (
    id           TEXT PRIMARY KEY,
    merchant_id  TEXT NOT NULL,
    payment_id   TEXT NOT NULL,
    invoice_id   TEXT NOT NULL,
    amount_minor INTEGER NOT NULL CHECK (amount_minor > 0),
    created_at   INTEGER NOT NULL,
    FOREIGN KEY (merchant_id, payment_id) REFERENCES payments (merchant_id, id),
    FOREIGN KEY (merchant_id, invoice_id) REFERENCES invoices (merchant_id, id)
);
CREATE INDEX allocations_by_invoice ON allocations (merchant_id, invoice_id);
CREATE INDEX allocations_by_payment ON allocations (merchant_id, payment_id);

-- Only a SHA-256 of the token is stored: a leaked database does not sign anyone in.
CREATE TABLE magic_links (
    token_hash  TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER,
    created_at  INTEGER NOT NULL,
    FOREIGN KEY (merchant_id, customer_id) REFERENCES customers (merchant_id, id)
);

CREATE TABLE staff_users (
    id            TEXT PRIMARY KEY,
    merchant_id   TEXT NOT NULL REFERENCES merchants (id),
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);

-- Secrets the instance generates for itself on first start (the widget-token signing key),
-- unless configured; kept here so every process and every restart agrees on them.
CREATE TABLE instance_secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
