-- Each invoice's open balance, kept beside the ledger entries it is derived from: updated in
-- the same transaction as every application and write-off, and compared with the ledger on
-- every load (a difference stops the change as a corrupt ledger). Lists, aging and the
-- dashboard read it in one scan instead of summing the ledger per invoice.
ALTER TABLE invoices ADD COLUMN open_minor BIGINT NOT NULL DEFAULT 0;
UPDATE invoices SET open_minor = total_minor
    - COALESCE((SELECT SUM(a.amount_minor) FROM applications a
                WHERE a.merchant_id = invoices.merchant_id AND a.invoice_id = invoices.id), 0)
    - COALESCE((SELECT SUM(w.amount_minor) FROM write_offs w
                WHERE w.merchant_id = invoices.merchant_id AND w.invoice_id = invoices.id), 0);
-- Aging reads only open invoices, by merchant, currency and due date, from this index alone
-- (invoices that are settled, most of them in a merchant's history, are not in it).
CREATE INDEX invoices_open_by_due ON invoices (merchant_id, currency, due_date, open_minor) WHERE open_minor > 0;
-- One customer's ledger without scanning every payment and credit note.
CREATE INDEX payments_by_customer ON payments (merchant_id, customer_id);
CREATE INDEX credit_notes_by_customer ON credit_notes (merchant_id, customer_id);
