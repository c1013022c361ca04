package engine

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"

	"phonetree/internal/seal"
	"phonetree/internal/sign"
	"phonetree/internal/store"
)

var signingAD = []byte("phonetree signing key")

// signingKey returns the instance's Ed25519 key, creating it on first use.
func (e *Engine) signingKey(ctx context.Context, ss store.Signatures) (int64, ed25519.PrivateKey, error) {
	k, err := ss.SigningKey(ctx)
	if errors.Is(err, store.ErrNotFound) {
		pub, priv, gerr := ed25519.GenerateKey(rand.Reader)
		if gerr != nil {
			return 0, nil, gerr
		}
		k = &store.SigningKey{CreatedAt: e.cfg.Clock.Now().UnixNano(), Public: pub, PrivateSealed: e.cfg.Key.Seal(priv, signingAD)}
		err = ss.AddSigningKey(ctx, k)
	}
	if err != nil {
		return 0, nil, fmt.Errorf("signing key: %w", err)
	}
	priv, err := e.cfg.Key.Open(k.PrivateSealed, signingAD)
	if err != nil {
		return 0, nil, fmt.Errorf("signing key: %w", err)
	}
	return k.ID, ed25519.PrivateKey(priv), nil
}

// signBulletin signs b with the instance key, if the store keeps signatures.
func (e *Engine) signBulletin(ctx context.Context, b *store.Bulletin) error {
	ss, ok := e.cfg.Store.(store.Signatures)
	if !ok {
		return nil
	}
	id, priv, err := e.signingKey(ctx, ss)
	if err != nil {
		return err
	}
	return ss.SaveSignature(ctx, b.ID, id, sign.Sign(priv, b))
}

// Verdict is whether a bulletin is genuine.
type Verdict struct {
	Bulletin    int64  `json:"bulletin"`
	Genuine     bool   `json:"genuine"`
	Title       string `json:"title"`
	Fingerprint string `json:"key_fingerprint,omitempty"`
	Reason      string `json:"reason,omitempty"`
}

// Verify checks bulletin id, as the database holds it now, against its signature.
func (e *Engine) Verify(ctx context.Context, id int64) (*Verdict, error) {
	b, err := e.cfg.Store.Bulletin(ctx, id)
	if err != nil {
		return nil, err
	}
	v := &Verdict{Bulletin: id, Title: b.Title}
	ss, ok := e.cfg.Store.(store.Signatures)
	if !ok {
		v.Reason = "this database backend keeps no signatures"
		return v, nil
	}
	keyID, sig, err := ss.Signature(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		v.Reason = "the bulletin has no signature"
		return v, nil
	} else if err != nil {
		return nil, err
	}
	k, err := ss.SigningKeyByID(ctx, keyID)
	if err != nil {
		return nil, err
	}
	v.Fingerprint = sign.Fingerprint(k.Public)
	if v.Genuine = sign.Verify(k.Public, b, sig); !v.Genuine {
		v.Reason = "the signature does not match the bulletin's content: it was changed after it was sent"
	}
	return v, nil
}

// Fingerprint is the instance signing key's fingerprint ("" before the first bulletin).
func (e *Engine) Fingerprint(ctx context.Context) string {
	ss, ok := e.cfg.Store.(store.Signatures)
	if !ok {
		return ""
	}
	k, err := ss.SigningKey(ctx)
	if err != nil {
		return ""
	}
	return sign.Fingerprint(k.Public)
}

// KeyFingerprint returns the signing key's fingerprint, creating the key if
// this instance has none yet (call sheets are printed before any bulletin).
func (e *Engine) KeyFingerprint(ctx context.Context) (string, error) {
	ss, ok := e.cfg.Store.(store.Signatures)
	if !ok {
		return "", errors.New("this database backend keeps no signing key")
	}
	if _, _, err := e.signingKey(ctx, ss); err != nil {
		return "", err
	}
	return e.Fingerprint(ctx), nil
}

// ResealSigningKey re-seals k's private half under key's primary (after a
// key rotation); ok is false if the stored value changed meanwhile.
func ResealSigningKey(ctx context.Context, rs store.Resealer, key *seal.Key, k *store.SigningKey) (ok bool, err error) {
	priv, err := key.Open(k.PrivateSealed, signingAD)
	if err != nil {
		return false, fmt.Errorf("signing key %d: %w", k.ID, err)
	}
	return rs.ResealSigningKey(ctx, k.ID, k.PrivateSealed, key.Seal(priv, signingAD))
}
