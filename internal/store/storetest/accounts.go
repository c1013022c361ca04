package storetest

import (
	"errors"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"

	"phonetree/internal/store"
)

// optional returns s as the optional interface T, or skips the test when
// the backend lacks it.
func optional[T any](t *testing.T, s store.Store) T {
	t.Helper()
	v, ok := s.(T)
	if !ok {
		t.Skipf("this backend is no %v", reflect.TypeFor[T]())
	}
	return v
}

// race calls fn from n goroutines at once and counts the calls that won.
func race(t *testing.T, n int, fn func() (bool, error)) int {
	t.Helper()
	var wins atomic.Int32
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			won, err := fn()
			if won {
				wins.Add(1)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		must(t, err)
	}
	return int(wins.Load())
}

// testUsers adds, reads and updates operator accounts.
func testUsers(t *testing.T, s store.Store) {
	acc, ctx := optional[store.Accounts](t, s), t.Context()
	_, err := acc.UserByName(ctx, "ana")
	notFound(t, "user by name of none", err)
	_, err = acc.User(ctx, 1)
	notFound(t, "user of none", err)

	ana := &store.User{Name: "ana", Role: "commander", PasswordHash: "$argon2id$v=19$…", TOTPSealed: []byte{0, 1, 0xff}, CreatedAt: t0}
	bo := &store.User{Name: "bo", Role: "viewer", PasswordHash: "h", TOTPSealed: []byte("sealed"), TOTPLastStep: 7, CreatedAt: t0 + 1, Disabled: true}
	must(t, acc.AddUser(ctx, bo))
	must(t, acc.AddUser(ctx, ana))
	if bo.ID <= 0 || ana.ID <= bo.ID {
		t.Fatalf("ids %d, %d: want positive and increasing", bo.ID, ana.ID)
	}
	if err := acc.AddUser(ctx, &store.User{Name: "ana", Role: "admin", TOTPSealed: []byte{1}}); !errors.Is(err, store.ErrExists) {
		t.Errorf("a second ana: err = %v, want store.ErrExists", err)
	}
	equal(t, "ana by name", get[*store.User](t)(acc.UserByName(ctx, "ana")), ana)
	equal(t, "bo by id", get[*store.User](t)(acc.User(ctx, bo.ID)), bo)
	equal(t, "users by name", get[[]store.User](t)(acc.Users(ctx)), []store.User{*ana, *bo})

	// UpdateUser writes the role, secrets and flag, not the name or TOTP step.
	changed := *ana
	changed.Name, changed.Role, changed.PasswordHash, changed.TOTPSealed, changed.Disabled, changed.TOTPLastStep = "x", "admin", "h2", []byte("new"), true, 99
	must(t, acc.UpdateUser(ctx, &changed))
	want := changed
	want.Name, want.TOTPLastStep = ana.Name, ana.TOTPLastStep
	equal(t, "updated ana", get[*store.User](t)(acc.User(ctx, ana.ID)), &want)
	notFound(t, "update a missing user", acc.UpdateUser(ctx, &store.User{ID: bo.ID + 100, TOTPSealed: []byte{1}}))
}

// testTOTPSteps checks replay protection: a step is accepted once, only
// after the last, and by one of several logins racing with the same code.
func testTOTPSteps(t *testing.T, s store.Store) {
	acc, ctx := optional[store.Accounts](t, s), t.Context()
	u := &store.User{Name: "ana", Role: "admin", PasswordHash: "h", TOTPSealed: []byte{1}, CreatedAt: t0}
	must(t, acc.AddUser(ctx, u))
	for _, c := range []struct {
		step int64
		ok   bool
	}{{100, true}, {100, false}, {99, false}, {101, true}} {
		if ok := get[bool](t)(acc.UseTOTPStep(ctx, u.ID, c.step)); ok != c.ok {
			t.Errorf("step %d: ok = %v, want %v", c.step, ok, c.ok)
		}
	}
	equal(t, "last step", get[*store.User](t)(acc.User(ctx, u.ID)).TOTPLastStep, 101)
	if ok := get[bool](t)(acc.UseTOTPStep(ctx, u.ID+1, 500)); ok {
		t.Error("a missing user's step was accepted")
	}
	wins := race(t, 16, func() (bool, error) { return acc.UseTOTPStep(ctx, u.ID, 102) })
	equal(t, "logins that won with one code", wins, 1)
}

// testSessions stores, finds, expires and deletes sessions.
func testSessions(t *testing.T, s store.Store) {
	acc, ctx := optional[store.Accounts](t, s), t.Context()
	u := &store.User{Name: "ana", Role: "admin", PasswordHash: "h", TOTPSealed: []byte{1}, CreatedAt: t0}
	must(t, acc.AddUser(ctx, u))
	se := &store.Session{Hash: []byte{0, 9, 0xfe}, User: u.ID, CreatedAt: t0, ExpiresAt: t0 + 100}
	must(t, acc.AddSession(ctx, se))
	equal(t, "session", get[*store.Session](t)(acc.Session(ctx, se.Hash, t0+99)), se)
	_, err := acc.Session(ctx, se.Hash, t0+100)
	notFound(t, "expired session", err)
	_, err = acc.Session(ctx, []byte{0, 9}, t0)
	notFound(t, "unknown session", err)
	must(t, acc.DeleteSession(ctx, se.Hash))
	_, err = acc.Session(ctx, se.Hash, t0)
	notFound(t, "deleted session", err)
}

// testTokens stores, finds, expires and revokes API tokens.
func testTokens(t *testing.T, s store.Store) {
	acc, ctx := optional[store.Accounts](t, s), t.Context()
	u := &store.User{Name: "ana", Role: "admin", PasswordHash: "h", TOTPSealed: []byte{1}, CreatedAt: t0}
	must(t, acc.AddUser(ctx, u))
	forever := &store.Token{Hash: []byte("forever"), User: u.ID, Name: "monitoring", CreatedAt: t0}
	brief := &store.Token{Hash: []byte("brief"), User: u.ID, Name: "", CreatedAt: t0 + 1, ExpiresAt: t0 + 100}
	must(t, acc.AddToken(ctx, forever))
	must(t, acc.AddToken(ctx, brief))
	if forever.ID <= 0 || brief.ID <= forever.ID {
		t.Fatalf("ids %d, %d: want positive and increasing", forever.ID, brief.ID)
	}
	equal(t, "token that never expires", get[*store.Token](t)(acc.Token(ctx, forever.Hash, t0+1e18)), forever)
	equal(t, "token before expiry", get[*store.Token](t)(acc.Token(ctx, brief.Hash, t0+99)), brief)
	_, err := acc.Token(ctx, brief.Hash, t0+100)
	notFound(t, "expired token", err)
	equal(t, "tokens, newest first", get[[]store.Token](t)(acc.Tokens(ctx)), []store.Token{*brief, *forever})

	must(t, acc.RevokeToken(ctx, forever.ID))
	_, err = acc.Token(ctx, forever.Hash, t0)
	notFound(t, "revoked token", err)
	if ts := get[[]store.Token](t)(acc.Tokens(ctx)); len(ts) != 2 || !ts[1].Revoked || ts[0].Revoked {
		t.Errorf("tokens after revoking %d: %+v", forever.ID, ts)
	}
	notFound(t, "revoke a missing token", acc.RevokeToken(ctx, brief.ID+100))
}
