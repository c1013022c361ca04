package sqlite

import (
	"cmp"
	"context"
	"database/sql"

	"phonetree/internal/store"
)

const attemptCols = `id, kind, method, status, due_at, lease_until, provider_id, created_at, updated_at, error`

func scanAttempts(rows *sql.Rows, err error) ([]store.Attempt, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Attempt
	for rows.Next() {
		var a store.Attempt
		if err := rows.Scan(&a.ID, &a.Kind, &a.Method, &a.Status, &a.DueAt, &a.LeaseUntil, &a.ProviderID, &a.CreatedAt, &a.UpdatedAt, &a.Error); err != nil {
			return nil, err
		}
		var seq int
		a.Bulletin, a.Idx, seq = store.SplitAttemptID(a.ID)
		a.Seq = int16(seq)
		out = append(out, a)
	}
	return out, rows.Err()
}

// Attempts returns the attempts with the given ids (those that exist).
func (s *Store) Attempts(ctx context.Context, ids []int64) ([]store.Attempt, error) {
	var out []store.Attempt
	for len(ids) > 0 {
		n := min(len(ids), 500)
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = id
		}
		as, err := scanAttempts(s.w.QueryContext(ctx, `SELECT `+attemptCols+` FROM attempts WHERE id IN (`+placeholders(n)+`)`, args...))
		if err != nil {
			return nil, err
		}
		out = append(out, as...)
		ids = ids[n:]
	}
	return out, nil
}

// BulletinAttempts returns a bulletin's attempts in id order.
func (s *Store) BulletinAttempts(ctx context.Context, bulletin int64) ([]store.Attempt, error) {
	lo, hi := store.AttemptID(bulletin, 0, 0), store.AttemptID(bulletin+1, 0, 0)
	return scanAttempts(s.r.QueryContext(ctx, `SELECT `+attemptCols+` FROM attempts WHERE id >= ? AND id < ? ORDER BY id`, lo, hi))
}

// Queued returns queued attempts due by now, oldest first.
func (s *Store) Queued(ctx context.Context, now int64, limit int) ([]store.Attempt, error) {
	return scanAttempts(s.r.QueryContext(ctx, `SELECT `+attemptCols+` FROM attempts WHERE status = 0 AND due_at <= ? ORDER BY due_at, id LIMIT ?`, now, limit))
}

// Leased returns attempts whose sending lease expired before now: their
// hand-over to the provider may or may not have happened.
func (s *Store) Leased(ctx context.Context, now int64) ([]store.Attempt, error) {
	return scanAttempts(s.w.QueryContext(ctx, `SELECT `+attemptCols+` FROM attempts WHERE status = 1 AND lease_until < ? ORDER BY id`, now))
}

// CallTasks returns a bulletin's call tasks.
func (s *Store) CallTasks(ctx context.Context, bulletin int64) ([]store.CallTask, error) {
	return scanCallTasks(s.r.QueryContext(ctx, `SELECT id, bulletin, assignee, subject, created_at, state FROM call_tasks WHERE bulletin = ? ORDER BY id`, bulletin))
}

func scanCallTasks(rows *sql.Rows, err error) ([]store.CallTask, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.CallTask
	for rows.Next() {
		var t store.CallTask
		if err := rows.Scan(&t.ID, &t.Bulletin, &t.Assignee, &t.Subject, &t.CreatedAt, &t.State); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Events returns a bulletin's event log in order.
func (s *Store) Events(ctx context.Context, bulletin int64) ([]store.Event, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT bulletin, idx, at, kind, attempt, detail FROM events WHERE bulletin = ? ORDER BY id`, bulletin)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Event
	for rows.Next() {
		var e store.Event
		if err := rows.Scan(&e.Bulletin, &e.Idx, &e.At, &e.Kind, &e.Attempt, &e.Detail); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Apply writes a batch in one transaction.
func (s *Store) Apply(ctx context.Context, b *store.Batch) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if b.Unchanged != nil {
			var v uint64
			if err := tx.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v); err != nil {
				return err
			}
			if v != *b.Unchanged {
				return store.ErrConflict
			}
		}
		if err := upsertRecipients(ctx, tx, b.Recipients); err != nil {
			return err
		}
		if err := insertAttempts(ctx, tx, b.NewAttempts); err != nil {
			return err
		}
		if err := updateAttempts(ctx, tx, b.Attempts); err != nil {
			return err
		}
		if err := withdraw(ctx, tx, b.WithdrawFor); err != nil {
			return err
		}
		if err := insertEvents(ctx, tx, b.Events); err != nil {
			return err
		}
		if err := insertCallTasks(ctx, tx, b.CallTasks); err != nil {
			return err
		}
		if err := appendAudit(ctx, tx, b.Audit); err != nil {
			return err
		}
		for _, bs := range b.Bulletins {
			if _, err := tx.ExecContext(ctx, `UPDATE bulletins SET state = ? WHERE id = ?`, bs.State, bs.ID); err != nil {
				return err
			}
		}
		return nil
	})
}

func insertAttempts(ctx context.Context, tx *sql.Tx, as []store.Attempt) error {
	args := make([]any, 0, len(as)*10)
	for i := range as {
		a := &as[i]
		args = append(args, a.ID, a.Kind, a.Method, a.Status, a.DueAt, a.LeaseUntil, a.ProviderID, a.CreatedAt, a.UpdatedAt, a.Error)
	}
	return insertMulti(ctx, tx, `INSERT INTO attempts(`+attemptCols+`)`, ``, 10, args)
}

func updateAttempts(ctx context.Context, tx *sql.Tx, us []store.AttemptUpdate) error {
	args := make([]any, 0, len(us)*7)
	for _, u := range mergeUpdates(us) {
		args = append(args, u.ID, u.Status, u.ProviderID, u.LeaseUntil, u.At, u.Error, u.DueAt)
	}
	return insertMulti(ctx, tx, `UPDATE attempts SET status = v.column2,
		provider_id = CASE WHEN v.column3 = '' THEN provider_id ELSE v.column3 END,
		lease_until = v.column4, updated_at = v.column5, due_at = v.column7,
		error = CASE WHEN v.column6 = '' THEN error ELSE v.column6 END FROM (`, `) AS v WHERE attempts.id = v.column1`, 7, args)
}

// mergeUpdates folds updates of one attempt (sorted by id, in order) into
// one: an UPDATE … FROM applies a single row per attempt. Later values win;
// an empty provider id or error keeps the earlier one.
func mergeUpdates(us []store.AttemptUpdate) []store.AttemptUpdate {
	out := make([]store.AttemptUpdate, 0, len(us))
	for _, u := range us {
		if n := len(out); n > 0 && out[n-1].ID == u.ID {
			prev := out[n-1]
			u.ProviderID, u.Error = cmp.Or(u.ProviderID, prev.ProviderID), cmp.Or(u.Error, prev.Error)
			out[n-1] = u
			continue
		}
		out = append(out, u)
	}
	return out
}

func withdraw(ctx context.Context, tx *sql.Tx, rs []store.Recipient) error {
	if len(rs) == 0 {
		return nil
	}
	st, err := tx.PrepareContext(ctx, `UPDATE attempts SET status = 5 WHERE id >= ? AND id < ? AND status <= 1`)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, r := range rs {
		if _, err := st.ExecContext(ctx, store.AttemptID(r.Bulletin, r.Idx, 0), store.AttemptID(r.Bulletin, r.Idx, store.CallListSeq)); err != nil {
			return err
		}
	}
	return nil
}

func insertEvents(ctx context.Context, tx *sql.Tx, es []store.Event) error {
	args := make([]any, 0, len(es)*6)
	for _, e := range es {
		args = append(args, e.Bulletin, e.Idx, e.At, e.Kind, e.Attempt, e.Detail)
	}
	return insertMulti(ctx, tx, `INSERT INTO events(bulletin, idx, at, kind, attempt, detail)`, ``, 6, args)
}

func insertCallTasks(ctx context.Context, tx *sql.Tx, ts []store.CallTask) error {
	args := make([]any, 0, len(ts)*5)
	for _, t := range ts {
		args = append(args, t.Bulletin, t.Assignee, t.Subject, t.CreatedAt, t.State)
	}
	return insertMulti(ctx, tx, `INSERT INTO call_tasks(bulletin, assignee, subject, created_at, state)`, ``, 5, args)
}
