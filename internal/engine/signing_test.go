package engine_test

import (
	"context"
	"database/sql"
	"testing"

	"phonetree/internal/cascade"
)

func TestTamperedBulletinFailsVerification(t *testing.T) {
	h := newHarness(t, org)
	b := h.send(cascade.Broadcast)
	ctx := context.Background()
	v, err := h.eng.Verify(ctx, b)
	if err != nil || !v.Genuine || v.Fingerprint == "" {
		t.Fatalf("untouched bulletin: %+v %v", v, err)
	}
	raw, err := sql.Open("sqlite", h.path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`UPDATE bulletins SET body = 'Send your password to it-support@evil.example' WHERE id = ?`, b); err != nil {
		t.Fatal(err)
	}
	v, err = h.eng.Verify(ctx, b)
	if err != nil || v.Genuine || v.Reason == "" {
		t.Fatalf("tampered bulletin: %+v %v, want not genuine", v, err)
	}
}
