package seal

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/chacha20poly1305"
)

func newRing(t *testing.T) *Key {
	t.Helper()
	raw := make([]byte, KeySize)
	rand.Read(raw)
	k, err := NewKey(raw)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// legacySeal is Seal as it was before key ids: the nonce and ciphertext.
func legacySeal(k *Key, plain, ad []byte) []byte {
	aead, _ := chacha20poly1305.NewX(k.keys()[0].raw)
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	return aead.Seal(nonce, nonce, plain, ad)
}

func TestRingOpensWhatEachKeySealed(t *testing.T) {
	old := newRing(t)
	ring, err := old.Rotated()
	if err != nil {
		t.Fatal(err)
	}
	ad := []byte("roster chunk 0")
	for name, sealed := range map[string][]byte{
		"sealed with the old key":        old.Seal([]byte("+13105550101"), ad),
		"sealed with the new key":        ring.Seal([]byte("+13105550101"), ad),
		"sealed before key ids, old key": legacySeal(old, []byte("+13105550101"), ad),
	} {
		plain, err := ring.Open(sealed, ad)
		if err != nil || string(plain) != "+13105550101" {
			t.Errorf("%s: %q, %v", name, plain, err)
		}
		if _, err := ring.Open(sealed, []byte("roster chunk 1")); err == nil {
			t.Errorf("%s: opened with the wrong associated data", name)
		}
	}
	if id := ring.SealedBy(ring.Seal(nil, ad)); id != ring.IDs()[0] || id == old.IDs()[0] {
		t.Fatalf("new data sealed by %q, want the new primary %s", id, ring.IDs()[0])
	}
	if _, err := old.Open(ring.Seal([]byte("x"), ad), ad); err == nil || !strings.Contains(err.Error(), ring.IDs()[0]) {
		t.Fatalf("the old key alone opening new data: %v, want an error naming key %s", err, ring.IDs()[0])
	}
	if old.SealedBy(legacySeal(old, []byte("x"), ad)) != "" {
		t.Fatal("data sealed before key ids has a key id")
	}
}

func TestLegacyDataThatLooksLikeAKeyID(t *testing.T) {
	k := newRing(t)
	var sealed []byte
	for sealed == nil || sealed[0] != withKeyID { // a nonce starting like a key id
		sealed = legacySeal(k, []byte("word"), nil)
	}
	if plain, err := k.Open(sealed, nil); err != nil || string(plain) != "word" {
		t.Fatalf("%q, %v", plain, err)
	}
}

func TestMACFromAPreviousKeyVerifies(t *testing.T) {
	old := newRing(t)
	ring, _ := old.Rotated()
	msg := []byte("attempt 42")
	tag := old.MAC("ack link", msg)[:16]
	if !ring.VerifyMAC("ack link", msg, tag) {
		t.Fatal("a tag made with the previous key does not verify")
	}
	if !ring.VerifyMAC("ack link", msg, ring.MAC("ack link", msg)[:18]) {
		t.Fatal("a tag made with the primary key does not verify")
	}
	if bytes.Equal(ring.MAC("ack link", msg), old.MAC("ack link", msg)) {
		t.Fatal("new tags are made with the previous key")
	}
	for name, bad := range map[string]bool{
		"other purpose": ring.VerifyMAC("csrf", msg, tag),
		"other message": ring.VerifyMAC("ack link", []byte("attempt 43"), tag),
		"short tag":     ring.VerifyMAC("ack link", msg, tag[:8]),
		"retired key":   ring.Retired().VerifyMAC("ack link", msg, tag),
	} {
		if bad {
			t.Errorf("%s: verified", name)
		}
	}
}

func TestParseKeyRing(t *testing.T) {
	a, b := strings.Repeat("ab", KeySize), strings.Repeat("cd", KeySize)
	for _, s := range []string{a + "," + b, a + "\n" + b + "\n", " " + a + " ,\r\n" + b} {
		k, err := ParseKey(s)
		if err != nil || len(k.IDs()) != 2 {
			t.Fatalf("%q: %v", s, err)
		}
	}
	for _, s := range []string{"", a + ",zz", a + "," + a[:10]} {
		if _, err := ParseKey(s); err == nil {
			t.Errorf("%q: parsed", s)
		}
	}
}

// TestRingFollowsTheKeyFile: a process holding the old ring opens data
// sealed by a process that has rotated, and then seals with the new key.
func TestRingFollowsTheKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "key")
	server, created, err := LoadOrCreate(path)
	if err != nil || !created {
		t.Fatal(err)
	}
	rotator, _, _ := LoadOrCreate(path)
	next, _ := rotator.Rotated()
	if err := next.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	sealed := next.Seal([]byte("secret"), nil)
	if plain, err := server.Open(sealed, nil); err != nil || string(plain) != "secret" {
		t.Fatalf("the server opening data sealed with the new key: %q, %v", plain, err)
	}
	if id := server.SealedBy(server.Seal(nil, nil)); id != next.IDs()[0] {
		t.Fatalf("the server seals with key %s, want the new primary %s", id, next.IDs()[0])
	}
	b, _ := os.ReadFile(path)
	if lines := strings.Fields(string(b)); len(lines) != 2 || lines[1] != hex.EncodeToString(rotator.keys()[0].raw) {
		t.Fatalf("key file %q: want the new key, then the old", b)
	}
	if err := os.WriteFile(path, []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	if server.Refresh() || len(server.IDs()) != 2 {
		t.Fatal("an unreadable key file replaced the ring")
	}
}

func TestIndexesAcrossTheRing(t *testing.T) {
	old := newRing(t)
	ring, _ := old.Rotated()
	ix := ring.Indexes("+13105550101")
	if len(ix) != 2 || !bytes.Equal(ix[0], ring.Index("+13105550101")) || !bytes.Equal(ix[1], old.Index("+13105550101")) {
		t.Fatal("Indexes is not the primary's index, then the previous key's")
	}
	if bytes.Equal(ix[0], ix[1]) || len(ix[0]) != 16 {
		t.Fatal("two keys give the same blind index")
	}
}

func TestIndexerIsIndex(t *testing.T) {
	key := newRing(t)
	index := key.Indexer()
	var all []byte
	for _, n := range []string{"+13105550101", "+13105550102", "+13105550101"} {
		all = index(all, n)
		if !bytes.Equal(all[len(all)-IndexSize:], key.Index(n)) {
			t.Fatalf("Indexer(%s) is not Index(%s)", n, n)
		}
	}
	if len(all) != 3*IndexSize || bytes.Equal(all[:IndexSize], all[IndexSize:2*IndexSize]) {
		t.Fatal("Indexer does not append one blind index a value")
	}
}
