-- Widget tokens (issue 22): the longest a merchant lets a site's pay button stay valid, in
-- days (1 to 90, Kassa's own cap). Email tokens do not expire and are not capped.
ALTER TABLE merchants ADD COLUMN widget_max_days INTEGER NOT NULL DEFAULT 90;
