-- Each merchant has one owner among its staff: an admin who also makes and unmakes admins and
-- hands the ownership on. The earliest admin of each merchant becomes its owner.
ALTER TABLE merchants ADD COLUMN owner_staff_id TEXT REFERENCES staff_users (id);
UPDATE merchants SET owner_staff_id = (
    SELECT s.id FROM staff_users s WHERE s.merchant_id = merchants.id AND s.role = 'admin'
    ORDER BY s.created_at, s.id LIMIT 1
);

-- What an API key may do besides reading: `write` (records and money), `settings` (webhook
-- endpoints, jobs). Keys made before scopes keep everything they could do.
ALTER TABLE api_keys ADD COLUMN scopes TEXT NOT NULL DEFAULT 'read write settings';
