-- What the portal shows a debtor, versioned (issue 19): a row per customer, and one per
-- merchant (customer_id '') for what every debtor of that merchant sees (its name, logo,
-- time zone, payment methods). The database itself moves a version on every change to a
-- table a portal page reads, so no code path can forget to: a page kept as rendered
-- (server/src/http/page_cache.rs) is served again only while both of its versions are what
-- they were when it was rendered. No row yet reads as no version, which the first change
-- makes 1. A change to a merchant's row moves its version even when it changed nothing a
-- debtor sees (the next payment reference, as each new invoice takes one): pages are then
-- rendered again, never shown stale.
--
-- The versions move at commit (deferred constraint triggers): a transaction takes a
-- version's row lock only at its end, after every lock its own statements took, so the
-- versions add no lock-order cycle with the customer lock the ledger takes first
-- (db::lock_customer) or the invoice rows a batch updates. A reader reads the versions
-- before the page's data, so a change committed in between makes the page's versions old,
-- never the page stale.
CREATE TABLE page_versions (
    merchant_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    version     BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, customer_id)
);

CREATE FUNCTION page_bump(m text, c text) RETURNS void LANGUAGE sql AS $$
    INSERT INTO page_versions (merchant_id, customer_id, version) VALUES (m, c, 1)
    ON CONFLICT (merchant_id, customer_id) DO UPDATE SET version = page_versions.version + 1
$$;

-- A row with merchant_id and customer_id: that customer (both, should a row move).
CREATE FUNCTION page_bump_customer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM page_bump(OLD.merchant_id, OLD.customer_id);
        RETURN NULL;
    END IF;
    PERFORM page_bump(NEW.merchant_id, NEW.customer_id);
    IF TG_OP = 'UPDATE' THEN
        IF (OLD.merchant_id, OLD.customer_id) IS DISTINCT FROM (NEW.merchant_id, NEW.customer_id) THEN
            PERFORM page_bump(OLD.merchant_id, OLD.customer_id);
        END IF;
    END IF;
    RETURN NULL;
END $$;

-- A customer's own record.
CREATE FUNCTION page_bump_self() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM page_bump(OLD.merchant_id, OLD.id);
    ELSE
        PERFORM page_bump(NEW.merchant_id, NEW.id);
    END IF;
    RETURN NULL;
END $$;

-- A row of an invoice, plan, promise or dispute (TG_ARGV: that table, the row's column
-- holding its id): the customer that one belongs to.
CREATE FUNCTION page_bump_via() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r jsonb;
BEGIN
    IF TG_OP = 'DELETE' THEN r := to_jsonb(OLD); ELSE r := to_jsonb(NEW); END IF;
    EXECUTE format('SELECT page_bump(merchant_id, customer_id) FROM %I WHERE id = $1', TG_ARGV[0])
        USING r ->> TG_ARGV[1];
    RETURN NULL;
END $$;

-- What every debtor of a merchant sees (TG_ARGV: the column holding the merchant's id).
CREATE FUNCTION page_bump_merchant() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r jsonb;
BEGIN
    IF TG_OP = 'DELETE' THEN r := to_jsonb(OLD); ELSE r := to_jsonb(NEW); END IF;
    PERFORM page_bump(r ->> TG_ARGV[0], '');
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER invoices_page AFTER INSERT OR UPDATE OR DELETE ON invoices
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_bump_customer();
CREATE CONSTRAINT TRIGGER payments_page AFTER INSERT OR UPDATE OR DELETE ON payments
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_bump_customer();
CREATE CONSTRAINT TRIGGER credit_notes_page AFTER INSERT OR UPDATE OR DELETE ON credit_notes
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_bump_customer();
CREATE CONSTRAINT TRIGGER applications_page AFTER INSERT OR UPDATE OR DELETE ON applications
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_bump_customer();
CREATE CONSTRAINT TRIGGER write_offs_page AFTER INSERT OR UPDATE OR DELETE ON write_offs
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_bump_customer();
CREATE CONSTRAINT TRIGGER refunds_page AFTER INSERT OR UPDATE OR DELETE ON refunds
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_bump_customer();
CREATE CONSTRAINT TRIGGER disputes_page AFTER INSERT OR UPDATE OR DELETE ON disputes
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_bump_customer();
CREATE CONSTRAINT TRIGGER promises_page AFTER INSERT OR UPDATE OR DELETE ON promises
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_bump_customer();
CREATE CONSTRAINT TRIGGER payment_plans_page AFTER INSERT OR UPDATE OR DELETE ON payment_plans
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_bump_customer();
CREATE CONSTRAINT TRIGGER plan_mandates_page AFTER INSERT OR UPDATE OR DELETE ON plan_mandates
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_bump_customer();
CREATE CONSTRAINT TRIGGER customers_page AFTER INSERT OR UPDATE OR DELETE ON customers
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_bump_self();
CREATE CONSTRAINT TRIGGER invoice_lines_page AFTER INSERT OR UPDATE OR DELETE ON invoice_lines
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_bump_via('invoices', 'invoice_id');
CREATE CONSTRAINT TRIGGER plan_invoices_page AFTER INSERT OR UPDATE OR DELETE ON plan_invoices
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_bump_via('payment_plans', 'plan_id');
CREATE CONSTRAINT TRIGGER plan_instalments_page AFTER INSERT OR UPDATE OR DELETE ON plan_instalments
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_bump_via('payment_plans', 'plan_id');
CREATE CONSTRAINT TRIGGER promise_invoices_page AFTER INSERT OR UPDATE OR DELETE ON promise_invoices
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_bump_via('promises', 'promise_id');
CREATE CONSTRAINT TRIGGER dispute_lines_page AFTER INSERT OR UPDATE OR DELETE ON dispute_lines
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_bump_via('disputes', 'dispute_id');
CREATE CONSTRAINT TRIGGER dispute_messages_page AFTER INSERT OR UPDATE OR DELETE ON dispute_messages
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_bump_via('disputes', 'dispute_id');
CREATE CONSTRAINT TRIGGER dispute_files_page AFTER INSERT OR UPDATE OR DELETE ON dispute_files
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_bump_via('disputes', 'dispute_id');
CREATE CONSTRAINT TRIGGER merchants_page AFTER INSERT OR UPDATE OR DELETE ON merchants
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_bump_merchant('id');
CREATE CONSTRAINT TRIGGER merchant_logos_page AFTER INSERT OR UPDATE OR DELETE ON merchant_logos
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_bump_merchant('merchant_id');
CREATE CONSTRAINT TRIGGER stripe_accounts_page AFTER INSERT OR UPDATE OR DELETE ON stripe_accounts
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_bump_merchant('merchant_id');
