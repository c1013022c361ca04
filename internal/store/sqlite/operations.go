package sqlite

import (
	"context"
	"fmt"

	"phonetree/internal/store"
)

var _ store.Operations = (*Store)(nil)

// SetCallTaskState changes a call task's state.
func (s *Store) SetCallTaskState(ctx context.Context, id int64, state string) error {
	res, err := s.w.ExecContext(ctx, `UPDATE call_tasks SET state = ? WHERE id = ?`, state, id)
	if err != nil {
		return err
	}
	return oneRow(res, fmt.Sprintf("call task %d", id))
}

// OpenCallTasks lists open call tasks of running bulletins, oldest first.
func (s *Store) OpenCallTasks(ctx context.Context, limit int) ([]store.CallTask, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT t.id, t.bulletin, t.assignee, t.subject, t.created_at, t.state
		FROM call_tasks t JOIN bulletins b ON b.id = t.bulletin
		WHERE t.state = 'open' AND b.state = 'running' ORDER BY t.id LIMIT ?`, limit)
	return scanCallTasks(rows, err)
}

// QueueDepth counts recipients due by now and attempts queued by now.
func (s *Store) QueueDepth(ctx context.Context, now int64) (due, queued int, err error) {
	err = s.r.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM recipients WHERE `+nextAt+` BETWEEN 1 AND ?),
		(SELECT count(*) FROM attempts WHERE status = 0 AND due_at <= ?)`, now, now).Scan(&due, &queued)
	return due, queued, err
}

// ReadRecipients returns the given recipients of a bulletin from the
// readers' pool, never waiting for the writer.
func (s *Store) ReadRecipients(ctx context.Context, bulletin int64, idxs []int32) ([]store.Recipient, error) {
	return recipientsIn(ctx, s.r, bulletin, idxs)
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	return s.r.PingContext(ctx)
}
