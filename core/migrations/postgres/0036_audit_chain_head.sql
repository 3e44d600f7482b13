-- The newest entry of an audit chain, read once the chain's lock is held (issue 20): one
-- round trip for what took two, the lock and then the read, so a writer holds the chain's
-- lock (every change of one merchant that writes an audit entry takes it) one round trip
-- less. The lock is the one `db::lock_key` takes for the key 'audit:' || chain. A VOLATILE
-- function reads with a fresh snapshot for each statement it runs, so the read sees every
-- entry committed before the lock was granted. PostgreSQL only: SQLite's write lock already
-- serialises writers, and its migrations have no number 36.
CREATE FUNCTION audit_chain_head(chain_key text) RETURNS TABLE (seq bigint, hash text)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('audit:' || chain_key, 0));
    RETURN QUERY SELECT a.seq, a.hash FROM audit_log a WHERE a.chain = chain_key ORDER BY a.seq DESC LIMIT 1;
END;
$$;
