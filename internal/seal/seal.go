// Package seal encrypts contact data at rest with XChaCha20-Poly1305 and
// derives the keyed blind index used to find a person by phone number. The key
// never lives in the database: it comes from a key file or the environment.
package seal

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/crypto/chacha20poly1305"
)

// KeySize is the length of a key in bytes.
const KeySize = chacha20poly1305.KeySize

// Key seals and opens data and computes blind indexes.
type Key struct {
	raw   []byte
	index []byte
}

// NewKey builds a Key from 32 raw bytes.
func NewKey(raw []byte) (*Key, error) {
	if len(raw) != KeySize {
		return nil, fmt.Errorf("key is %d bytes, want %d", len(raw), KeySize)
	}
	m := hmac.New(sha256.New, raw)
	m.Write([]byte("phonetree blind index v1"))
	return &Key{raw: append([]byte(nil), raw...), index: m.Sum(nil)}, nil
}

// ParseKey reads a key written as 64 hex digits.
func ParseKey(s string) (*Key, error) {
	raw, err := hex.DecodeString(strings.TrimSpace(s))
	if err != nil {
		return nil, fmt.Errorf("key: not hex: %w", err)
	}
	return NewKey(raw)
}

// LoadOrCreate reads the key file at path, creating it (mode 0600) with a
// fresh random key when it does not exist; created reports which.
func LoadOrCreate(path string) (k *Key, created bool, err error) {
	b, err := os.ReadFile(path)
	if err == nil {
		k, err = ParseKey(string(b))
		if err != nil {
			return nil, false, fmt.Errorf("key file %s: %w", path, err)
		}
		return k, false, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, false, err
	}
	raw := make([]byte, KeySize)
	if _, err := rand.Read(raw); err != nil {
		return nil, false, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, false, fmt.Errorf("create key file: %w", err)
	}
	if _, err := f.WriteString(hex.EncodeToString(raw) + "\n"); err != nil {
		f.Close()
		return nil, false, err
	}
	if err := f.Close(); err != nil {
		return nil, false, err
	}
	k, err = NewKey(raw)
	return k, true, err
}

// Seal encrypts plain; ad binds the ciphertext to its place (e.g. a row id).
func (k *Key) Seal(plain, ad []byte) []byte {
	aead, _ := chacha20poly1305.NewX(k.raw)
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		panic("seal: no randomness: " + err.Error())
	}
	return aead.Seal(nonce, nonce, plain, ad)
}

// Open decrypts what Seal produced with the same ad.
func (k *Key) Open(sealed, ad []byte) ([]byte, error) {
	aead, _ := chacha20poly1305.NewX(k.raw)
	if len(sealed) < aead.NonceSize()+aead.Overhead() {
		return nil, errors.New("sealed data too short")
	}
	n := aead.NonceSize()
	plain, err := aead.Open(nil, sealed[:n], sealed[n:], ad)
	if err != nil {
		return nil, errors.New("cannot decrypt: wrong key or tampered data")
	}
	return plain, nil
}

// Index is the blind index of a value (a phone number in E.164): a keyed
// HMAC, so equal numbers match without the number being stored.
func (k *Key) Index(value string) []byte {
	m := hmac.New(sha256.New, k.index)
	m.Write([]byte(value))
	return m.Sum(nil)[:16]
}
