package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"phonetree/internal/store"
)

const attemptCols = `id, bulletin, idx, seq, kind, method, status, due_at, lease_until, provider_id, created_at, updated_at, error`

func scanAttempts(rows pgx.Rows, err error) ([]store.Attempt, error) {
	return collect(rows, err, func(row pgx.CollectableRow) (store.Attempt, error) {
		var a store.Attempt
		var kind, status int16
		err := row.Scan(&a.ID, &a.Bulletin, &a.Idx, &a.Seq, &kind, &a.Method, &status, &a.DueAt, &a.LeaseUntil, &a.ProviderID, &a.CreatedAt, &a.UpdatedAt, &a.Error)
		a.Kind, a.Status = uint8(kind), uint8(status)
		return a, err
	})
}

// Attempts returns the attempts with the given ids (those that exist).
func (s *Store) Attempts(ctx context.Context, ids []int64) ([]store.Attempt, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	as, err := scanAttempts(s.pool.Query(ctx, `SELECT `+attemptCols+` FROM attempts WHERE id = ANY($1::bigint[])`, ids))
	if err != nil {
		return nil, fmt.Errorf("attempts: %w", err)
	}
	return as, nil
}

// BulletinAttempts returns a bulletin's attempts in id order.
func (s *Store) BulletinAttempts(ctx context.Context, bulletin int64) ([]store.Attempt, error) {
	lo, hi := store.AttemptID(bulletin, 0, 0), store.AttemptID(bulletin+1, 0, 0)
	as, err := scanAttempts(s.pool.Query(ctx, `SELECT `+attemptCols+` FROM attempts WHERE id >= $1 AND id < $2 ORDER BY id`, lo, hi))
	if err != nil {
		return nil, fmt.Errorf("bulletin %d: attempts: %w", bulletin, err)
	}
	return as, nil
}

// Queued returns queued attempts due by now, oldest first.
func (s *Store) Queued(ctx context.Context, now int64, limit int) ([]store.Attempt, error) {
	as, err := scanAttempts(s.pool.Query(ctx, `SELECT `+attemptCols+` FROM attempts
		WHERE queued_at <= $1 ORDER BY queued_at, id LIMIT $2`, now, limit))
	if err != nil {
		return nil, fmt.Errorf("queued attempts: %w", err)
	}
	return as, nil
}

// Leased returns attempts whose sending lease expired before now: their
// hand-over to the provider may or may not have happened.
func (s *Store) Leased(ctx context.Context, now int64) ([]store.Attempt, error) {
	as, err := scanAttempts(s.pool.Query(ctx, `SELECT `+attemptCols+` FROM attempts WHERE status = 1 AND lease_until < $1 ORDER BY id`, now))
	if err != nil {
		return nil, fmt.Errorf("leased attempts: %w", err)
	}
	return as, nil
}

// CallTasks returns a bulletin's call tasks.
func (s *Store) CallTasks(ctx context.Context, bulletin int64) ([]store.CallTask, error) {
	rows, err := s.pool.Query(ctx, `SELECT id, bulletin, assignee, subject, created_at, state FROM call_tasks WHERE bulletin = $1 ORDER BY id`, bulletin)
	ts, err := collect(rows, err, func(row pgx.CollectableRow) (store.CallTask, error) {
		var t store.CallTask
		err := row.Scan(&t.ID, &t.Bulletin, &t.Assignee, &t.Subject, &t.CreatedAt, &t.State)
		return t, err
	})
	if err != nil {
		return nil, fmt.Errorf("bulletin %d: call tasks: %w", bulletin, err)
	}
	return ts, nil
}

// Events returns a bulletin's event log in order.
func (s *Store) Events(ctx context.Context, bulletin int64) ([]store.Event, error) {
	rows, err := s.pool.Query(ctx, `SELECT bulletin, idx, at, kind, attempt, detail FROM events WHERE bulletin = $1 ORDER BY id`, bulletin)
	es, err := collect(rows, err, func(row pgx.CollectableRow) (store.Event, error) {
		var e store.Event
		err := row.Scan(&e.Bulletin, &e.Idx, &e.At, &e.Kind, &e.Attempt, &e.Detail)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("bulletin %d: events: %w", bulletin, err)
	}
	return es, nil
}

// collect reads every row with scan; err is the query's own error.
func collect[T any](rows pgx.Rows, err error, scan pgx.RowToFunc[T]) ([]T, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scan)
}
