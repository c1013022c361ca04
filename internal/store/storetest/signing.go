package storetest

import (
	"testing"

	"phonetree/internal/store"
)

// testSignatures stores signing keys and bulletin signatures.
func testSignatures(t *testing.T, s store.Store) {
	sg, ctx := optional[store.Signatures](t, s), t.Context()
	_, err := sg.SigningKey(ctx)
	notFound(t, "signing key of none", err)
	k1 := &store.SigningKey{CreatedAt: t0, Public: []byte{1, 2, 3}, PrivateSealed: []byte{0, 0xff, 7}}
	k2 := &store.SigningKey{CreatedAt: t0 + 1, Public: []byte{4}, PrivateSealed: []byte{5}}
	must(t, sg.AddSigningKey(ctx, k1))
	must(t, sg.AddSigningKey(ctx, k2))
	if k1.ID <= 0 || k2.ID <= k1.ID {
		t.Fatalf("ids %d, %d: want positive and increasing", k1.ID, k2.ID)
	}
	equal(t, "newest key", get[*store.SigningKey](t)(sg.SigningKey(ctx)), k2)
	equal(t, "key 1", get[*store.SigningKey](t)(sg.SigningKeyByID(ctx, k1.ID)), k1)
	_, err = sg.SigningKeyByID(ctx, k2.ID+1)
	notFound(t, "missing key", err)

	b := newBulletin(t, s, people(1))
	_, _, err = sg.Signature(ctx, b.ID)
	notFound(t, "unsigned bulletin", err)
	sig := []byte{9, 0, 8}
	must(t, sg.SaveSignature(ctx, b.ID, k1.ID, sig))
	keyID, got, err := sg.Signature(ctx, b.ID)
	must(t, err)
	if keyID != k1.ID || string(got) != string(sig) {
		t.Errorf("signature: key %d %v, want key %d %v", keyID, got, k1.ID, sig)
	}
	if err := sg.SaveSignature(ctx, b.ID, k2.ID, []byte{1}); err == nil {
		t.Error("a bulletin was signed twice")
	}
}

// testApprovals holds bulletins for approval and decides them once.
func testApprovals(t *testing.T, s store.Store) {
	ap, ctx := optional[store.Approvals](t, s), t.Context()
	_, err := ap.SendRequest(ctx, 1)
	notFound(t, "request of none", err)
	r1 := &store.SendRequest{CreatedAt: t0, Requester: "ana", Request: `{"Title":"Évacuez"}`, Recipients: 300, State: "awaiting approval"}
	r2 := &store.SendRequest{CreatedAt: t0 + 1, Requester: "bo", Request: "{}", Recipients: 26, State: "awaiting approval"}
	must(t, ap.AddSendRequest(ctx, r1))
	must(t, ap.AddSendRequest(ctx, r2))
	if r1.ID <= 0 || r2.ID <= r1.ID {
		t.Fatalf("ids %d, %d: want positive and increasing", r1.ID, r2.ID)
	}
	equal(t, "request 1", get[*store.SendRequest](t)(ap.SendRequest(ctx, r1.ID)), r1)
	equal(t, "requests, newest first", get[[]store.SendRequest](t)(ap.SendRequests(ctx)), []store.SendRequest{*r2, *r1})

	if won := get[bool](t)(ap.DecideSendRequest(ctx, r1.ID, "approving", "approved", "cy", t0+5, 0)); won {
		t.Error("a request was decided from a state it was not in")
	}
	wins := race(t, 8, func() (bool, error) {
		return ap.DecideSendRequest(ctx, r1.ID, "awaiting approval", "approving", "cy", t0+5, 0)
	})
	equal(t, "approvers that won", wins, 1)
	if won := get[bool](t)(ap.DecideSendRequest(ctx, r1.ID, "approving", "approved", "cy", t0+6, 42)); !won {
		t.Fatal("approving → approved did not happen")
	}
	want := *r1
	want.State, want.DecidedBy, want.DecidedAt, want.Bulletin = "approved", "cy", t0+6, 42
	equal(t, "decided request", get[*store.SendRequest](t)(ap.SendRequest(ctx, r1.ID)), &want)
	if won := get[bool](t)(ap.DecideSendRequest(ctx, r2.ID+1, "awaiting approval", "approving", "cy", t0, 0)); won {
		t.Error("a missing request was decided")
	}
}
