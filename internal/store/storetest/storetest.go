// Package storetest is the behaviour every store.Store backend must have,
// written once as the engine uses the store and run against each backend
// (sqlite, postgres) from that backend's own tests.
package storetest

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"phonetree/internal/store"
)

// t0 is the suite's "now", in unix nanoseconds (2026-01-05 10:00 UTC).
const t0 int64 = 1767607200_000000000

// Run runs the suite; the tests of an optional interface (store.Accounts,
// store.Operations, store.Signatures, store.Approvals, store.AuditLog) skip
// on a backend that lacks it. open must return a new, empty store for each
// call and arrange any cleanup of its own with t.Cleanup; the suite closes
// the store.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"RosterVersions", testRosterVersions},
		{"Bulletins", testBulletins},
		{"BulletinState", testBulletinState},
		{"Due", testDue},
		{"NextDue", testNextDue},
		{"Recipients", testRecipients},
		{"UpsertRecipients", testUpsertRecipients},
		{"Attempts", testAttempts},
		{"AttemptUpdates", testAttemptUpdates},
		{"WithdrawFor", testWithdrawFor},
		{"Queued", testQueued},
		{"Leased", testLeased},
		{"Events", testEvents},
		{"CallTasks", testCallTasks},
		{"Atomic", testAtomic},
		{"LargeBatch", testLargeBatch},
		{"Concurrent", testConcurrent},
		{"Audit", testAudit},
		{"Users", testUsers},
		{"TOTPSteps", testTOTPSteps},
		{"Sessions", testSessions},
		{"Tokens", testTokens},
		{"CallTaskQueue", testCallTaskQueue},
		{"QueueDepth", testQueueDepth},
		{"Signatures", testSignatures},
		{"Approvals", testApprovals},
		{"ContactIndex", testContactIndex},
		{"Reseal", testReseal},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			t.Cleanup(func() {
				if err := s.Close(); err != nil {
					t.Errorf("close: %v", err)
				}
			})
			tc.fn(t, s)
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// get fails the test on err and returns v.
func get[T any](t *testing.T) func(v T, err error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// equal reports a difference between got and want, treating nil and empty slices alike.
func equal[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if isEmpty(got) && isEmpty(want) {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %s\nwant %s", what, short(got), short(want))
	}
}

// short prints v, cut to a readable length.
func short(v any) string {
	s := fmt.Sprintf("%+v", v)
	if len(s) > 1000 {
		s = s[:1000] + "…"
	}
	return s
}

// sameVersion compares roster versions, chunks by content (an empty chunk
// may come back nil).
func sameVersion(t *testing.T, what string, got, want *store.RosterVersion) {
	t.Helper()
	g, w := *got, *want
	g.Chunks, w.Chunks = nil, nil
	equal(t, what, g, w)
	if len(got.Chunks) != len(want.Chunks) {
		t.Fatalf("%s: %d chunks, want %d", what, len(got.Chunks), len(want.Chunks))
	}
	for i := range got.Chunks {
		if !bytes.Equal(got.Chunks[i], want.Chunks[i]) {
			t.Errorf("%s: chunk %d: %d bytes %s, want %d bytes %s", what, i,
				len(got.Chunks[i]), short(got.Chunks[i]), len(want.Chunks[i]), short(want.Chunks[i]))
		}
	}
}

func isEmpty(v any) bool {
	r := reflect.ValueOf(v)
	return r.Kind() == reflect.Slice && r.Len() == 0
}

func apply(t *testing.T, s store.Store, b store.Batch) {
	t.Helper()
	must(t, s.Apply(t.Context(), &b))
}

// newRoster saves a small roster version and returns its id.
func newRoster(t *testing.T, s store.Store) int64 {
	t.Helper()
	v := &store.RosterVersion{CreatedAt: t0, People: 3, Diff: "+3", Chunks: [][]byte{[]byte("sealed")}}
	must(t, s.SaveRosterVersion(t.Context(), v))
	return v.ID
}

// newBulletin creates a running bulletin with recipients rs (their
// Bulletin fields are set) on a fresh roster version.
func newBulletin(t *testing.T, s store.Store, rs []store.Recipient) *store.Bulletin {
	t.Helper()
	b := &store.Bulletin{Kind: "alert", Status: "actual", Title: "Fire drill", Body: "Leave by the east stairs",
		Mode: "broadcast", Policy: `{"Mode":0}`, RosterVersion: newRoster(t, s), CreatedAt: t0, State: "running"}
	must(t, s.CreateBulletin(t.Context(), b, rs))
	return b
}

// people returns n recipients with no timers, idx 0…n-1.
func people(n int) []store.Recipient {
	rs := make([]store.Recipient, n)
	for i := range rs {
		rs[i] = store.Recipient{Idx: int32(i), Method: -1}
	}
	return rs
}

func attempt(b int64, idx int32, seq int, status uint8) store.Attempt {
	kind := uint8(store.AttemptContact)
	if seq == store.CallListSeq {
		kind = store.AttemptCallList
	}
	return store.Attempt{ID: store.AttemptID(b, idx, seq), Bulletin: b, Idx: idx, Seq: int16(seq), Kind: kind,
		Method: "sms", Status: status, CreatedAt: t0, UpdatedAt: t0}
}

func ids[T any](rows []T, id func(T) int64) []int64 {
	out := make([]int64, len(rows))
	for i, r := range rows {
		out[i] = id(r)
	}
	return out
}

func attemptIDs(as []store.Attempt) []int64 {
	return ids(as, func(a store.Attempt) int64 { return a.ID })
}

func recipientKeys(rs []store.Recipient) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = fmt.Sprintf("%d/%d", r.Bulletin, r.Idx)
	}
	return out
}

// byID sorts attempts by id, for results whose order is unspecified.
func byID(as []store.Attempt) []store.Attempt {
	slices.SortFunc(as, func(a, b store.Attempt) int { return cmp.Compare(a.ID, b.ID) })
	return as
}

func byIdx(rs []store.Recipient) []store.Recipient {
	slices.SortFunc(rs, func(a, b store.Recipient) int { return cmp.Compare(a.Idx, b.Idx) })
	return rs
}

func attemptStatuses(t *testing.T, s store.Store, ids ...int64) []uint8 {
	t.Helper()
	as := byID(get[[]store.Attempt](t)(s.Attempts(t.Context(), ids)))
	out := make([]uint8, len(as))
	for i, a := range as {
		out[i] = a.Status
	}
	return out
}

func notFound(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("%s: err = %v, want store.ErrNotFound", what, err)
	}
}
