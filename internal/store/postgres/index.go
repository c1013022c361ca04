package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

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
	rows, err := s.pool.Query(ctx, `SELECT version, bucket, data FROM contact_index WHERE bucket = ANY($1::integer[])`, buckets)
	found, err := collect(rows, err, pgx.RowToStructByPos[store.IndexRow])
	if err != nil {
		return nil, fmt.Errorf("contact index: %w", err)
	}
	return store.SearchIndex(found, macs), nil
}

// insertIndex writes a roster version's blind index, one row a bucket.
func insertIndex(ctx context.Context, tx pgx.Tx, version int64, index []store.IndexEntry) error {
	rows, err := store.PackIndex(version, index)
	if err != nil {
		return fmt.Errorf("roster version %d: %w", version, err)
	}
	if len(rows) == 0 {
		return nil
	}
	buckets, data := make([]int32, len(rows)), make([][]byte, len(rows))
	for i, r := range rows {
		buckets[i], data[i] = int32(r.Bucket), r.Data
	}
	_, err = tx.Exec(ctx, `INSERT INTO contact_index (bucket, version, data)
		SELECT b.bucket, $1, b.data FROM unnest($2::integer[], $3::bytea[]) AS b(bucket, data)`, version, buckets, data)
	if err != nil {
		return fmt.Errorf("roster version %d: blind index: %w", version, err)
	}
	return nil
}

// ResealRoster replaces a roster version's chunks and blind index in one transaction.
func (s *Store) ResealRoster(ctx context.Context, version int64, chunks [][]byte, index []store.IndexEntry) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, q := range []string{`DELETE FROM roster_chunks WHERE version = $1`, `DELETE FROM contact_index WHERE version = $1`} {
			if _, err := tx.Exec(ctx, q, version); err != nil {
				return fmt.Errorf("reseal roster version %d: %w", version, err)
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO roster_chunks (version, n, data)
			SELECT $1, c.n - 1, c.data FROM unnest($2::bytea[]) WITH ORDINALITY AS c(data, n)`, version, chunks)
		if err != nil {
			return fmt.Errorf("reseal roster version %d: %d chunks: %w", version, len(chunks), err)
		}
		return insertIndex(ctx, tx, version, index)
	})
}

// UnindexedRosters lists roster versions with people but no blind index.
func (s *Store) UnindexedRosters(ctx context.Context) ([]int64, error) {
	rows, err := s.pool.Query(ctx, `SELECT id FROM roster_versions v
		WHERE people > 0 AND NOT EXISTS (SELECT 1 FROM contact_index WHERE version = v.id) ORDER BY id`)
	out, err := collect(rows, err, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("unindexed rosters: %w", err)
	}
	return out, nil
}

// SigningKeys lists every signing key, oldest first.
func (s *Store) SigningKeys(ctx context.Context) ([]store.SigningKey, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+signingKeyCols+` FROM signing_keys ORDER BY id`)
	out, err := collect(rows, err, func(r pgx.CollectableRow) (store.SigningKey, error) {
		k, err := scanSigningKey(r)
		return *k, err
	})
	if err != nil {
		return nil, fmt.Errorf("signing keys: %w", err)
	}
	return out, nil
}

// ResealSigningKey replaces a signing key's sealed private half if it is still old.
func (s *Store) ResealSigningKey(ctx context.Context, id int64, old, new []byte) (bool, error) {
	return s.swap(ctx, fmt.Sprintf("signing key %d", id), `UPDATE signing_keys SET private_sealed = $1 WHERE id = $2 AND private_sealed = $3`, id, old, new)
}

// ResealTOTP replaces a user's sealed TOTP secret if it is still old.
func (s *Store) ResealTOTP(ctx context.Context, user int64, old, new []byte) (bool, error) {
	return s.swap(ctx, fmt.Sprintf("TOTP secret of user %d", user), `UPDATE users SET totp_sealed = $1 WHERE id = $2 AND totp_sealed = $3`, user, old, new)
}

// swap runs q, an update of what from old to new if it is still old.
func (s *Store) swap(ctx context.Context, what, q string, id int64, old, new []byte) (bool, error) {
	tag, err := s.pool.Exec(ctx, q, new, id, old)
	if err != nil {
		return false, fmt.Errorf("reseal %s: %w", what, err)
	}
	return tag.RowsAffected() == 1, nil
}
