package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"phonetree/internal/store"
)

var _ store.Approvals = (*Store)(nil)

const requestCols = `id, created_at, requester, request, recipients, state, decided_by, decided_at, bulletin`

func scanRequest(row pgx.Row) (store.SendRequest, error) {
	var r store.SendRequest
	err := row.Scan(&r.ID, &r.CreatedAt, &r.Requester, &r.Request, &r.Recipients, &r.State, &r.DecidedBy, &r.DecidedAt, &r.Bulletin)
	return r, err
}

// AddSendRequest stores a bulletin waiting for a second operator's approval.
func (s *Store) AddSendRequest(ctx context.Context, r *store.SendRequest) error {
	err := s.pool.QueryRow(ctx, `INSERT INTO send_requests (created_at, requester, request, recipients, state)
		VALUES ($1, $2, $3, $4, $5) RETURNING id`, r.CreatedAt, r.Requester, r.Request, r.Recipients, r.State).Scan(&r.ID)
	if err != nil {
		return fmt.Errorf("add approval request: %w", err)
	}
	return nil
}

// SendRequest returns one request.
func (s *Store) SendRequest(ctx context.Context, id int64) (*store.SendRequest, error) {
	r, err := scanRequest(s.pool.QueryRow(ctx, `SELECT `+requestCols+` FROM send_requests WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("approval request %d", id))
	}
	return &r, nil
}

// SendRequests lists requests, newest first.
func (s *Store) SendRequests(ctx context.Context) ([]store.SendRequest, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+requestCols+` FROM send_requests ORDER BY id DESC`)
	rs, err := collect(rows, err, func(r pgx.CollectableRow) (store.SendRequest, error) { return scanRequest(r) })
	if err != nil {
		return nil, fmt.Errorf("approval requests: %w", err)
	}
	return rs, nil
}

// DecideSendRequest moves a request from state from to state to; ok is
// false if it was not in state from. The condition is in the update, so of
// nodes deciding at once, one wins.
func (s *Store) DecideSendRequest(ctx context.Context, id int64, from, to, by string, at, bulletin int64) (bool, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE send_requests SET state = $1, decided_by = $2, decided_at = $3, bulletin = $4
		WHERE id = $5 AND state = $6`, to, by, at, bulletin, id, from)
	if err != nil {
		return false, fmt.Errorf("approval request %d: %w", id, err)
	}
	return tag.RowsAffected() == 1, nil
}
