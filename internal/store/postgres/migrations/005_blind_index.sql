-- The blind index: keyed HMACs of each roster version's phone numbers, so
-- inbound messages find people while the database holds no number
-- (internal/store/sqlite/index.sql in PostgreSQL types).
CREATE TABLE contact_index (
	bucket integer NOT NULL,
	version bigint NOT NULL REFERENCES roster_versions(id),
	data bytea NOT NULL,
	PRIMARY KEY (bucket, version)
);
CREATE INDEX contact_index_version ON contact_index(version);
-- HMACs do not compress: store the blobs out of line without trying.
ALTER TABLE contact_index ALTER COLUMN data SET STORAGE EXTERNAL;
