package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"phonetree/internal/store"
)

const recipientCols = `bulletin, idx, state, method, attempts, flags, method_at, heal_at, acked_at, response`

func upsertRecipients(ctx context.Context, tx *sql.Tx, rs []store.Recipient) error {
	args := make([]any, 0, len(rs)*11)
	for i := range rs {
		r := &rs[i]
		var next any
		if n := r.NextAt(); n != 0 {
			next = n
		}
		args = append(args, r.Bulletin, r.Idx, r.State, r.Method, r.Attempts, r.Flags, r.MethodAt, r.HealAt, r.AckedAt, r.Response, next)
	}
	return insertMulti(ctx, tx, `INSERT INTO recipients(`+recipientCols+`, next_at)`,
		`ON CONFLICT(bulletin, idx) DO UPDATE SET state=excluded.state, method=excluded.method, attempts=excluded.attempts,
		flags=excluded.flags, method_at=excluded.method_at, heal_at=excluded.heal_at, acked_at=excluded.acked_at,
		response=excluded.response, next_at=excluded.next_at`, 11, args)
}

func scanRecipients(rows *sql.Rows, err error) ([]store.Recipient, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Recipient
	for rows.Next() {
		var r store.Recipient
		if err := rows.Scan(&r.Bulletin, &r.Idx, &r.State, &r.Method, &r.Attempts, &r.Flags, &r.MethodAt, &r.HealAt, &r.AckedAt, &r.Response); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Due returns recipients whose next action is due, oldest first.
func (s *Store) Due(ctx context.Context, now int64, limit int) ([]store.Recipient, error) {
	return scanRecipients(s.r.QueryContext(ctx, `SELECT `+recipientCols+` FROM recipients
		WHERE next_at IS NOT NULL AND next_at <= ? ORDER BY next_at, bulletin, idx LIMIT ?`, now, limit))
}

// NextDue returns the earliest next action of any recipient or queued attempt.
func (s *Store) NextDue(ctx context.Context) (int64, bool, error) {
	var r, a sql.NullInt64
	err := s.r.QueryRowContext(ctx, `SELECT (SELECT min(next_at) FROM recipients WHERE next_at IS NOT NULL),
		(SELECT min(due_at) FROM attempts WHERE status = 0)`).Scan(&r, &a)
	if err != nil {
		return 0, false, err
	}
	switch {
	case r.Valid && a.Valid:
		return min(r.Int64, a.Int64), true, nil
	case r.Valid:
		return r.Int64, true, nil
	case a.Valid:
		return a.Int64, true, nil
	}
	return 0, false, nil
}

// Recipients returns the given recipients of a bulletin (those that exist).
func (s *Store) Recipients(ctx context.Context, bulletin int64, idxs []int32) ([]store.Recipient, error) {
	return recipientsIn(ctx, s.r, bulletin, idxs)
}

func recipientsIn(ctx context.Context, db *sql.DB, bulletin int64, idxs []int32) ([]store.Recipient, error) {
	var out []store.Recipient
	for len(idxs) > 0 {
		n := min(len(idxs), 500)
		args := make([]any, 0, n+1)
		args = append(args, bulletin)
		for _, i := range idxs[:n] {
			args = append(args, i)
		}
		rs, err := scanRecipients(db.QueryContext(ctx, `SELECT `+recipientCols+` FROM recipients WHERE bulletin = ? AND idx IN (`+placeholders(n)+`)`, args...))
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
		idxs = idxs[n:]
	}
	return out, nil
}

// AllRecipients returns every recipient of a bulletin in index order.
func (s *Store) AllRecipients(ctx context.Context, bulletin int64) ([]store.Recipient, error) {
	return scanRecipients(s.r.QueryContext(ctx, `SELECT `+recipientCols+` FROM recipients WHERE bulletin = ? ORDER BY idx`, bulletin))
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }
