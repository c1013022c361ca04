package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"phonetree/internal/audit"
	"phonetree/internal/store"
)

var _ store.AuditLog = (*Store)(nil)

// auditLock is the pg_advisory_xact_lock key held from before appending to
// the audit log until commit: appends are serialised, so that the newest
// entry read under the lock is still the newest when the entries after it
// are inserted, and nodes writing at once make one chain.
const auditLock int64 = 0x7068617564697421 // "phaudit!"

const (
	lockAuditSQL   = `SELECT pg_advisory_xact_lock($1)`
	lastAuditSQL   = `SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1`
	insertAuditSQL = `INSERT INTO audit (id, at, actor, action, subject, detail, hash)
		SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])`
)

// auditHead is the newest audit entry this store wrote, if it knows it.
type auditHead struct {
	sync.Mutex // held while appending: this store appends in turn
	known      bool
	id         int64
	hash       string
}

// applyAudited writes b and appends its audit entries (which get their ids
// and hashes) chained to the log's newest entry. When this store wrote that
// entry, the batch goes in one round trip; if another node has appended
// since, the entries' ids are taken, the batch fails whole, and it is
// written again the slow way: the first round trip writes the changes,
// takes the audit lock and reads the newest entry, the second appends the
// entries and commits. Both ways hold the audit lock while appending.
func (s *Store) applyAudited(ctx context.Context, b *store.Batch) error {
	h := &s.head
	h.Lock()
	defer h.Unlock()
	if h.known {
		h.known = false
		p := s.changes(b, false)
		p.queue("audit lock", lockAuditSQL, auditLock)
		p.queue("audit", insertAuditSQL, sealArgs(b.Audit, h.id, h.hash)...)
		err := p.run(s.pool.SendBatch(ctx, &p.Batch))
		if err == nil {
			h.remember(b.Audit)
			return nil
		}
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "23505" || pe.ConstraintName != "audit_pkey" {
			return applyError(err)
		}
	}
	if err := s.applyLocked(ctx, b); err != nil {
		return applyError(err)
	}
	h.remember(b.Audit)
	return nil
}

// applyLocked writes b, reading the newest audit entry under the audit lock.
func (s *Store) applyLocked(ctx context.Context, b *store.Batch) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer release(conn)
	p := s.changes(b, true)
	p.queue("audit lock", lockAuditSQL, auditLock)
	var lastID int64
	var prev string
	p.Queue(lastAuditSQL).QueryRow(func(row pgx.Row) error {
		if err := row.Scan(&lastID, &prev); err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("newest audit entry: %w", err)
		}
		return nil
	})
	if err := p.run(conn.SendBatch(ctx, &p.Batch)); err != nil {
		return err
	}
	var q pipeline
	q.queue("audit", insertAuditSQL, sealArgs(b.Audit, lastID, prev)...)
	q.queue("commit", "COMMIT")
	return q.run(conn.SendBatch(ctx, &q.Batch))
}

func (h *auditHead) remember(es []audit.Entry) {
	last := es[len(es)-1]
	h.known, h.id, h.hash = true, last.ID, last.Hash
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

// sealArgs numbers and seals es after the entry (lastID, prev) and returns
// them as insertAuditSQL's columns.
func sealArgs(es []audit.Entry, lastID int64, prev string) []any {
	n := len(es)
	id, at := make([]int64, n), make([]int64, n)
	actor, action, subject, detail, hash := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	for i := range es {
		e := &es[i]
		e.ID = lastID + int64(i) + 1
		audit.Seal(prev, e)
		prev = e.Hash
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
