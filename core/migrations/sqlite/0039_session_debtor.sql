-- The debtor a session holds, beside its JSON (written by the session store from the same
-- record): the portal's kept first page (issue 19) reads the session and the versions of
-- that debtor's pages in one query, joined on these. NULL for a staff sign-in, a session
-- signed out, and sessions saved before this migration (those take the page's longer path
-- until their next save).
ALTER TABLE sessions ADD COLUMN merchant_id TEXT;
ALTER TABLE sessions ADD COLUMN customer_id TEXT;
