-- Operator accounts, sessions and API tokens (issue 4). Secrets are hashed
-- or sealed: see store.User.
CREATE TABLE users (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	role TEXT NOT NULL,
	password_hash TEXT NOT NULL,
	totp_sealed BLOB NOT NULL,
	totp_last_step INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL,
	disabled INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE sessions (
	hash BLOB PRIMARY KEY,
	user INTEGER NOT NULL REFERENCES users(id),
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE api_tokens (
	id INTEGER PRIMARY KEY,
	hash BLOB NOT NULL UNIQUE,
	user INTEGER NOT NULL REFERENCES users(id),
	name TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	revoked INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX call_tasks_open ON call_tasks(id) WHERE state = 'open';
