-- Mail about payments (issue 20): staff members' language, for the mail Kassa sends them (the
-- language they last signed in with), and the names of the files a caught message carried
-- (a receipt's PDF), one per line, for the mail catcher's page.
ALTER TABLE staff_users ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
ALTER TABLE caught_mail ADD COLUMN attachments TEXT NOT NULL DEFAULT '';
