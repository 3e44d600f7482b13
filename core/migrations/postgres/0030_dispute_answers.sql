-- Answering and resolving disputes (issue 21). Staff and the debtor write in the thread (the
-- same form sent twice writes once: `idempotency_key`, per merchant; `seq` orders a thread,
-- counted under the customer's lock, as several messages may share a second); staff's
-- internal notes stay in `dispute_messages` with `internal = 1`. A resolution records its
-- outcome (column from 0029), the credit note it issued, if any, and who resolved it.
ALTER TABLE disputes ADD COLUMN credit_note_id TEXT;
ALTER TABLE disputes ADD COLUMN resolved_by TEXT;
ALTER TABLE dispute_messages ADD COLUMN idempotency_key TEXT;
ALTER TABLE dispute_messages ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX dispute_messages_by_key ON dispute_messages (merchant_id, idempotency_key);
