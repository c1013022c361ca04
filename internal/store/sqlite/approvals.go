package sqlite

import (
	"context"
	"fmt"

	"phonetree/internal/store"
)

const requestCols = `id, created_at, requester, request, recipients, state, decided_by, decided_at, bulletin`

// AddSendRequest stores a bulletin waiting for a second operator's approval.
func (s *Store) AddSendRequest(ctx context.Context, r *store.SendRequest) error {
	res, err := s.w.ExecContext(ctx, `INSERT INTO send_requests(created_at, requester, request, recipients, state) VALUES (?,?,?,?,?)`,
		r.CreatedAt, r.Requester, r.Request, r.Recipients, r.State)
	if err != nil {
		return err
	}
	r.ID, err = res.LastInsertId()
	return err
}

// SendRequest returns one request.
func (s *Store) SendRequest(ctx context.Context, id int64) (*store.SendRequest, error) {
	var r store.SendRequest
	err := s.r.QueryRowContext(ctx, `SELECT `+requestCols+` FROM send_requests WHERE id = ?`, id).
		Scan(&r.ID, &r.CreatedAt, &r.Requester, &r.Request, &r.Recipients, &r.State, &r.DecidedBy, &r.DecidedAt, &r.Bulletin)
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("approval request %d", id))
	}
	return &r, nil
}

// SendRequests lists requests, newest first.
func (s *Store) SendRequests(ctx context.Context) ([]store.SendRequest, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+requestCols+` FROM send_requests ORDER BY id DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.SendRequest
	for rows.Next() {
		var r store.SendRequest
		if err := rows.Scan(&r.ID, &r.CreatedAt, &r.Requester, &r.Request, &r.Recipients, &r.State, &r.DecidedBy, &r.DecidedAt, &r.Bulletin); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// DecideSendRequest moves a request from state from to state to; ok is
// false if it was not in state from (someone decided first).
func (s *Store) DecideSendRequest(ctx context.Context, id int64, from, to, by string, at, bulletin int64) (bool, error) {
	res, err := s.w.ExecContext(ctx, `UPDATE send_requests SET state = ?, decided_by = ?, decided_at = ?, bulletin = ? WHERE id = ? AND state = ?`,
		to, by, at, bulletin, id, from)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
