-- Recipients keyed by one integer, bulletin << 32 | idx (the engine's own
-- key): SQLite's rowid table is its fastest upsert, and a recipient's next
-- action is computed from method_at and heal_at where a query needs it.
-- Attempts lose the columns their packed id already holds (store.AttemptID).
CREATE TABLE recipients_new (
	id INTEGER PRIMARY KEY,
	state INTEGER NOT NULL,
	method INTEGER NOT NULL,
	attempts INTEGER NOT NULL,
	flags INTEGER NOT NULL,
	method_at INTEGER NOT NULL,
	heal_at INTEGER NOT NULL,
	acked_at INTEGER NOT NULL,
	response INTEGER NOT NULL
);
INSERT INTO recipients_new SELECT bulletin << 32 | idx, state, method, attempts, flags, method_at, heal_at, acked_at, response FROM recipients;
DROP TABLE recipients;
ALTER TABLE recipients_new RENAME TO recipients;
ALTER TABLE attempts DROP COLUMN bulletin;
ALTER TABLE attempts DROP COLUMN idx;
ALTER TABLE attempts DROP COLUMN seq;
