-- Files a debtor attaches to a dispute (issue 21): PDF, JPEG or PNG, told apart by their
-- content, never by their name; at most a few megabytes each. Kept in the database, never
-- under the web root, and served only to the dispute's debtor and the merchant's staff, as a
-- download (`Content-Disposition: attachment`). `filename` is the name as sent, cleaned of
-- paths and control characters, for showing; `sha256` lets staff tell copies apart;
-- `position` keeps the order they were sent in.
CREATE TABLE dispute_files (
    id           TEXT PRIMARY KEY,
    merchant_id  TEXT NOT NULL,
    dispute_id   TEXT NOT NULL,
    position     BIGINT NOT NULL,
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    size_bytes   BIGINT NOT NULL CHECK (size_bytes > 0),
    sha256       TEXT NOT NULL,
    content      BYTEA NOT NULL,
    uploaded_by  TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    FOREIGN KEY (merchant_id, dispute_id) REFERENCES disputes (merchant_id, id)
);
CREATE INDEX dispute_files_by_dispute ON dispute_files (merchant_id, dispute_id, position);
