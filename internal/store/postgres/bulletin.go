package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"phonetree/internal/store"
)

const bulletinCols = `id, incident, kind, status, title, body, mode, policy, roster_version, created_at, state, recipients`

// CreateBulletin inserts the bulletin and its recipients in one transaction;
// the recipients go in by COPY.
func (s *Store) CreateBulletin(ctx context.Context, b *store.Bulletin, rs []store.Recipient) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT phonetree_write($1, NULL)`, s.writer); err != nil {
			return err
		}
		b.Recipients = len(rs)
		// An incident of 0 starts a new incident, named by the bulletin's id.
		err := tx.QueryRow(ctx, `INSERT INTO bulletins (id, incident, kind, status, title, body, mode, policy, roster_version, created_at, state, recipients)
			SELECT n.id, CASE WHEN $1::bigint = 0 THEN n.id ELSE $1 END, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11
			FROM (SELECT nextval(pg_get_serial_sequence('bulletins', 'id')) AS id) n
			RETURNING id, incident`,
			b.Incident, b.Kind, b.Status, b.Title, b.Body, b.Mode, b.Policy, b.RosterVersion, b.CreatedAt, b.State, b.Recipients,
		).Scan(&b.ID, &b.Incident)
		if err != nil {
			return err
		}
		for i := range rs {
			rs[i].Bulletin = b.ID
		}
		_, err = tx.CopyFrom(ctx, pgx.Identifier{"recipients"}, recipientColNames, pgx.CopyFromSlice(len(rs), func(i int) ([]any, error) {
			r := &rs[i]
			var next *int64
			if n := r.NextAt(); n != 0 {
				next = &n
			}
			return []any{r.Bulletin, r.Idx, int16(r.State), int16(r.Method), r.Attempts, int16(r.Flags),
				r.MethodAt, r.HealAt, r.AckedAt, int16(r.Response), next}, nil
		}))
		if err != nil {
			return fmt.Errorf("%d recipients: %w", len(rs), err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("create bulletin: %w", err)
	}
	return nil
}

func scanBulletin(row pgx.Row) (store.Bulletin, error) {
	var b store.Bulletin
	err := row.Scan(&b.ID, &b.Incident, &b.Kind, &b.Status, &b.Title, &b.Body, &b.Mode, &b.Policy, &b.RosterVersion, &b.CreatedAt, &b.State, &b.Recipients)
	return b, err
}

// Bulletin returns one bulletin.
func (s *Store) Bulletin(ctx context.Context, id int64) (*store.Bulletin, error) {
	b, err := scanBulletin(s.pool.QueryRow(ctx, `SELECT `+bulletinCols+` FROM bulletins WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("bulletin %d", id))
	}
	return &b, nil
}

// Bulletins lists bulletins, newest first.
func (s *Store) Bulletins(ctx context.Context) ([]store.Bulletin, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+bulletinCols+` FROM bulletins ORDER BY id DESC`)
	out, err := collect(rows, err, func(r pgx.CollectableRow) (store.Bulletin, error) { return scanBulletin(r) })
	if err != nil {
		return nil, fmt.Errorf("bulletins: %w", err)
	}
	return out, nil
}
