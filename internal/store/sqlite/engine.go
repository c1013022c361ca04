package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"phonetree/internal/store"
)

const recipientCols = `id, state, method, attempts, flags, method_at, heal_at, acked_at, response`

// nextAt is store.Recipient.NextAt in SQL (0: none).
const nextAt = `CASE WHEN method_at = 0 THEN heal_at WHEN heal_at = 0 OR method_at < heal_at THEN method_at ELSE heal_at END`

// rid is a recipient's row id: its bulletin and index in one integer.
func rid(bulletin int64, idx int32) int64 { return bulletin<<32 | int64(idx) }

func upsertRecipients(ctx context.Context, tx *sql.Tx, rs []store.Recipient) error {
	args := make([]any, 0, len(rs)*9)
	for i := range rs {
		r := &rs[i]
		args = append(args, rid(r.Bulletin, r.Idx), r.State, r.Method, r.Attempts, r.Flags, r.MethodAt, r.HealAt, r.AckedAt, r.Response)
	}
	return insertMulti(ctx, tx, `INSERT INTO recipients(`+recipientCols+`)`,
		`ON CONFLICT(id) DO UPDATE SET state=excluded.state, method=excluded.method, attempts=excluded.attempts,
		flags=excluded.flags, method_at=excluded.method_at, heal_at=excluded.heal_at, acked_at=excluded.acked_at,
		response=excluded.response`, 9, args)
}

func scanRecipients(rows *sql.Rows, err error) ([]store.Recipient, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Recipient
	for rows.Next() {
		var r store.Recipient
		var id int64
		if err := rows.Scan(&id, &r.State, &r.Method, &r.Attempts, &r.Flags, &r.MethodAt, &r.HealAt, &r.AckedAt, &r.Response); err != nil {
			return nil, err
		}
		r.Bulletin, r.Idx = id>>32, int32(id)
		out = append(out, r)
	}
	return out, rows.Err()
}

// Due returns recipients whose next action is due, oldest first. It scans:
// the engine keeps its own schedule and asks only when it builds it.
func (s *Store) Due(ctx context.Context, now int64, limit int) ([]store.Recipient, error) {
	return scanRecipients(s.r.QueryContext(ctx, `SELECT `+recipientCols+` FROM recipients
		WHERE `+nextAt+` BETWEEN 1 AND ? ORDER BY `+nextAt+`, id LIMIT ?`, now, limit))
}

// NextDue returns the earliest next action of any recipient or queued attempt.
func (s *Store) NextDue(ctx context.Context) (int64, bool, error) {
	var r, a sql.NullInt64
	err := s.r.QueryRowContext(ctx, `SELECT (SELECT min(`+nextAt+`) FROM recipients WHERE method_at != 0 OR heal_at != 0),
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
		args := make([]any, 0, n)
		for _, i := range idxs[:n] {
			args = append(args, rid(bulletin, i))
		}
		rs, err := scanRecipients(db.QueryContext(ctx, `SELECT `+recipientCols+` FROM recipients WHERE id IN (`+placeholders(n)+`)`, args...))
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
	return scanRecipients(s.r.QueryContext(ctx, `SELECT `+recipientCols+` FROM recipients WHERE id >= ? AND id < ? ORDER BY id`,
		rid(bulletin, 0), rid(bulletin+1, 0)))
}

func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }
