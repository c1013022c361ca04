-- The tamper-evident audit log (see package audit): ids are assigned in
-- order by the writer, each hash chains to the previous entry's.
CREATE TABLE audit (
	id bigint PRIMARY KEY,
	at bigint NOT NULL,
	actor text NOT NULL,
	action text NOT NULL,
	subject text NOT NULL,
	detail text NOT NULL,
	hash text NOT NULL
);
