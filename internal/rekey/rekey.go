// Package rekey moves sealed data to the key ring's primary key. After
// `phonetree key rotate` puts a new key first in the key file, Reseal
// re-seals every roster version (rebuilding its blind index), TOTP secret
// and signing key, each in a transaction of its own so that a running server
// is never held up for long; Inventory tells which key seals what, so that a
// previous key is retired only once nothing needs it.
package rekey

import (
	"context"
	"errors"
	"fmt"
	"io"

	"phonetree/internal/engine"
	"phonetree/internal/seal"
	"phonetree/internal/store"
	"phonetree/internal/web"
)

// Item is one sealed value in the database and the key that sealed it.
type Item struct {
	What string // "roster version 3 chunk 0", "TOTP secret of ana", "signing key 1"
	Key  string // the id of the key that sealed it; "" if sealed before key ids
}

// Inventory lists every sealed value in st.
func Inventory(ctx context.Context, st store.Store, key *seal.Key) ([]Item, error) {
	var items []Item
	err := eachRoster(ctx, st, func(v *store.RosterVersion, _, _ int) error {
		for n, c := range v.Chunks {
			items = append(items, Item{fmt.Sprintf("roster version %d chunk %d", v.ID, n), key.SealedBy(c)})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	users, keys, err := secrets(ctx, st)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		items = append(items, Item{"TOTP secret of " + u.Name, key.SealedBy(u.TOTPSealed)})
	}
	for _, k := range keys {
		items = append(items, Item{fmt.Sprintf("signing key %d", k.ID), key.SealedBy(k.PrivateSealed)})
	}
	return items, nil
}

// Reseal re-seals every value that key's primary did not seal and rebuilds
// the blind index of each roster version it re-seals, writing a line of
// progress to w for each. A value someone changes meanwhile is left as they
// wrote it (sealed with the primary key of their ring).
func Reseal(ctx context.Context, st store.Store, key *seal.Key, w io.Writer) error {
	primary := key.IDs()[0]
	err := eachRoster(ctx, st, func(v *store.RosterVersion, i, of int) error {
		if sealedBy(key, primary, v.Chunks...) {
			return nil
		}
		n, err := engine.ResealRoster(ctx, st, key, v)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "roster version %d: re-sealed %d chunks, indexed %d numbers (%d of %d)\n", v.ID, len(v.Chunks), n, i, of)
		return nil
	})
	if err != nil {
		return err
	}
	return resealSecrets(ctx, st, key, primary, w)
}

// resealSecrets re-seals TOTP secrets and signing keys.
func resealSecrets(ctx context.Context, st store.Store, key *seal.Key, primary string, w io.Writer) error {
	users, keys, err := secrets(ctx, st)
	if err != nil {
		return err
	}
	rs, ok := st.(store.Resealer)
	if !ok && len(users)+len(keys) > 0 {
		return errors.New("this database cannot re-seal its TOTP secrets and signing keys")
	}
	n := 0
	for _, u := range users {
		if sealedBy(key, primary, u.TOTPSealed) {
			continue
		}
		plain, err := key.Open(u.TOTPSealed, web.TOTPAD(u.Name))
		if err != nil {
			return fmt.Errorf("TOTP secret of %s: %w", u.Name, err)
		}
		if _, err := rs.ResealTOTP(ctx, u.ID, u.TOTPSealed, key.Seal(plain, web.TOTPAD(u.Name))); err != nil {
			return err
		}
		n++
	}
	fmt.Fprintf(w, "TOTP secrets: re-sealed %d of %d\n", n, len(users))
	n = 0
	for i := range keys {
		if sealedBy(key, primary, keys[i].PrivateSealed) {
			continue
		}
		if _, err := engine.ResealSigningKey(ctx, rs, key, &keys[i]); err != nil {
			return err
		}
		n++
	}
	fmt.Fprintf(w, "signing keys: re-sealed %d of %d\n", n, len(keys))
	return nil
}

// sealedBy reports whether the key with id sealed all of values.
func sealedBy(key *seal.Key, id string, values ...[]byte) bool {
	for _, v := range values {
		if key.SealedBy(v) != id {
			return false
		}
	}
	return true
}

// eachRoster calls fn with each roster version and its chunks, oldest
// first, and its place in the list (from 1).
func eachRoster(ctx context.Context, st store.Store, fn func(v *store.RosterVersion, i, of int) error) error {
	vs, err := st.RosterVersions(ctx)
	if err != nil {
		return fmt.Errorf("roster versions: %w", err)
	}
	for i := range vs {
		v, err := st.RosterVersion(ctx, vs[len(vs)-1-i].ID)
		if err != nil {
			return err
		}
		if err := fn(v, i+1, len(vs)); err != nil {
			return err
		}
	}
	return nil
}

// secrets are the users and signing keys of a database that keeps them,
// each with its sealed secret.
func secrets(ctx context.Context, st store.Store) (users []store.User, keys []store.SigningKey, err error) {
	if acc, ok := st.(store.Accounts); ok {
		if users, err = acc.Users(ctx); err != nil {
			return nil, nil, fmt.Errorf("users: %w", err)
		}
	}
	if _, ok := st.(store.Signatures); ok {
		rs, ok := st.(store.Resealer)
		if !ok {
			return nil, nil, errors.New("this database cannot list its signing keys")
		}
		if keys, err = rs.SigningKeys(ctx); err != nil {
			return nil, nil, err
		}
	}
	return users, keys, nil
}
