-- Every write of engine state goes through phonetree_write, which counts it
-- twice: in the database's generation and in its writer's own count. The
-- difference is what others wrote: a node's engine caches recipients while
-- it stays the same (store.ChangeWatcher), and a batch made from its cache
-- is applied only if it still is (store.Batch.Unchanged).
CREATE TABLE engine_generation (
	id integer PRIMARY KEY CHECK (id = 1),
	gen bigint NOT NULL
);
INSERT INTO engine_generation VALUES (1, 0);
CREATE TABLE engine_writers (
	id text PRIMARY KEY,
	writes bigint NOT NULL
);
CREATE FUNCTION phonetree_write(writer text, expected bigint) RETURNS void AS $$
DECLARE
	g bigint;
	mine bigint;
BEGIN
	UPDATE engine_generation SET gen = gen + 1 WHERE id = 1 RETURNING gen INTO g;
	INSERT INTO engine_writers (id, writes) VALUES (writer, 1)
		ON CONFLICT (id) DO UPDATE SET writes = engine_writers.writes + 1 RETURNING writes INTO mine;
	IF expected IS NOT NULL AND g - mine <> expected THEN
		RAISE EXCEPTION 'phonetree: the store was changed by another writer' USING ERRCODE = '40001';
	END IF;
END
$$ LANGUAGE plpgsql;
