-- `invoice.overdue` is emitted once when an invoice passes its due date with something open,
-- and again if it is reopened (a reversed payment) after being settled.
ALTER TABLE invoices ADD COLUMN overdue_notified_at BIGINT;
-- The hourly check reads only open invoices past due that have not been announced.
CREATE INDEX invoices_overdue_unannounced ON invoices (due_date) WHERE open_minor > 0 AND overdue_notified_at IS NULL;
