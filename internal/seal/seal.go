// Package seal encrypts contact data at rest with XChaCha20-Poly1305 and
// derives the keyed blind index used to find a person by phone number. The key
// never lives in the database: it comes from a key file or the environment.
//
// A key is a ring: the primary key seals and makes MACs and blind indexes;
// previous keys, kept after a rotation, only open what they sealed and verify
// what they signed. Sealed data starts with the id of the key that sealed it.
package seal

import (
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"

	"golang.org/x/crypto/chacha20poly1305"
)

// KeySize is the length of a key in bytes.
const KeySize = chacha20poly1305.KeySize

const (
	idSize = 4
	// withKeyID is the first byte of data sealed since key ids: then come
	// the key id, the nonce and the ciphertext. Data sealed before is the
	// nonce and ciphertext alone.
	withKeyID  = 2
	headerSize = 1 + idSize
)

// secret is one key of a ring.
type secret struct {
	raw   []byte
	id    [idSize]byte
	aead  cipher.AEAD
	index []byte // the blind index key
}

func newSecret(raw []byte) (*secret, error) {
	if len(raw) != KeySize {
		return nil, fmt.Errorf("key is %d bytes, want %d", len(raw), KeySize)
	}
	aead, err := chacha20poly1305.NewX(raw)
	if err != nil {
		return nil, err
	}
	s := &secret{raw: append([]byte(nil), raw...), aead: aead, index: derive(raw, "phonetree blind index v1")}
	copy(s.id[:], derive(raw, "phonetree key id v1"))
	return s, nil
}

func derive(raw []byte, label string) []byte {
	m := hmac.New(sha256.New, raw)
	m.Write([]byte(label))
	return m.Sum(nil)
}

// Key is the contact-data key ring. Its methods are safe for concurrent use.
// A ring read from a key file re-reads the file when it changes (see
// Refresh), so a running server follows a rotation made by another process.
type Key struct {
	ring atomic.Pointer[[]*secret] // primary first; never empty
	path string                    // the key file; "" for a key from the environment

	mu    sync.Mutex // serialises Refresh
	stamp os.FileInfo
}

func ringOf(keys []*secret) *Key {
	k := &Key{}
	k.ring.Store(&keys)
	return k
}

func (k *Key) keys() []*secret { return *k.ring.Load() }

// NewKey builds a ring of one key from 32 raw bytes.
func NewKey(raw []byte) (*Key, error) {
	s, err := newSecret(raw)
	if err != nil {
		return nil, err
	}
	return ringOf([]*secret{s}), nil
}

// Seal encrypts plain under the primary key; ad binds the ciphertext to its
// place (e.g. a row id).
func (k *Key) Seal(plain, ad []byte) []byte {
	k.Refresh()
	s := k.keys()[0]
	n := s.aead.NonceSize()
	out := make([]byte, headerSize+n, headerSize+n+len(plain)+s.aead.Overhead())
	out[0] = withKeyID
	copy(out[1:], s.id[:])
	nonce := out[headerSize:]
	if _, err := rand.Read(nonce); err != nil {
		panic("seal: no randomness: " + err.Error())
	}
	return s.aead.Seal(out, nonce, plain, ad)
}

// Open decrypts what Seal produced with the same ad, under whichever key of
// the ring sealed it. Data sealed before key ids is tried with each key.
func (k *Key) Open(sealed, ad []byte) ([]byte, error) {
	fail := errors.New("cannot decrypt: wrong key or tampered data")
	if id, ok := keyID(sealed); ok {
		s := k.byID(id)
		if s == nil && k.Refresh() { // sealed by a key another process has just added
			s = k.byID(id)
		}
		if s == nil {
			fail = fmt.Errorf("cannot decrypt: sealed with key %x, which the key ring does not hold", id)
		} else if plain, err := open(s, sealed[headerSize:], ad); err == nil {
			return plain, nil
		}
	}
	// Sealed before key ids (whose random nonce may start like an id).
	for _, s := range k.keys() {
		if plain, err := open(s, sealed, ad); err == nil {
			return plain, nil
		}
	}
	return nil, fail
}

func open(s *secret, sealed, ad []byte) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n+s.aead.Overhead() {
		return nil, errors.New("sealed data too short")
	}
	return s.aead.Open(nil, sealed[:n], sealed[n:], ad)
}

// keyID is the id at the head of data sealed since key ids.
func keyID(sealed []byte) (id [idSize]byte, ok bool) {
	if len(sealed) < headerSize || sealed[0] != withKeyID {
		return id, false
	}
	copy(id[:], sealed[1:headerSize])
	return id, true
}

func (k *Key) byID(id [idSize]byte) *secret {
	for _, s := range k.keys() {
		if s.id == id {
			return s
		}
	}
	return nil
}

// SealedBy is the id of the ring's key that sealed data, or "" when data was
// sealed before key ids or by a key the ring does not hold.
func (k *Key) SealedBy(sealed []byte) string {
	if id, ok := keyID(sealed); ok && k.byID(id) != nil {
		return hex.EncodeToString(id[:])
	}
	return ""
}

// IDs are the ring's key ids, primary first: fingerprints that name a key
// without revealing it.
func (k *Key) IDs() []string {
	var ids []string
	for _, s := range k.keys() {
		ids = append(ids, hex.EncodeToString(s.id[:]))
	}
	return ids
}

// Snapshot is the ring as it is now, not following the key file: what one
// operation uses so that everything it seals and indexes has one key.
func (k *Key) Snapshot() *Key {
	k.Refresh()
	return ringOf(k.keys())
}

// Index is the blind index of a value (a phone number in E.164) under the
// primary key: a keyed HMAC, so equal numbers match without the number
// being stored.
func (k *Key) Index(value string) []byte { return indexer(k.keys()[0])(nil, value) }

// Indexer is Index for many values: its function appends value's blind
// index to dst, reusing one HMAC so that it allocates nothing. It is not
// safe for concurrent use.
func (k *Key) Indexer() func(dst []byte, value string) []byte { return indexer(k.keys()[0]) }

// Indexes is the blind index of value under every key of the ring, primary
// first: what to look for while a rotation rebuilds the index.
func (k *Key) Indexes(value string) [][]byte {
	var out [][]byte
	for _, s := range k.keys() {
		out = append(out, indexer(s)(nil, value))
	}
	return out
}

// IndexSize is the length of a blind index in bytes.
const IndexSize = 16

func indexer(s *secret) func(dst []byte, value string) []byte {
	m := hmac.New(sha256.New, s.index)
	var msg []byte
	sum := make([]byte, 0, sha256.Size)
	return func(dst []byte, value string) []byte {
		m.Reset()
		msg = append(msg[:0], value...)
		m.Write(msg)
		return append(dst, m.Sum(sum[:0])[:IndexSize]...)
	}
}
