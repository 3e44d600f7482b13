-- PostgreSQL compares invoice dates byte-wise from this migration on; SQLite's default
-- collation (BINARY) always has. Kept so that both backends have the same numbered history.
SELECT 1;
