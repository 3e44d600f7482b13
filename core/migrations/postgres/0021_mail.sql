-- The mail catcher: outgoing mail kept per merchant (newest 200) when no SMTP server is
-- configured, for staff to read at /admin/mail.
CREATE TABLE caught_mail (
    id          TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants (id),
    recipient   TEXT NOT NULL,
    from_name   TEXT NOT NULL,
    subject     TEXT NOT NULL,
    text_body   TEXT NOT NULL,
    html_body   TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX caught_mail_by_merchant ON caught_mail (merchant_id, created_at);
