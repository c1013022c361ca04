package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"phonetree/internal/store"
)

const bulletinCols = `id, incident, kind, status, title, body, mode, policy, roster_version, created_at, state, recipients`

// CreateBulletin inserts the bulletin and its recipients in one transaction.
func (s *Store) CreateBulletin(ctx context.Context, b *store.Bulletin, rs []store.Recipient) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		b.Recipients = len(rs)
		res, err := tx.ExecContext(ctx, `INSERT INTO bulletins(incident, kind, status, title, body, mode, policy, roster_version, created_at, state, recipients)
			VALUES (?,?,?,?,?,?,?,?,?,?,?)`, b.Incident, b.Kind, b.Status, b.Title, b.Body, b.Mode, b.Policy, b.RosterVersion, b.CreatedAt, b.State, b.Recipients)
		if err != nil {
			return err
		}
		if b.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		if b.Incident == 0 {
			b.Incident = b.ID
			if _, err := tx.ExecContext(ctx, `UPDATE bulletins SET incident = id WHERE id = ?`, b.ID); err != nil {
				return err
			}
		}
		for i := range rs {
			rs[i].Bulletin = b.ID
		}
		return upsertRecipients(ctx, tx, rs)
	})
}

func scanBulletin(sc interface{ Scan(...any) error }) (store.Bulletin, error) {
	var b store.Bulletin
	err := sc.Scan(&b.ID, &b.Incident, &b.Kind, &b.Status, &b.Title, &b.Body, &b.Mode, &b.Policy, &b.RosterVersion, &b.CreatedAt, &b.State, &b.Recipients)
	return b, err
}

// Bulletin returns one bulletin.
func (s *Store) Bulletin(ctx context.Context, id int64) (*store.Bulletin, error) {
	b, err := scanBulletin(s.r.QueryRowContext(ctx, `SELECT `+bulletinCols+` FROM bulletins WHERE id = ?`, id))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("bulletin %d", id))
	}
	return &b, nil
}

// Bulletins lists bulletins, newest first.
func (s *Store) Bulletins(ctx context.Context) ([]store.Bulletin, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+bulletinCols+` FROM bulletins ORDER BY id DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Bulletin
	for rows.Next() {
		b, err := scanBulletin(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}
