-- Disputes (issue 21): a debtor contests a whole invoice or chosen lines, with a reason, the
-- amount they dispute (the lines' amounts by default, less if they say so) and a message.
-- While a dispute is not resolved, `invoices.disputed_minor` (the sum its open disputes hold)
-- takes that amount out of collection; the rest stays payable. Written in the transaction
-- that opens or resolves the dispute. `dispute_lines` names the lines by position; none: the
-- whole invoice. `dispute_messages` is the thread between the debtor and staff.
ALTER TABLE invoices ADD COLUMN disputed_minor BIGINT NOT NULL DEFAULT 0;

CREATE TABLE disputes (
    id              TEXT PRIMARY KEY,
    merchant_id     TEXT NOT NULL,
    customer_id     TEXT NOT NULL,
    invoice_id      TEXT NOT NULL,
    reason          TEXT NOT NULL CHECK (reason IN ('not_received', 'damaged', 'wrong_price_or_quantity',
                                                    'already_paid', 'other')),
    status          TEXT NOT NULL CHECK (status IN ('open', 'under_review', 'resolved')),
    currency        TEXT NOT NULL CHECK (length(currency) = 3),
    amount_minor    BIGINT NOT NULL CHECK (amount_minor > 0),
    outcome         TEXT CHECK (outcome IN ('credited_in_full', 'credited_in_part', 'rejected', 'adjusted')),
    idempotency_key TEXT NOT NULL,
    opened_by       TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    resolved_at     BIGINT,
    UNIQUE (merchant_id, idempotency_key),
    UNIQUE (merchant_id, id),
    FOREIGN KEY (merchant_id, customer_id) REFERENCES customers (merchant_id, id),
    FOREIGN KEY (merchant_id, invoice_id) REFERENCES invoices (merchant_id, id)
);
CREATE INDEX disputes_by_status ON disputes (merchant_id, status, created_at);
CREATE INDEX disputes_by_invoice ON disputes (merchant_id, invoice_id);

CREATE TABLE dispute_lines (
    merchant_id TEXT NOT NULL,
    dispute_id  TEXT NOT NULL,
    position    BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, dispute_id, position),
    FOREIGN KEY (merchant_id, dispute_id) REFERENCES disputes (merchant_id, id)
);

CREATE TABLE dispute_messages (
    id          TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL,
    dispute_id  TEXT NOT NULL,
    -- `debtor` or `staff`.
    author      TEXT NOT NULL CHECK (author IN ('debtor', 'staff')),
    -- The audit actor who wrote it (`debtor:...`, `staff:...`).
    written_by  TEXT NOT NULL,
    body        TEXT NOT NULL,
    -- Staff's notes to each other: never shown to the debtor.
    internal    BIGINT NOT NULL DEFAULT 0 CHECK (internal IN (0, 1)),
    created_at  BIGINT NOT NULL,
    FOREIGN KEY (merchant_id, dispute_id) REFERENCES disputes (merchant_id, id)
);
CREATE INDEX dispute_messages_by_dispute ON dispute_messages (merchant_id, dispute_id, created_at);
