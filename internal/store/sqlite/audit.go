package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"phonetree/internal/audit"
)

// appendAudit chains and inserts audit entries inside tx.
func appendAudit(ctx context.Context, tx *sql.Tx, es []audit.Entry) error {
	if len(es) == 0 {
		return nil
	}
	var lastID int64
	var prev string
	err := tx.QueryRowContext(ctx, `SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1`).Scan(&lastID, &prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	args := make([]any, 0, len(es)*7)
	for i := range es {
		e := &es[i]
		lastID++
		e.ID = lastID
		audit.Seal(prev, e)
		prev = e.Hash
		args = append(args, e.ID, e.At, e.Actor, e.Action, e.Subject, e.Detail, e.Hash)
	}
	return insertMulti(ctx, tx, `INSERT INTO audit(id, at, actor, action, subject, detail, hash)`, ``, 7, args)
}

// AuditLog calls fn for every audit entry in order.
func (s *Store) AuditLog(ctx context.Context, fn func(*audit.Entry) error) error {
	rows, err := s.r.QueryContext(ctx, `SELECT id, at, actor, action, subject, detail, hash FROM audit ORDER BY id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var e audit.Entry
		if err := rows.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.Subject, &e.Detail, &e.Hash); err != nil {
			return err
		}
		if err := fn(&e); err != nil {
			return err
		}
	}
	return rows.Err()
}
