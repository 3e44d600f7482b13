-- The page versions' triggers for child rows and the merchant's tables (0037) without JSON or
-- dynamic SQL. 0037's page_bump_via turned each row into JSON to read its parent's id and ran
-- a query built per row (EXECUTE format(...)), and page_bump_merchant turned the row into
-- JSON to read its merchant's id: a dispute's uploaded file or a merchant's logo (bytea,
-- megabytes) was rendered to hex once per write, and each invoice line cost a query plan.
-- Here each parent has its own function with one plain statement, planned once per session.
-- What moves which version is unchanged.

-- A row of an invoice, a plan, a promise or a dispute: the customer that one belongs to.
CREATE FUNCTION page_bump_invoice_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM page_bump(p.merchant_id, p.customer_id) FROM invoices p WHERE p.id = OLD.invoice_id;
    ELSE
        PERFORM page_bump(p.merchant_id, p.customer_id) FROM invoices p WHERE p.id = NEW.invoice_id;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION page_bump_plan_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM page_bump(p.merchant_id, p.customer_id) FROM payment_plans p WHERE p.id = OLD.plan_id;
    ELSE
        PERFORM page_bump(p.merchant_id, p.customer_id) FROM payment_plans p WHERE p.id = NEW.plan_id;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION page_bump_promise_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM page_bump(p.merchant_id, p.customer_id) FROM promises p WHERE p.id = OLD.promise_id;
    ELSE
        PERFORM page_bump(p.merchant_id, p.customer_id) FROM promises p WHERE p.id = NEW.promise_id;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION page_bump_dispute_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM page_bump(p.merchant_id, p.customer_id) FROM disputes p WHERE p.id = OLD.dispute_id;
    ELSE
        PERFORM page_bump(p.merchant_id, p.customer_id) FROM disputes p WHERE p.id = NEW.dispute_id;
    END IF;
    RETURN NULL;
END $$;

-- What every debtor of a merchant sees: the merchant's row, and rows with its merchant_id.
CREATE FUNCTION page_bump_merchant_self() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN PERFORM page_bump(OLD.id, ''); ELSE PERFORM page_bump(NEW.id, ''); END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION page_bump_merchant_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN PERFORM page_bump(OLD.merchant_id, ''); ELSE PERFORM page_bump(NEW.merchant_id, ''); END IF;
    RETURN NULL;
END $$;

DROP TRIGGER invoice_lines_page ON invoice_lines;
DROP TRIGGER plan_invoices_page ON plan_invoices;
DROP TRIGGER plan_instalments_page ON plan_instalments;
DROP TRIGGER promise_invoices_page ON promise_invoices;
DROP TRIGGER dispute_lines_page ON dispute_lines;
DROP TRIGGER dispute_messages_page ON dispute_messages;
DROP TRIGGER dispute_files_page ON dispute_files;
DROP TRIGGER merchants_page ON merchants;
DROP TRIGGER merchant_logos_page ON merchant_logos;
DROP TRIGGER stripe_accounts_page ON stripe_accounts;
DROP FUNCTION page_bump_via();
DROP FUNCTION page_bump_merchant();

CREATE CONSTRAINT TRIGGER invoice_lines_page AFTER INSERT OR UPDATE OR DELETE ON invoice_lines
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_bump_invoice_row();
CREATE CONSTRAINT TRIGGER plan_invoices_page AFTER INSERT OR UPDATE OR DELETE ON plan_invoices
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_bump_plan_row();
CREATE CONSTRAINT TRIGGER plan_instalments_page AFTER INSERT OR UPDATE OR DELETE ON plan_instalments
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_bump_plan_row();
CREATE CONSTRAINT TRIGGER promise_invoices_page AFTER INSERT OR UPDATE OR DELETE ON promise_invoices
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_bump_promise_row();
CREATE CONSTRAINT TRIGGER dispute_lines_page AFTER INSERT OR UPDATE OR DELETE ON dispute_lines
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_bump_dispute_row();
CREATE CONSTRAINT TRIGGER dispute_messages_page AFTER INSERT OR UPDATE OR DELETE ON dispute_messages
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_bump_dispute_row();
CREATE CONSTRAINT TRIGGER dispute_files_page AFTER INSERT OR UPDATE OR DELETE ON dispute_files
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_bump_dispute_row();
CREATE CONSTRAINT TRIGGER merchants_page AFTER INSERT OR UPDATE OR DELETE ON merchants
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_bump_merchant_self();
CREATE CONSTRAINT TRIGGER merchant_logos_page AFTER INSERT OR UPDATE OR DELETE ON merchant_logos
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_bump_merchant_row();
CREATE CONSTRAINT TRIGGER stripe_accounts_page AFTER INSERT OR UPDATE OR DELETE ON stripe_accounts
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_bump_merchant_row();
