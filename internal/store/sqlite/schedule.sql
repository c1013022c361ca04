-- The engine keeps its schedule of due recipients in memory beside its
-- cache (internal/engine/schedule.go), rebuilt from next_at by a scan; an
-- index on next_at would cost every recipient write and serve no query.
DROP INDEX recipients_due;
