-- The blind index: keyed HMACs of each roster version's phone numbers, so
-- inbound messages find people while the file holds no number. A version's
-- entries are grouped into 4096 buckets by the first 12 bits of their HMAC,
-- each bucket one blob of sorted records (see store.PackIndex): a lookup
-- reads one row per version, an import writes 4096.
CREATE TABLE contact_index (
	bucket INTEGER NOT NULL,
	version INTEGER NOT NULL REFERENCES roster_versions(id),
	data BLOB NOT NULL,
	PRIMARY KEY (bucket, version)
) WITHOUT ROWID;
CREATE INDEX contact_index_version ON contact_index(version);
