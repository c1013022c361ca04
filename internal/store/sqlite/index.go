package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"phonetree/internal/store"
)

var (
	_ store.ContactIndex = (*Store)(nil)
	_ store.Resealer     = (*Store)(nil)
)

// Contacts returns the people, in every roster version, whose number has one
// of these blind indexes.
func (s *Store) Contacts(ctx context.Context, macs [][]byte) ([]store.Contact, error) {
	buckets := store.IndexBucketsOf(macs)
	if len(buckets) == 0 {
		return nil, nil
	}
	args := make([]any, len(buckets))
	for i, b := range buckets {
		args[i] = b
	}
	q := `SELECT version, bucket, data FROM contact_index WHERE bucket IN (?` + strings.Repeat(",?", len(buckets)-1) + `)`
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("contact index: %w", err)
	}
	defer rows.Close()
	var found []store.IndexRow
	for rows.Next() {
		var r store.IndexRow
		if err := rows.Scan(&r.Version, &r.Bucket, &r.Data); err != nil {
			return nil, fmt.Errorf("contact index: %w", err)
		}
		found = append(found, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("contact index: %w", err)
	}
	return store.SearchIndex(found, macs), nil
}

// insertIndex writes a roster version's blind index, one row a bucket.
func insertIndex(ctx context.Context, tx *sql.Tx, version int64, index []store.IndexEntry) error {
	rows, err := store.PackIndex(version, index)
	if err != nil {
		return fmt.Errorf("roster version %d: %w", version, err)
	}
	args := make([]any, 0, 3*len(rows))
	for _, r := range rows {
		args = append(args, r.Bucket, r.Version, r.Data)
	}
	if err := insertMulti(ctx, tx, `INSERT INTO contact_index(bucket, version, data)`, "", 3, args); err != nil {
		return fmt.Errorf("roster version %d: blind index: %w", version, err)
	}
	return nil
}

// ResealRoster replaces a roster version's chunks and blind index in one transaction.
func (s *Store) ResealRoster(ctx context.Context, version int64, chunks [][]byte, index []store.IndexEntry) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{`DELETE FROM roster_chunks WHERE version = ?`, `DELETE FROM contact_index WHERE version = ?`} {
			if _, err := tx.ExecContext(ctx, q, version); err != nil {
				return fmt.Errorf("reseal roster version %d: %w", version, err)
			}
		}
		for n, c := range chunks {
			if _, err := tx.ExecContext(ctx, `INSERT INTO roster_chunks(version, n, data) VALUES (?,?,?)`, version, n, c); err != nil {
				return fmt.Errorf("reseal roster version %d chunk %d: %w", version, n, err)
			}
		}
		return insertIndex(ctx, tx, version, index)
	})
}

// UnindexedRosters lists roster versions with people but no blind index.
func (s *Store) UnindexedRosters(ctx context.Context) ([]int64, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id FROM roster_versions v
		WHERE people > 0 AND NOT EXISTS (SELECT 1 FROM contact_index WHERE version = v.id) ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("unindexed rosters: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// SigningKeys lists every signing key, oldest first.
func (s *Store) SigningKeys(ctx context.Context) ([]store.SigningKey, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, created_at, public_key, private_sealed FROM signing_keys ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("signing keys: %w", err)
	}
	defer rows.Close()
	var out []store.SigningKey
	for rows.Next() {
		var k store.SigningKey
		if err := rows.Scan(&k.ID, &k.CreatedAt, &k.Public, &k.PrivateSealed); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// ResealSigningKey replaces a signing key's sealed private half if it is still old.
func (s *Store) ResealSigningKey(ctx context.Context, id int64, old, new []byte) (bool, error) {
	return s.swap(ctx, fmt.Sprintf("signing key %d", id), `UPDATE signing_keys SET private_sealed = ? WHERE id = ? AND private_sealed = ?`, id, old, new)
}

// ResealTOTP replaces a user's sealed TOTP secret if it is still old.
func (s *Store) ResealTOTP(ctx context.Context, user int64, old, new []byte) (bool, error) {
	return s.swap(ctx, fmt.Sprintf("TOTP secret of user %d", user), `UPDATE users SET totp_sealed = ? WHERE id = ? AND totp_sealed = ?`, user, old, new)
}

// swap runs q, an update of what from old to new if it is still old.
func (s *Store) swap(ctx context.Context, what, q string, id int64, old, new []byte) (bool, error) {
	res, err := s.w.ExecContext(ctx, q, new, id, old)
	if err != nil {
		return false, fmt.Errorf("reseal %s: %w", what, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
