CREATE TABLE roster_versions (
	id INTEGER PRIMARY KEY,
	created_at INTEGER NOT NULL,
	people INTEGER NOT NULL,
	diff TEXT NOT NULL,
	lint TEXT NOT NULL
);
CREATE TABLE roster_chunks (
	version INTEGER NOT NULL REFERENCES roster_versions(id),
	n INTEGER NOT NULL,
	data BLOB NOT NULL,
	PRIMARY KEY (version, n)
) WITHOUT ROWID;
CREATE TABLE bulletins (
	id INTEGER PRIMARY KEY,
	incident INTEGER NOT NULL,
	kind TEXT NOT NULL,
	status TEXT NOT NULL,
	title TEXT NOT NULL,
	body TEXT NOT NULL,
	mode TEXT NOT NULL,
	policy TEXT NOT NULL,
	roster_version INTEGER NOT NULL REFERENCES roster_versions(id),
	created_at INTEGER NOT NULL,
	state TEXT NOT NULL,
	recipients INTEGER NOT NULL
);
CREATE TABLE recipients (
	bulletin INTEGER NOT NULL,
	idx INTEGER NOT NULL,
	state INTEGER NOT NULL,
	method INTEGER NOT NULL,
	attempts INTEGER NOT NULL,
	flags INTEGER NOT NULL,
	method_at INTEGER NOT NULL,
	heal_at INTEGER NOT NULL,
	acked_at INTEGER NOT NULL,
	response INTEGER NOT NULL,
	next_at INTEGER,
	PRIMARY KEY (bulletin, idx)
) WITHOUT ROWID;
CREATE INDEX recipients_due ON recipients(next_at) WHERE next_at IS NOT NULL;
-- id packs (bulletin, idx, seq): see store.AttemptID.
CREATE TABLE attempts (
	id INTEGER PRIMARY KEY,
	bulletin INTEGER NOT NULL,
	idx INTEGER NOT NULL,
	seq INTEGER NOT NULL,
	kind INTEGER NOT NULL,
	method TEXT NOT NULL,
	status INTEGER NOT NULL,
	due_at INTEGER NOT NULL,
	lease_until INTEGER NOT NULL,
	provider_id TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	error TEXT NOT NULL
);
CREATE INDEX attempts_queue ON attempts(due_at) WHERE status = 0;
CREATE TABLE events (
	id INTEGER PRIMARY KEY,
	bulletin INTEGER NOT NULL,
	idx INTEGER NOT NULL,
	at INTEGER NOT NULL,
	kind TEXT NOT NULL,
	attempt INTEGER NOT NULL,
	detail TEXT NOT NULL
);
CREATE TABLE call_tasks (
	id INTEGER PRIMARY KEY,
	bulletin INTEGER NOT NULL,
	assignee INTEGER NOT NULL,
	subject INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	state TEXT NOT NULL
);
CREATE INDEX call_tasks_bulletin ON call_tasks(bulletin);
