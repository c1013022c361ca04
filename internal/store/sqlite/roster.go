package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"phonetree/internal/store"
)

// SaveRosterVersion inserts a new roster version and its chunks atomically.
func (s *Store) SaveRosterVersion(ctx context.Context, v *store.RosterVersion) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO roster_versions(created_at, people, diff, lint) VALUES (?,?,?,?)`,
			v.CreatedAt, v.People, v.Diff, v.Lint)
		if err != nil {
			return err
		}
		if v.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		st, err := tx.PrepareContext(ctx, `INSERT INTO roster_chunks(version, n, data) VALUES (?,?,?)`)
		if err != nil {
			return err
		}
		defer st.Close()
		for n, c := range v.Chunks {
			if _, err := st.ExecContext(ctx, v.ID, n, c); err != nil {
				return fmt.Errorf("roster chunk %d: %w", n, err)
			}
		}
		return insertIndex(ctx, tx, v.ID, v.Index)
	})
}

// RosterVersion returns version id with its chunks (the latest for id 0).
func (s *Store) RosterVersion(ctx context.Context, id int64) (*store.RosterVersion, error) {
	q := `SELECT id, created_at, people, diff, lint FROM roster_versions WHERE id = ?`
	args := []any{id}
	if id == 0 {
		q, args = `SELECT id, created_at, people, diff, lint FROM roster_versions ORDER BY id DESC LIMIT 1`, nil
	}
	var v store.RosterVersion
	err := s.r.QueryRowContext(ctx, q, args...).Scan(&v.ID, &v.CreatedAt, &v.People, &v.Diff, &v.Lint)
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("roster version %d", id))
	}
	rows, err := s.r.QueryContext(ctx, `SELECT data FROM roster_chunks WHERE version = ? ORDER BY n`, v.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		v.Chunks = append(v.Chunks, b)
	}
	return &v, rows.Err()
}

// RosterVersions lists versions, newest first, without their data.
func (s *Store) RosterVersions(ctx context.Context) ([]store.RosterVersion, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, created_at, people, diff, lint FROM roster_versions ORDER BY id DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.RosterVersion
	for rows.Next() {
		var v store.RosterVersion
		if err := rows.Scan(&v.ID, &v.CreatedAt, &v.People, &v.Diff, &v.Lint); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
