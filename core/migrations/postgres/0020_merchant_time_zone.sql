-- Each merchant's time zone (IANA name): its "today" decides what is due and overdue, and its
-- local times are what pages show. Checked by the service (jiff's bundled database).
ALTER TABLE merchants ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'Europe/Amsterdam';
