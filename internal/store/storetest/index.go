package storetest

import (
	"bytes"
	"fmt"
	"testing"

	"phonetree/internal/roster"
	"phonetree/internal/store"
)

func testContactIndex(t *testing.T, s store.Store) {
	ci, ctx := optional[store.ContactIndex](t, s), t.Context()
	a, b, c := []byte("mac of number a."), []byte("mac of number b."), []byte("mac of number c.")
	v1 := &store.RosterVersion{CreatedAt: t0, People: 3, Chunks: [][]byte{{1}},
		Index: []store.IndexEntry{{MAC: a, Idx: 0}, {MAC: b, Idx: 1}, {MAC: b, Idx: 2}}}
	v2 := &store.RosterVersion{CreatedAt: t0 + 1, People: 2, Chunks: [][]byte{{2}}, Index: []store.IndexEntry{{MAC: a, Idx: 1}}}
	old := &store.RosterVersion{CreatedAt: t0 + 2, People: 5, Chunks: [][]byte{{3}}} // imported before the index
	for _, v := range []*store.RosterVersion{v1, v2, old} {
		must(t, s.SaveRosterVersion(ctx, v))
	}
	equal(t, "a", get[[]store.Contact](t)(ci.Contacts(ctx, [][]byte{a})), []store.Contact{{Version: v1.ID, Idx: 0}, {Version: v2.ID, Idx: 1}})
	equal(t, "b or c", get[[]store.Contact](t)(ci.Contacts(ctx, [][]byte{c, b})), []store.Contact{{Version: v1.ID, Idx: 1}, {Version: v1.ID, Idx: 2}})
	equal(t, "c", get[[]store.Contact](t)(ci.Contacts(ctx, [][]byte{c})), nil)
	equal(t, "unindexed", get[[]int64](t)(ci.UnindexedRosters(ctx)), []int64{old.ID})

	must(t, ci.ResealRoster(ctx, v1.ID, [][]byte{{4}, {5}}, []store.IndexEntry{{MAC: c, Idx: 2}}))
	must(t, ci.ResealRoster(ctx, old.ID, [][]byte{{6}}, []store.IndexEntry{{MAC: c, Idx: 4}}))
	equal(t, "a after reseal", get[[]store.Contact](t)(ci.Contacts(ctx, [][]byte{a})), []store.Contact{{Version: v2.ID, Idx: 1}})
	equal(t, "c after reseal", get[[]store.Contact](t)(ci.Contacts(ctx, [][]byte{c})), []store.Contact{{Version: v1.ID, Idx: 2}, {Version: old.ID, Idx: 4}})
	equal(t, "chunks after reseal", get[*store.RosterVersion](t)(s.RosterVersion(ctx, v1.ID)).Chunks, [][]byte{{4}, {5}})
	equal(t, "unindexed after reseal", get[[]int64](t)(ci.UnindexedRosters(ctx)), nil)
}

func testReseal(t *testing.T, s store.Store) {
	rs, ctx := optional[store.Resealer](t, s), t.Context()
	acc, sg := optional[store.Accounts](t, s), optional[store.Signatures](t, s)
	u := &store.User{Name: "ana", Role: "admin", PasswordHash: "h", TOTPSealed: []byte("old totp"), CreatedAt: t0}
	must(t, acc.AddUser(ctx, u))
	k := &store.SigningKey{CreatedAt: t0, Public: []byte{1}, PrivateSealed: []byte("old private")}
	must(t, sg.AddSigningKey(ctx, k))
	equal(t, "signing keys", get[[]store.SigningKey](t)(rs.SigningKeys(ctx)), []store.SigningKey{*k})

	for _, step := range []struct {
		what    string
		swap    func(old, new []byte) (bool, error)
		current func() []byte
	}{
		{"TOTP secret", func(o, n []byte) (bool, error) { return rs.ResealTOTP(ctx, u.ID, o, n) },
			func() []byte { return get[*store.User](t)(acc.User(ctx, u.ID)).TOTPSealed }},
		{"signing key", func(o, n []byte) (bool, error) { return rs.ResealSigningKey(ctx, k.ID, o, n) },
			func() []byte { return get[*store.SigningKey](t)(sg.SigningKeyByID(ctx, k.ID)).PrivateSealed }},
	} {
		old := step.current()
		if ok := get[bool](t)(step.swap(old, []byte("new"))); !ok || string(step.current()) != "new" {
			t.Errorf("%s: reseal from the stored value: ok %v, now %q", step.what, ok, step.current())
		}
		if ok := get[bool](t)(step.swap(old, []byte("stale"))); ok || string(step.current()) != "new" {
			t.Errorf("%s: reseal from a value changed meanwhile: ok %v, now %q", step.what, ok, step.current())
		}
	}
}

// CheckIndexRows fails t unless rows, a backend's blind index as stored,
// hold exactly the number HMACs of people (index(number), for every mobile
// and voice number) with the person who has each, every record sorted in
// the bucket of its MAC: a stolen database holds no number there.
func CheckIndexRows(t *testing.T, rows []store.IndexRow, people []roster.Person, index func(number string) []byte) {
	t.Helper()
	want := map[string]bool{} // MAC, then the person's index
	for i, p := range people {
		for _, n := range []string{p.Mobile, p.Voice} {
			if n != "" {
				want[fmt.Sprintf("%x %d", index(n), i)] = true
			}
		}
	}
	got := 0
	for _, r := range rows {
		es := store.UnpackIndex(r.Data)
		for j, e := range es {
			if !want[fmt.Sprintf("%x %d", e.MAC, e.Idx)] {
				t.Fatalf("the blind index holds %x for person %d, which is not the HMAC of their number", e.MAC, e.Idx)
			}
			if store.IndexBucket(e.MAC) != r.Bucket || j > 0 && bytes.Compare(es[j-1].MAC, e.MAC) > 0 {
				t.Fatalf("bucket %d of the blind index holds %x out of place", r.Bucket, e.MAC)
			}
		}
		got += len(es)
	}
	if got != len(want) {
		t.Fatalf("the blind index holds %d entries, want %d", got, len(want))
	}
}
