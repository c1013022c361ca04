package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"phonetree/internal/store"
)

var _ store.Signatures = (*Store)(nil)

const signingKeyCols = `id, created_at, public_key, private_sealed`

func scanSigningKey(row pgx.Row) (*store.SigningKey, error) {
	var k store.SigningKey
	err := row.Scan(&k.ID, &k.CreatedAt, &k.Public, &k.PrivateSealed)
	return &k, err
}

// SigningKey returns the instance's signing key (the newest), or ErrNotFound.
func (s *Store) SigningKey(ctx context.Context) (*store.SigningKey, error) {
	k, err := scanSigningKey(s.pool.QueryRow(ctx, `SELECT `+signingKeyCols+` FROM signing_keys ORDER BY id DESC LIMIT 1`))
	if err != nil {
		return nil, notFound(err, "signing key")
	}
	return k, nil
}

// SigningKeyByID returns one signing key.
func (s *Store) SigningKeyByID(ctx context.Context, id int64) (*store.SigningKey, error) {
	k, err := scanSigningKey(s.pool.QueryRow(ctx, `SELECT `+signingKeyCols+` FROM signing_keys WHERE id = $1`, id))
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("signing key %d", id))
	}
	return k, nil
}

// AddSigningKey stores a new signing key and sets its id.
func (s *Store) AddSigningKey(ctx context.Context, k *store.SigningKey) error {
	err := s.pool.QueryRow(ctx, `INSERT INTO signing_keys (created_at, public_key, private_sealed) VALUES ($1, $2, $3) RETURNING id`,
		k.CreatedAt, k.Public, k.PrivateSealed).Scan(&k.ID)
	if err != nil {
		return fmt.Errorf("add signing key: %w", err)
	}
	return nil
}

// SaveSignature records a bulletin's signature.
func (s *Store) SaveSignature(ctx context.Context, bulletin, keyID int64, sig []byte) error {
	_, err := s.pool.Exec(ctx, `INSERT INTO bulletin_signatures (bulletin, key_id, signature) VALUES ($1, $2, $3)`, bulletin, keyID, sig)
	if err != nil {
		return fmt.Errorf("signature of bulletin %d: %w", bulletin, err)
	}
	return nil
}

// Signature returns a bulletin's signature and the key that made it.
func (s *Store) Signature(ctx context.Context, bulletin int64) (keyID int64, sig []byte, err error) {
	err = s.pool.QueryRow(ctx, `SELECT key_id, signature FROM bulletin_signatures WHERE bulletin = $1`, bulletin).Scan(&keyID, &sig)
	if err != nil {
		return 0, nil, notFound(err, fmt.Sprintf("signature of bulletin %d", bulletin))
	}
	return keyID, sig, nil
}
