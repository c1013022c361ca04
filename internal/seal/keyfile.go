package seal

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// ParseKey reads a ring written as keys of 64 hex digits, one a line or
// separated by commas, the primary first.
func ParseKey(s string) (*Key, error) {
	var keys []*secret
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' }) {
		raw, err := hex.DecodeString(strings.TrimSpace(f))
		if err != nil {
			return nil, fmt.Errorf("key %d: not hex: %w", len(keys)+1, err)
		}
		k, err := newSecret(raw)
		if err != nil {
			return nil, fmt.Errorf("key %d: %w", len(keys)+1, err)
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, errors.New("no key")
	}
	return ringOf(keys), nil
}

// LoadOrCreate reads the key file at path, creating it (mode 0600) with a
// fresh random key when it does not exist; created reports which. The ring
// follows later changes to the file (see Refresh).
func LoadOrCreate(path string) (k *Key, created bool, err error) {
	k = &Key{path: path}
	if err := k.read(); err == nil {
		return k, false, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, false, err
	}
	s, err := generate()
	if err != nil {
		return nil, false, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, false, fmt.Errorf("create key file: %w", err)
	}
	if _, err := f.WriteString(hex.EncodeToString(s.raw) + "\n"); err != nil {
		f.Close()
		return nil, false, err
	}
	if err := f.Close(); err != nil {
		return nil, false, err
	}
	return k, true, k.read()
}

func generate() (*secret, error) {
	raw := make([]byte, KeySize)
	if _, err := rand.Read(raw); err != nil {
		return nil, err
	}
	return newSecret(raw)
}

// read loads the key file into the ring.
func (k *Key) read() error {
	f, err := os.Open(k.path)
	if err != nil {
		return err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return fmt.Errorf("key file %s: %w", k.path, err)
	}
	r, err := ParseKey(string(b))
	if err != nil {
		return fmt.Errorf("key file %s: %w", k.path, err)
	}
	k.ring.Store(r.ring.Load())
	k.stamp = fi
	return nil
}

// Refresh re-reads the key file if it changed since it was last read and
// reports whether the ring changed. A file that cannot be read or parsed
// leaves the ring as it was; a key from the environment never changes.
func (k *Key) Refresh() bool {
	if k.path == "" {
		return false
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	fi, err := os.Stat(k.path)
	if err != nil || k.stamp != nil && os.SameFile(fi, k.stamp) && fi.ModTime().Equal(k.stamp.ModTime()) && fi.Size() == k.stamp.Size() {
		return false
	}
	return k.read() == nil
}

// Rotated is a ring with a new random primary key, followed by this ring's
// keys (now previous keys).
func (k *Key) Rotated() (*Key, error) {
	s, err := generate()
	if err != nil {
		return nil, err
	}
	return ringOf(append([]*secret{s}, k.keys()...)), nil
}

// Retired is the ring without its previous keys.
func (k *Key) Retired() *Key { return ringOf(k.keys()[:1]) }

// WriteFile replaces the key file at path with the ring, one key a line,
// atomically (a reader sees the old file or the new, never a part) and
// durably: data sealed with a key must never outlive the file that holds it.
func (k *Key) WriteFile(path string) error {
	var b strings.Builder
	for _, s := range k.keys() {
		b.WriteString(hex.EncodeToString(s.raw) + "\n")
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".phonetree-key-*") // mode 0600
	if err != nil {
		return fmt.Errorf("write key file: %w", err)
	}
	defer os.Remove(f.Name())
	_, err = f.WriteString(b.String())
	if err == nil {
		err = f.Sync()
	}
	if err := errors.Join(err, f.Close()); err != nil {
		return fmt.Errorf("write key file: %w", err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write key file: %w", err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("write key file: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("write key file %s: sync directory: %w", path, err)
	}
	return nil
}
