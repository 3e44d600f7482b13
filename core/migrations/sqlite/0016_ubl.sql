-- How an invoice is paid by bank transfer, as the merchant's invoice says (UBL PaymentMeans):
-- the reference the debtor quotes, and the account (IBAN, electronic form) paid into.
ALTER TABLE invoices ADD COLUMN payment_reference TEXT;
ALTER TABLE invoices ADD COLUMN payee_iban TEXT;

-- How many files an import was sent (the first one names it).
ALTER TABLE imports ADD COLUMN files BIGINT NOT NULL DEFAULT 1;

-- The files of an import sent through the API (one CSV, or many UBL documents, or a zip
-- archive of them), kept until the import job has run them.
CREATE TABLE import_files (
    import_id TEXT NOT NULL REFERENCES imports (id),
    position  BIGINT NOT NULL,
    filename  TEXT NOT NULL,
    content   BLOB NOT NULL,
    PRIMARY KEY (import_id, position)
);
INSERT INTO import_files (import_id, position, filename, content)
    SELECT id, 0, filename, content FROM imports WHERE content IS NOT NULL;
UPDATE imports SET content = NULL;
