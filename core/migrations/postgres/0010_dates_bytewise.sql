-- Invoice dates are ISO 8601 text (YYYY-MM-DD), whose byte order is their date order. Under
-- the cluster's locale every `<` or `>=` on them went through the locale's collation, which
-- dominated the aging report's scan (measured by bench/aging: 2.7x a raw scan before, see
-- docs/measurements.md). Byte-wise ("C") comparison orders them the same and costs a memcmp.
-- The indexes on these columns are rebuilt with them.
ALTER TABLE invoices ALTER COLUMN due_date TYPE TEXT COLLATE "C";
ALTER TABLE invoices ALTER COLUMN issue_date TYPE TEXT COLLATE "C";
