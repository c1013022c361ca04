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

// QueueDepth counts recipients due by now and attempts queued by now.
func (s *Store) QueueDepth(ctx context.Context, now int64) (due, queued int, err error) {
	err = s.r.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM recipients WHERE next_at IS NOT NULL AND next_at <= ?),
		(SELECT count(*) FROM attempts WHERE status = 0 AND due_at <= ?)`, now, now).Scan(&due, &queued)
	return due, queued, err
}

// ReadRecipients returns the given recipients of a bulletin from the
// readers' pool, never waiting for the writer.
func (s *Store) ReadRecipients(ctx context.Context, bulletin int64, idxs []int32) ([]store.Recipient, error) {
	var out []store.Recipient
	for len(idxs) > 0 {
		n := min(len(idxs), 500)
		args := make([]any, 0, n+1)
		args = append(args, bulletin)
		for _, i := range idxs[:n] {
			args = append(args, i)
		}
		rs, err := scanRecipients(s.r.QueryContext(ctx, `SELECT `+recipientCols+` FROM recipients WHERE bulletin = ? AND idx IN (`+placeholders(n)+`)`, args...))
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
		idxs = idxs[n:]
	}
	return out, nil
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	return s.r.PingContext(ctx)
}
