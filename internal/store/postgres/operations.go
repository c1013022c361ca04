package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"phonetree/internal/store"
)

var _ store.Operations = (*Store)(nil)

// SetCallTaskState changes a call task's state.
func (s *Store) SetCallTaskState(ctx context.Context, id int64, state string) error {
	tag, err := s.pool.Exec(ctx, `UPDATE call_tasks SET state = $1 WHERE id = $2`, state, id)
	return oneRow(tag, err, fmt.Sprintf("call task %d", id))
}

// OpenCallTasks lists open call tasks of running bulletins, oldest first.
func (s *Store) OpenCallTasks(ctx context.Context, limit int) ([]store.CallTask, error) {
	rows, err := s.pool.Query(ctx, `SELECT t.id, t.bulletin, t.assignee, t.subject, t.created_at, t.state
		FROM call_tasks t JOIN bulletins b ON b.id = t.bulletin
		WHERE t.state = 'open' AND b.state = 'running' ORDER BY t.id LIMIT $1`, limit)
	ts, err := collect(rows, err, scanCallTask)
	if err != nil {
		return nil, fmt.Errorf("open call tasks: %w", err)
	}
	return ts, nil
}

// QueueDepth counts recipients due by now and attempts queued by now
// (queued_at is due_at while an attempt is queued).
func (s *Store) QueueDepth(ctx context.Context, now int64) (due, queued int, err error) {
	err = s.pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM recipients WHERE next_at <= $1),
		(SELECT count(*) FROM attempts WHERE queued_at <= $1)`, now).Scan(&due, &queued)
	if err != nil {
		return 0, 0, fmt.Errorf("queue depth: %w", err)
	}
	return due, queued, nil
}

// ReadRecipients is Recipients: PostgreSQL's readers never wait for writers.
func (s *Store) ReadRecipients(ctx context.Context, bulletin int64, idxs []int32) ([]store.Recipient, error) {
	return s.Recipients(ctx, bulletin, idxs)
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	return s.pool.Ping(ctx)
}

// scanCallTask reads id, bulletin, assignee, subject, created_at, state.
func scanCallTask(row pgx.CollectableRow) (store.CallTask, error) {
	var t store.CallTask
	err := row.Scan(&t.ID, &t.Bulletin, &t.Assignee, &t.Subject, &t.CreatedAt, &t.State)
	return t, err
}
