CREATE TABLE signing_keys (
	id INTEGER PRIMARY KEY,
	created_at INTEGER NOT NULL,
	public_key BLOB NOT NULL,
	private_sealed BLOB NOT NULL
);
CREATE TABLE bulletin_signatures (
	bulletin INTEGER PRIMARY KEY REFERENCES bulletins(id),
	key_id INTEGER NOT NULL REFERENCES signing_keys(id),
	signature BLOB NOT NULL
);
