package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"phonetree/internal/engine"
	"phonetree/internal/rekey"
	"phonetree/internal/roster"
	"phonetree/internal/seal"
	"phonetree/internal/store"
	"phonetree/internal/store/sqlite"
	"phonetree/internal/web"
)

// instance is a database with a roster, an operator with a TOTP secret, and
// a running engine and web server on the key file beside it.
type instance struct {
	db, keyPath string
	st          *sqlite.Store
	key         *seal.Key // the running server's ring
	eng         *engine.Engine
	srv         *web.Server
	people      *roster.Roster
	bulletin    *store.Bulletin
	texter      int32 // a person with a mobile number
}

func newInstance(t *testing.T, versions int) *instance {
	ctx := context.Background()
	dir := t.TempDir()
	in := &instance{db: filepath.Join(dir, "pt.db"), keyPath: filepath.Join(dir, "pt.db.key")}
	csv := filepath.Join(dir, "people.csv")
	for i := range versions {
		os.WriteFile(csv, []byte(phonetree(t, "roster", "generate", "--people", "60", "--seed", fmt.Sprint(i+5))), 0o600)
		phonetree(t, "roster", "import", csv, "--db", in.db)
	}
	var err error
	if in.st, err = sqlite.Open(ctx, in.db); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { in.st.Close() })
	if in.key, _, err = seal.LoadOrCreate(in.keyPath); err != nil {
		t.Fatal(err)
	}
	u := &store.User{Name: "ana", Role: "admin", PasswordHash: "x", TOTPSealed: in.key.Seal([]byte("ana's totp secret"), web.TOTPAD("ana"))}
	if err := in.st.AddUser(ctx, u); err != nil {
		t.Fatal(err)
	}
	in.eng = engine.New(engine.Config{Store: in.st, Key: in.key})
	if in.bulletin, err = in.eng.Send(ctx, engine.Bulletin{Title: "Rotation drill", Status: "exercise"}); err != nil {
		t.Fatal(err)
	}
	if in.srv, err = web.New(web.Config{Store: in.st, Engine: in.eng, Key: in.key}); err != nil {
		t.Fatal(err)
	}
	if in.people, _, err = engine.LoadRoster(ctx, in.st, in.key, 0); err != nil {
		t.Fatal(err)
	}
	for in.people.People[in.texter].Mobile == "" {
		in.texter++
	}
	return in
}

// check opens everything the database seals with a ring read afresh from
// the key file, as a restarted server would, and finds a person by number.
func (in *instance) check(t *testing.T, ackLink string) *seal.Key {
	t.Helper()
	ctx := context.Background()
	ring, _, err := seal.LoadOrCreate(in.keyPath)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := engine.LoadRoster(ctx, in.st, ring, 1); err != nil {
		t.Fatalf("roster version 1: %v", err)
	}
	u, err := in.st.UserByName(ctx, "ana")
	if err != nil {
		t.Fatal(err)
	}
	if secret, err := ring.Open(u.TOTPSealed, web.TOTPAD("ana")); err != nil || string(secret) != "ana's totp secret" {
		t.Fatalf("TOTP secret: %q, %v", secret, err)
	}
	eng := engine.New(engine.Config{Store: in.st, Key: ring})
	if v, err := eng.Verify(ctx, in.bulletin.ID); err != nil || !v.Genuine {
		t.Fatalf("the signing key: %+v, %v", v, err)
	}
	for name, e := range map[string]*engine.Engine{"a restarted engine": eng, "the running engine": in.eng} {
		p := &in.people.People[in.texter]
		en, ok, err := e.LatestFor(ctx, p.Mobile)
		if err != nil || !ok || !strings.Contains(en.Text, p.Word) {
			t.Fatalf("%s: hotline for %s: %+v %v %v", name, p.ID, en, ok, err)
		}
	}
	srv, err := web.New(web.Config{Store: in.st, Engine: eng, Key: ring})
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]*web.Server{"a restarted server": srv, "the running server": in.srv} {
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", ackLink, nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: an ack link made before the rotation: %d %s", name, rec.Code, rec.Body)
		}
	}
	return ring
}

func TestKeyRotateReSealsEverything(t *testing.T) {
	in := newInstance(t, 2)
	ackLink := in.srv.AckLink(store.AttemptID(in.bulletin.ID, in.texter, 0))
	old := in.key.IDs()[0]

	phonetree(t, "key", "rotate", "--db", in.db)
	ring := in.check(t, ackLink)
	if ids := ring.IDs(); len(ids) != 2 || ids[0] == old || ids[1] != old {
		t.Fatalf("key file holds %v, want a new key, then %s", ids, old)
	}
	items, err := rekey.Inventory(context.Background(), in.st, ring)
	if err != nil || len(items) != 4 { // 2 roster versions of a chunk, a TOTP secret, a signing key
		t.Fatalf("inventory: %v, %v", items, err)
	}
	for _, it := range items {
		if it.Key != ring.IDs()[0] {
			t.Errorf("%s is sealed with key %q, want the new primary %s", it.What, it.Key, ring.IDs()[0])
		}
	}
	if out := phonetree(t, "key", "status", "--db", in.db); !strings.Contains(out, ring.IDs()[0]+"  primary   ") {
		t.Fatalf("key status:\n%s", out)
	}

	phonetree(t, "key", "rotate", "--finish", "--db", in.db)
	b, _ := os.ReadFile(in.keyPath)
	if lines := strings.Fields(string(b)); len(lines) != 1 {
		t.Fatalf("key file after --finish holds %d keys", len(lines))
	}
	if fi, _ := os.Stat(in.keyPath); fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v", fi.Mode().Perm())
	}
	ring, _, _ = seal.LoadOrCreate(in.keyPath)
	if ids := ring.IDs(); len(ids) != 1 || ids[0] == old {
		t.Fatalf("key file holds %v after --finish", ids)
	}
	if _, _, err := engine.LoadRoster(context.Background(), in.st, ring, 2); err != nil {
		t.Fatalf("roster version 2 with the new key alone: %v", err)
	}
}

// TestKeyRotateFinishRefusesWhileOldKeysSeal: --finish names what the old
// key still seals, and leaves the key file alone.
func TestKeyRotateFinishRefusesWhileOldKeysSeal(t *testing.T) {
	in := newInstance(t, 1)
	next, _ := in.key.Rotated()
	if err := next.WriteFile(in.keyPath); err != nil { // a rotation that never re-sealed
		t.Fatal(err)
	}
	before, _ := os.ReadFile(in.keyPath)
	var out, errb bytes.Buffer
	e := &env{stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	err := run(context.Background(), e, []string{"key", "rotate", "--finish", "--db", in.db})
	if err == nil || !strings.Contains(err.Error(), "roster version 1 chunk 0") || !strings.Contains(err.Error(), "TOTP secret of ana") {
		t.Fatalf("--finish with data under the old key: %v", err)
	}
	if after, _ := os.ReadFile(in.keyPath); !bytes.Equal(before, after) {
		t.Fatal("a refused --finish changed the key file")
	}
	phonetree(t, "key", "rotate", "--resume", "--db", in.db)
	phonetree(t, "key", "rotate", "--finish", "--db", in.db)
}

func TestKeyRotateRefusesAKeyFromTheEnvironment(t *testing.T) {
	var out, errb bytes.Buffer
	key := strings.Repeat("ab", seal.KeySize)
	e := &env{stdout: &out, stderr: &errb, getenv: func(k string) string {
		if k == "PHONETREE_KEY" {
			return key
		}
		return ""
	}}
	err := run(context.Background(), e, []string{"key", "rotate", "--db", filepath.Join(t.TempDir(), "pt.db")})
	if err == nil || !strings.Contains(err.Error(), "PHONETREE_KEY") || !strings.Contains(err.Error(), "--key-file") {
		t.Fatalf("rotate with $PHONETREE_KEY: %v, want a refusal pointing to a key file", err)
	}
}

// TestKeyRotateWhileServing looks numbers up, through a fresh engine each
// time (so that rosters are opened, not cached), while a rotation re-seals
// several roster versions: no lookup may fail.
func TestKeyRotateWhileServing(t *testing.T) {
	in := newInstance(t, 6)
	ctx := context.Background()
	started, done := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	var lookups, failures int
	var firstErr error
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			default:
			}
			p := &in.people.People[i%len(in.people.People)]
			if p.Mobile == "" {
				continue
			}
			eng := engine.New(engine.Config{Store: in.st, Key: in.key})
			_, ok, err := eng.LatestFor(ctx, p.Mobile)
			if lookups++; lookups == 1 {
				close(started)
			}
			if err != nil || !ok {
				failures++
				if firstErr == nil {
					firstErr = err
				}
			}
		}
	})
	<-started
	phonetree(t, "key", "rotate", "--db", in.db)
	close(done)
	wg.Wait()
	t.Logf("%d lookups during the rotation", lookups)
	if failures > 0 {
		t.Fatalf("%d of %d lookups failed during the rotation; first: %v", failures, lookups, firstErr)
	}
	ring := in.check(t, in.srv.AckLink(store.AttemptID(in.bulletin.ID, in.texter, 0)))
	if id := in.key.SealedBy(in.key.Seal(nil, nil)); id != ring.IDs()[0] {
		t.Fatalf("the running server seals with key %s, want the new primary %s", id, ring.IDs()[0])
	}
}
