package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"phonetree/internal/store"
)

// SigningKey returns the instance's signing key (the newest), or ErrNotFound.
func (s *Store) SigningKey(ctx context.Context) (*store.SigningKey, error) {
	var k store.SigningKey
	err := s.r.QueryRowContext(ctx, `SELECT id, created_at, public_key, private_sealed FROM signing_keys ORDER BY id DESC LIMIT 1`).
		Scan(&k.ID, &k.CreatedAt, &k.Public, &k.PrivateSealed)
	if err != nil {
		return nil, notFound(err, "signing key")
	}
	return &k, nil
}

// SigningKeyByID returns one signing key.
func (s *Store) SigningKeyByID(ctx context.Context, id int64) (*store.SigningKey, error) {
	var k store.SigningKey
	err := s.r.QueryRowContext(ctx, `SELECT id, created_at, public_key, private_sealed FROM signing_keys WHERE id = ?`, id).
		Scan(&k.ID, &k.CreatedAt, &k.Public, &k.PrivateSealed)
	if err != nil {
		return nil, notFound(err, fmt.Sprintf("signing key %d", id))
	}
	return &k, nil
}

// AddSigningKey stores a new signing key.
func (s *Store) AddSigningKey(ctx context.Context, k *store.SigningKey) error {
	res, err := s.w.ExecContext(ctx, `INSERT INTO signing_keys(created_at, public_key, private_sealed) VALUES (?,?,?)`, k.CreatedAt, k.Public, k.PrivateSealed)
	if err != nil {
		return err
	}
	k.ID, err = res.LastInsertId()
	return err
}

// SaveSignature records a bulletin's signature.
func (s *Store) SaveSignature(ctx context.Context, bulletin, keyID int64, sig []byte) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO bulletin_signatures(bulletin, key_id, signature) VALUES (?,?,?)`, bulletin, keyID, sig)
	return err
}

// Signature returns a bulletin's signature and the key that made it.
func (s *Store) Signature(ctx context.Context, bulletin int64) (keyID int64, sig []byte, err error) {
	err = s.r.QueryRowContext(ctx, `SELECT key_id, signature FROM bulletin_signatures WHERE bulletin = ?`, bulletin).Scan(&keyID, &sig)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, fmt.Errorf("signature of bulletin %d: %w", bulletin, store.ErrNotFound)
	}
	return keyID, sig, err
}
