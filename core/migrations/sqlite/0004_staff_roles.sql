-- Staff members have a role: admin (everything), collector (works the ledger), viewer (reads).
-- Everyone who existed before roles keeps full rights.
ALTER TABLE staff_users ADD COLUMN role TEXT NOT NULL DEFAULT 'admin' CHECK (role IN ('admin', 'collector', 'viewer'));
