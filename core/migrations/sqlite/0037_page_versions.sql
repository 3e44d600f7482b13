-- What the portal shows a debtor, versioned (issue 19): a row per customer, and one per
-- merchant (customer_id '') for what every debtor of that merchant sees (its name, logo,
-- time zone, payment methods). The database itself moves a version on every change to a
-- table a portal page reads, so no code path can forget to: a page kept as rendered
-- (server/src/http/page_cache.rs) is served again only while both of its versions are what
-- they were when it was rendered. No row yet reads as no version, which the first change
-- makes 1. A change to a merchant's row moves its version even when it changed nothing a
-- debtor sees (the next payment reference, as each new invoice takes one): pages are then
-- rendered again, never shown stale.
CREATE TABLE page_versions (
    merchant_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    version     INTEGER NOT NULL,
    PRIMARY KEY (merchant_id, customer_id)
);

-- Tables with the customer on each row.
CREATE TRIGGER invoices_page_insert AFTER INSERT ON invoices
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (NEW.merchant_id, NEW.customer_id, 1) ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;
CREATE TRIGGER invoices_page_update AFTER UPDATE ON invoices
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (NEW.merchant_id, NEW.customer_id, 1) ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1;
  UPDATE page_versions SET version = version + 1 WHERE merchant_id = OLD.merchant_id AND customer_id = OLD.customer_id
    AND (OLD.merchant_id, OLD.customer_id) IS NOT (NEW.merchant_id, NEW.customer_id); END;
CREATE TRIGGER invoices_page_delete AFTER DELETE ON invoices
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (OLD.merchant_id, OLD.customer_id, 1) ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;

CREATE TRIGGER payments_page_insert AFTER INSERT ON payments
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (NEW.merchant_id, NEW.customer_id, 1) ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;
CREATE TRIGGER payments_page_update AFTER UPDATE ON payments
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (NEW.merchant_id, NEW.customer_id, 1) ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1;
  UPDATE page_versions SET version = version + 1 WHERE merchant_id = OLD.merchant_id AND customer_id = OLD.customer_id
    AND (OLD.merchant_id, OLD.customer_id) IS NOT (NEW.merchant_id, NEW.customer_id); END;
CREATE TRIGGER payments_page_delete AFTER DELETE ON payments
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (OLD.merchant_id, OLD.customer_id, 1) ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;

CREATE TRIGGER credit_notes_page_insert AFTER INSERT ON credit_notes
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (NEW.merchant_id, NEW.customer_id, 1) ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;
CREATE TRIGGER credit_notes_page_update AFTER UPDATE ON credit_notes
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (NEW.merchant_id, NEW.customer_id, 1) ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1;
  UPDATE page_versions SET version = version + 1 WHERE merchant_id = OLD.merchant_id AND customer_id = OLD.customer_id
    AND (OLD.merchant_id, OLD.customer_id) IS NOT (NEW.merchant_id, NEW.customer_id); END;
CREATE TRIGGER credit_notes_page_delete AFTER DELETE ON credit_notes
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (OLD.merchant_id, OLD.customer_id, 1) ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;

CREATE TRIGGER applications_page_insert AFTER INSERT ON applications
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (NEW.merchant_id, NEW.customer_id, 1) ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;
CREATE TRIGGER applications_page_update AFTER UPDATE ON applications
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (NEW.merchant_id, NEW.customer_id, 1) ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1;
  UPDATE page_versions SET version = version + 1 WHERE merchant_id = OLD.merchant_id AND customer_id = OLD.customer_id
    AND (OLD.merchant_id, OLD.customer_id) IS NOT (NEW.merchant_id, NEW.customer_id); END;
CREATE TRIGGER applications_page_delete AFTER DELETE ON applications
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (OLD.merchant_id, OLD.customer_id, 1) ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;

CREATE TRIGGER write_offs_page_insert AFTER INSERT ON write_offs
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (NEW.merchant_id, NEW.customer_id, 1) ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;
CREATE TRIGGER write_offs_page_update AFTER UPDATE ON write_offs
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (NEW.merchant_id, NEW.customer_id, 1) ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1;
  UPDATE page_versions SET version = version + 1 WHERE merchant_id = OLD.merchant_id AND customer_id = OLD.customer_id
    AND (OLD.merchant_id, OLD.customer_id) IS NOT (NEW.merchant_id, NEW.customer_id); END;
CREATE TRIGGER write_offs_page_delete AFTER DELETE ON write_offs
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (OLD.merchant_id, OLD.customer_id, 1) ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;

CREATE TRIGGER refunds_page_insert AFTER INSERT ON refunds
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (NEW.merchant_id, NEW.customer_id, 1) ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;
CREATE TRIGGER refunds_page_update AFTER UPDATE ON refunds
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (NEW.merchant_id, NEW.customer_id, 1) ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1;
  UPDATE page_versions SET version = version + 1 WHERE merchant_id = OLD.merchant_id AND customer_id = OLD.customer_id
    AND (OLD.merchant_id, OLD.customer_id) IS NOT (NEW.merchant_id, NEW.customer_id); END;
CREATE TRIGGER refunds_page_delete AFTER DELETE ON refunds
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (OLD.merchant_id, OLD.customer_id, 1) ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;

CREATE TRIGGER disputes_page_insert AFTER INSERT ON disputes
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (NEW.merchant_id, NEW.customer_id, 1) ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;
CREATE TRIGGER disputes_page_update AFTER UPDATE ON disputes
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (NEW.merchant_id, NEW.customer_id, 1) ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1;
  UPDATE page_versions SET version = version + 1 WHERE merchant_id = OLD.merchant_id AND customer_id = OLD.customer_id
    AND (OLD.merchant_id, OLD.customer_id) IS NOT (NEW.merchant_id, NEW.customer_id); END;
CREATE TRIGGER disputes_page_delete AFTER DELETE ON disputes
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (OLD.merchant_id, OLD.customer_id, 1) ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;

CREATE TRIGGER promises_page_insert AFTER INSERT ON promises
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (NEW.merchant_id, NEW.customer_id, 1) ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;
CREATE TRIGGER promises_page_update AFTER UPDATE ON promises
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (NEW.merchant_id, NEW.customer_id, 1) ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1;
  UPDATE page_versions SET version = version + 1 WHERE merchant_id = OLD.merchant_id AND customer_id = OLD.customer_id
    AND (OLD.merchant_id, OLD.customer_id) IS NOT (NEW.merchant_id, NEW.customer_id); END;
CREATE TRIGGER promises_page_delete AFTER DELETE ON promises
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (OLD.merchant_id, OLD.customer_id, 1) ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;

CREATE TRIGGER payment_plans_page_insert AFTER INSERT ON payment_plans
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (NEW.merchant_id, NEW.customer_id, 1) ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;
CREATE TRIGGER payment_plans_page_update AFTER UPDATE ON payment_plans
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (NEW.merchant_id, NEW.customer_id, 1) ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1;
  UPDATE page_versions SET version = version + 1 WHERE merchant_id = OLD.merchant_id AND customer_id = OLD.customer_id
    AND (OLD.merchant_id, OLD.customer_id) IS NOT (NEW.merchant_id, NEW.customer_id); END;
CREATE TRIGGER payment_plans_page_delete AFTER DELETE ON payment_plans
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (OLD.merchant_id, OLD.customer_id, 1) ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;

CREATE TRIGGER plan_mandates_page_insert AFTER INSERT ON plan_mandates
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (NEW.merchant_id, NEW.customer_id, 1) ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;
CREATE TRIGGER plan_mandates_page_update AFTER UPDATE ON plan_mandates
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (NEW.merchant_id, NEW.customer_id, 1) ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1;
  UPDATE page_versions SET version = version + 1 WHERE merchant_id = OLD.merchant_id AND customer_id = OLD.customer_id
    AND (OLD.merchant_id, OLD.customer_id) IS NOT (NEW.merchant_id, NEW.customer_id); END;
CREATE TRIGGER plan_mandates_page_delete AFTER DELETE ON plan_mandates
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (OLD.merchant_id, OLD.customer_id, 1) ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;

-- A customer's own record (their name, language).
CREATE TRIGGER customers_page_insert AFTER INSERT ON customers
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (NEW.merchant_id, NEW.id, 1) ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;
CREATE TRIGGER customers_page_update AFTER UPDATE ON customers
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (NEW.merchant_id, NEW.id, 1) ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;
CREATE TRIGGER customers_page_delete AFTER DELETE ON customers
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (OLD.merchant_id, OLD.id, 1) ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;

-- Tables whose rows belong to a customer's invoice, plan, promise or dispute.
CREATE TRIGGER invoice_lines_page_insert AFTER INSERT ON invoice_lines
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) SELECT merchant_id, customer_id, 1 FROM invoices WHERE id = NEW.invoice_id ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;
CREATE TRIGGER invoice_lines_page_update AFTER UPDATE ON invoice_lines
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) SELECT merchant_id, customer_id, 1 FROM invoices WHERE id = NEW.invoice_id ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;
CREATE TRIGGER invoice_lines_page_delete AFTER DELETE ON invoice_lines
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) SELECT merchant_id, customer_id, 1 FROM invoices WHERE id = OLD.invoice_id ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;

CREATE TRIGGER plan_invoices_page_insert AFTER INSERT ON plan_invoices
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) SELECT merchant_id, customer_id, 1 FROM payment_plans WHERE id = NEW.plan_id ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;
CREATE TRIGGER plan_invoices_page_update AFTER UPDATE ON plan_invoices
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) SELECT merchant_id, customer_id, 1 FROM payment_plans WHERE id = NEW.plan_id ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;
CREATE TRIGGER plan_invoices_page_delete AFTER DELETE ON plan_invoices
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) SELECT merchant_id, customer_id, 1 FROM payment_plans WHERE id = OLD.plan_id ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;

CREATE TRIGGER plan_instalments_page_insert AFTER INSERT ON plan_instalments
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) SELECT merchant_id, customer_id, 1 FROM payment_plans WHERE id = NEW.plan_id ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;
CREATE TRIGGER plan_instalments_page_update AFTER UPDATE ON plan_instalments
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) SELECT merchant_id, customer_id, 1 FROM payment_plans WHERE id = NEW.plan_id ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;
CREATE TRIGGER plan_instalments_page_delete AFTER DELETE ON plan_instalments
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) SELECT merchant_id, customer_id, 1 FROM payment_plans WHERE id = OLD.plan_id ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;

CREATE TRIGGER promise_invoices_page_insert AFTER INSERT ON promise_invoices
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) SELECT merchant_id, customer_id, 1 FROM promises WHERE id = NEW.promise_id ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;
CREATE TRIGGER promise_invoices_page_update AFTER UPDATE ON promise_invoices
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) SELECT merchant_id, customer_id, 1 FROM promises WHERE id = NEW.promise_id ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;
CREATE TRIGGER promise_invoices_page_delete AFTER DELETE ON promise_invoices
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) SELECT merchant_id, customer_id, 1 FROM promises WHERE id = OLD.promise_id ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;

CREATE TRIGGER dispute_lines_page_insert AFTER INSERT ON dispute_lines
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) SELECT merchant_id, customer_id, 1 FROM disputes WHERE id = NEW.dispute_id ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;
CREATE TRIGGER dispute_lines_page_update AFTER UPDATE ON dispute_lines
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) SELECT merchant_id, customer_id, 1 FROM disputes WHERE id = NEW.dispute_id ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;
CREATE TRIGGER dispute_lines_page_delete AFTER DELETE ON dispute_lines
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) SELECT merchant_id, customer_id, 1 FROM disputes WHERE id = OLD.dispute_id ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;

CREATE TRIGGER dispute_messages_page_insert AFTER INSERT ON dispute_messages
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) SELECT merchant_id, customer_id, 1 FROM disputes WHERE id = NEW.dispute_id ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;
CREATE TRIGGER dispute_messages_page_update AFTER UPDATE ON dispute_messages
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) SELECT merchant_id, customer_id, 1 FROM disputes WHERE id = NEW.dispute_id ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;
CREATE TRIGGER dispute_messages_page_delete AFTER DELETE ON dispute_messages
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) SELECT merchant_id, customer_id, 1 FROM disputes WHERE id = OLD.dispute_id ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;

CREATE TRIGGER dispute_files_page_insert AFTER INSERT ON dispute_files
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) SELECT merchant_id, customer_id, 1 FROM disputes WHERE id = NEW.dispute_id ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;
CREATE TRIGGER dispute_files_page_update AFTER UPDATE ON dispute_files
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) SELECT merchant_id, customer_id, 1 FROM disputes WHERE id = NEW.dispute_id ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;
CREATE TRIGGER dispute_files_page_delete AFTER DELETE ON dispute_files
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) SELECT merchant_id, customer_id, 1 FROM disputes WHERE id = OLD.dispute_id ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;

-- What every debtor of a merchant sees.
CREATE TRIGGER merchants_page_insert AFTER INSERT ON merchants
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (NEW.id, '', 1) ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;
CREATE TRIGGER merchants_page_update AFTER UPDATE ON merchants
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (NEW.id, '', 1) ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;
CREATE TRIGGER merchants_page_delete AFTER DELETE ON merchants
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (OLD.id, '', 1) ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;

CREATE TRIGGER merchant_logos_page_insert AFTER INSERT ON merchant_logos
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (NEW.merchant_id, '', 1) ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;
CREATE TRIGGER merchant_logos_page_update AFTER UPDATE ON merchant_logos
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (NEW.merchant_id, '', 1) ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;
CREATE TRIGGER merchant_logos_page_delete AFTER DELETE ON merchant_logos
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (OLD.merchant_id, '', 1) ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;

CREATE TRIGGER stripe_accounts_page_insert AFTER INSERT ON stripe_accounts
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (NEW.merchant_id, '', 1) ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;
CREATE TRIGGER stripe_accounts_page_update AFTER UPDATE ON stripe_accounts
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (NEW.merchant_id, '', 1) ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;
CREATE TRIGGER stripe_accounts_page_delete AFTER DELETE ON stripe_accounts
BEGIN INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (OLD.merchant_id, '', 1) ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = version + 1; END;
