package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"phonetree/internal/store"
)

// SaveRosterVersion inserts a new roster version and its chunks atomically.
func (s *Store) SaveRosterVersion(ctx context.Context, v *store.RosterVersion) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO roster_versions (created_at, people, diff, lint) VALUES ($1, $2, $3, $4) RETURNING id`,
			v.CreatedAt, v.People, v.Diff, v.Lint).Scan(&v.ID)
		if err != nil {
			return err
		}
		if len(v.Chunks) > 0 {
			_, err = tx.Exec(ctx, `INSERT INTO roster_chunks (version, n, data)
				SELECT $1, c.n - 1, c.data FROM unnest($2::bytea[]) WITH ORDINALITY AS c(data, n)`, v.ID, v.Chunks)
			if err != nil {
				return fmt.Errorf("%d chunks: %w", len(v.Chunks), err)
			}
		}
		return insertIndex(ctx, tx, v.ID, v.Index)
	})
	if err != nil {
		return fmt.Errorf("save roster version: %w", err)
	}
	return nil
}

const rosterVersionCols = `id, created_at, people, diff, lint`

func scanRosterVersion(row pgx.Row) (store.RosterVersion, error) {
	var v store.RosterVersion
	err := row.Scan(&v.ID, &v.CreatedAt, &v.People, &v.Diff, &v.Lint)
	return v, err
}

// RosterVersion returns version id with its chunks (the latest for id 0).
func (s *Store) RosterVersion(ctx context.Context, id int64) (*store.RosterVersion, error) {
	q, args := `SELECT `+rosterVersionCols+` FROM roster_versions WHERE id = $1`, []any{id}
	if id == 0 {
		q, args = `SELECT `+rosterVersionCols+` FROM roster_versions ORDER BY id DESC LIMIT 1`, nil
	}
	v, err := scanRosterVersion(s.pool.QueryRow(ctx, q, args...))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("roster version %d", id))
	}
	rows, err := s.pool.Query(ctx, `SELECT data FROM roster_chunks WHERE version = $1 ORDER BY n`, v.ID)
	v.Chunks, err = collect(rows, err, pgx.RowTo[[]byte])
	if err != nil {
		return nil, fmt.Errorf("roster version %d: chunks: %w", v.ID, err)
	}
	return &v, nil
}

// RosterVersions lists versions, newest first, without their data.
func (s *Store) RosterVersions(ctx context.Context) ([]store.RosterVersion, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+rosterVersionCols+` FROM roster_versions ORDER BY id DESC`)
	out, err := collect(rows, err, func(r pgx.CollectableRow) (store.RosterVersion, error) { return scanRosterVersion(r) })
	if err != nil {
		return nil, fmt.Errorf("roster versions: %w", err)
	}
	return out, nil
}
