package storetest

import (
	"fmt"
	"sync"
	"testing"

	"phonetree/internal/audit"
	"phonetree/internal/store"
)

// testAudit appends audit entries with batches and reads them back: one
// hash chain across batches, nothing appended by a batch that fails, and
// one chain still when batches are applied at once.
func testAudit(t *testing.T, s store.Store) {
	log, ok := s.(store.AuditLog)
	if !ok {
		t.Skip("this backend has no audit log")
	}
	ctx := t.Context()
	entry := func(i int) audit.Entry {
		return audit.Entry{At: t0 + int64(i), Actor: "cli:ana", Action: "ack", Subject: fmt.Sprintf("bulletin %d", i%3), Detail: "réponse ✓"}
	}
	var want []audit.Entry
	for i := range 3 {
		b := store.Batch{Audit: []audit.Entry{entry(2 * i), entry(2*i + 1)}}
		if i == 1 { // with other changes
			b.Events = []store.Event{{Bulletin: 1, Idx: 0, At: t0, Kind: "acked"}}
		}
		apply(t, s, b)
		for _, e := range b.Audit {
			if e.ID != int64(len(want)+1) || e.Hash == "" {
				t.Fatalf("applied entry %+v: want id %d and a hash", e, len(want)+1)
			}
			want = append(want, e)
		}
	}
	read := func() []audit.Entry {
		t.Helper()
		var v audit.Verifier
		var got []audit.Entry
		err := log.AuditLog(ctx, func(e *audit.Entry) error {
			got = append(got, *e)
			return v.Check(e)
		})
		if err != nil {
			t.Fatalf("audit log: %v", err)
		}
		return got
	}
	equal(t, "audit log", read(), want)

	// A failing batch appends nothing, and the chain goes on after it.
	b := newBulletin(t, s, people(1))
	a := attempt(b.ID, 0, 0, store.AttemptSent)
	apply(t, s, store.Batch{NewAttempts: []store.Attempt{a}})
	if err := s.Apply(ctx, &store.Batch{NewAttempts: []store.Attempt{a}, Audit: []audit.Entry{entry(9)}}); err == nil {
		t.Fatal("Apply with a duplicate attempt id succeeded")
	}
	equal(t, "after a failed batch", len(read()), len(want))

	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Go(func() { errs <- s.Apply(ctx, &store.Batch{Audit: []audit.Entry{entry(10 + i), entry(20 + i)}}) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		must(t, err)
	}
	equal(t, "entries after concurrent batches", len(read()), len(want)+16)
}
