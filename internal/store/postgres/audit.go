package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"phonetree/internal/audit"
	"phonetree/internal/store"
)

var _ store.AuditLog = (*Store)(nil)

// auditLock is the pg_advisory_xact_lock key that serialises appends to the
// audit log, so that nodes writing at once still make one chain.
const auditLock int64 = 0x7068617564697421 // "phaudit!"

const (
	lastAuditSQL   = `SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1`
	insertAuditSQL = `INSERT INTO audit (id, at, actor, action, subject, detail, hash)
		SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])`
)

// applyAudited runs p (which begins a transaction) and appends es, chained
// to the log's newest entry: the first round trip writes the batch, takes
// the audit lock and reads the newest entry; the second inserts the sealed
// entries and commits. es get their ids and hashes.
func (s *Store) applyAudited(ctx context.Context, p *pipeline, es []audit.Entry) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("apply batch: %w", err)
	}
	defer release(conn)
	p.queue("audit lock", `SELECT pg_advisory_xact_lock($1)`, auditLock)
	last := p.Queue(lastAuditSQL)
	var lastID int64
	var prev string
	last.QueryRow(func(row pgx.Row) error {
		if err := row.Scan(&lastID, &prev); err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("newest audit entry: %w", err)
		}
		return nil
	})
	if err := p.run(conn.SendBatch(ctx, &p.Batch)); err != nil {
		return fmt.Errorf("apply batch: %w", err)
	}
	for i := range es {
		lastID++
		es[i].ID = lastID
		audit.Seal(prev, &es[i])
		prev = es[i].Hash
	}
	var q pipeline
	q.queue("audit", insertAuditSQL, auditArgs(es)...)
	q.queue("commit", "COMMIT")
	if err := q.run(conn.SendBatch(ctx, &q.Batch)); err != nil {
		return fmt.Errorf("apply batch: %w", err)
	}
	return nil
}

// release returns conn to the pool, rolling back a transaction left open
// by a failure (the pool closes a connection it cannot clean).
func release(conn *pgxpool.Conn) {
	if c := conn.Conn(); !c.IsClosed() && c.PgConn().TxStatus() != 'I' {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c.Exec(ctx, "ROLLBACK")
		cancel()
	}
	conn.Release()
}

func auditArgs(es []audit.Entry) []any {
	n := len(es)
	id, at := make([]int64, n), make([]int64, n)
	actor, action, subject, detail, hash := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i := range es {
		e := &es[i]
		id[i], at[i], actor[i], action[i], subject[i], detail[i], hash[i] = e.ID, e.At, e.Actor, e.Action, e.Subject, e.Detail, e.Hash
	}
	return []any{id, at, actor, action, subject, detail, hash}
}

// AuditLog calls fn for every audit entry in order.
func (s *Store) AuditLog(ctx context.Context, fn func(*audit.Entry) error) error {
	rows, err := s.pool.Query(ctx, `SELECT id, at, actor, action, subject, detail, hash FROM audit ORDER BY id`)
	if err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var e audit.Entry
		if err := rows.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.Subject, &e.Detail, &e.Hash); err != nil {
			return fmt.Errorf("audit log: %w", err)
		}
		if err := fn(&e); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("audit log: %w", err)
	}
	return nil
}
