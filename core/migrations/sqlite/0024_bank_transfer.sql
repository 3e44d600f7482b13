-- Bank transfer (issue 20): where a merchant's debtors send money, and which structured
-- reference its invoices carry (domain/src/reference.rs). `next_reference` numbers the
-- references Kassa makes, per merchant; an invoice that came with a reference (an import, the
-- API) keeps it.
ALTER TABLE merchants ADD COLUMN bank_account_name TEXT;
ALTER TABLE merchants ADD COLUMN bank_iban TEXT;
ALTER TABLE merchants ADD COLUMN bank_bic TEXT;
ALTER TABLE merchants ADD COLUMN reference_scheme TEXT NOT NULL DEFAULT 'rf'
    CHECK (reference_scheme IN ('rf', 'nl_betalingskenmerk', 'be_structured', 'dk_fik71'));
-- The Danish FI creditor number (8 digits) for +71 code lines.
ALTER TABLE merchants ADD COLUMN fik_creditor TEXT;
ALTER TABLE merchants ADD COLUMN next_reference BIGINT NOT NULL DEFAULT 1;
