CREATE TABLE send_requests (
	id INTEGER PRIMARY KEY,
	created_at INTEGER NOT NULL,
	requester TEXT NOT NULL,
	request TEXT NOT NULL,
	recipients INTEGER NOT NULL,
	state TEXT NOT NULL,
	decided_by TEXT NOT NULL DEFAULT '',
	decided_at INTEGER NOT NULL DEFAULT 0,
	bulletin INTEGER NOT NULL DEFAULT 0
);
