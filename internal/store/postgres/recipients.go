package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"phonetree/internal/store"
)

var recipientColNames = []string{"bulletin", "idx", "state", "method", "attempts", "flags", "method_at", "heal_at", "acked_at", "response", "next_at"}

const recipientCols = `bulletin, idx, state, method, attempts, flags, method_at, heal_at, acked_at, response`

func scanRecipients(rows pgx.Rows, err error) ([]store.Recipient, error) {
	return collect(rows, err, func(row pgx.CollectableRow) (store.Recipient, error) {
		var r store.Recipient
		var state, flags int16
		err := row.Scan(&r.Bulletin, &r.Idx, &state, &r.Method, &r.Attempts, &flags, &r.MethodAt, &r.HealAt, &r.AckedAt, &r.Response)
		r.State, r.Flags = uint8(state), uint8(flags)
		return r, err
	})
}

// Due returns recipients whose next action is due, oldest first. One node
// serialises its claims in-process, so a plain read suffices; a second node
// writing meanwhile is an outside change (ExternalChanges), which makes the
// first node's batches made before it fail (store.ErrConflict), not overwrite.
func (s *Store) Due(ctx context.Context, now int64, limit int) ([]store.Recipient, error) {
	rs, err := scanRecipients(s.pool.Query(ctx, `SELECT `+recipientCols+` FROM recipients
		WHERE next_at IS NOT NULL AND next_at <= $1 ORDER BY next_at, bulletin, idx LIMIT $2`, now, limit))
	if err != nil {
		return nil, fmt.Errorf("due recipients: %w", err)
	}
	return rs, nil
}

// NextDue returns the earliest next action of any recipient or queued attempt.
func (s *Store) NextDue(ctx context.Context) (int64, bool, error) {
	var r, a *int64
	err := s.pool.QueryRow(ctx, `SELECT (SELECT min(next_at) FROM recipients WHERE next_at IS NOT NULL),
		(SELECT min(queued_at) FROM attempts)`).Scan(&r, &a)
	if err != nil {
		return 0, false, fmt.Errorf("next due: %w", err)
	}
	switch {
	case r != nil && a != nil:
		return min(*r, *a), true, nil
	case r != nil:
		return *r, true, nil
	case a != nil:
		return *a, true, nil
	}
	return 0, false, nil
}

// Recipients returns the given recipients of a bulletin (those that exist).
func (s *Store) Recipients(ctx context.Context, bulletin int64, idxs []int32) ([]store.Recipient, error) {
	if len(idxs) == 0 {
		return nil, nil
	}
	rs, err := scanRecipients(s.pool.Query(ctx, `SELECT `+recipientCols+` FROM recipients
		WHERE bulletin = $1 AND idx = ANY($2::integer[])`, bulletin, idxs))
	if err != nil {
		return nil, fmt.Errorf("bulletin %d: recipients: %w", bulletin, err)
	}
	return rs, nil
}

// AllRecipients returns every recipient of a bulletin in index order.
func (s *Store) AllRecipients(ctx context.Context, bulletin int64) ([]store.Recipient, error) {
	rs, err := scanRecipients(s.pool.Query(ctx, `SELECT `+recipientCols+` FROM recipients WHERE bulletin = $1 ORDER BY idx`, bulletin))
	if err != nil {
		return nil, fmt.Errorf("bulletin %d: recipients: %w", bulletin, err)
	}
	return rs, nil
}
