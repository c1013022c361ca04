package engine_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"phonetree/internal/audit"
	"phonetree/internal/cascade"
	"phonetree/internal/engine"
	"phonetree/internal/provider"
	"phonetree/internal/store/sqlite"
)

func TestTwoPersonRule(t *testing.T) {
	h := newHarness(t, bigOrg(100))
	ps := map[string]provider.Provider{"sms": h.carrier, "voice": h.carrier, "email": h.carrier}
	eng := engine.New(engine.Config{Store: h.st, Clock: h.clock, Key: h.key, Providers: ps, SendWorkers: 1, ApprovalThreshold: 25})
	ctx := context.Background()
	actual := engine.Bulletin{Status: "actual", Title: "Evacuate", Actor: "user:cmdr", Spec: engine.Spec{Policy: cascade.DefaultPolicy(cascade.Broadcast)}}

	_, err := eng.Send(ctx, actual)
	var held *engine.NeedsApproval
	if !errors.As(err, &held) || held.Recipients != 100 {
		t.Fatalf("one commander sent an actual bulletin to 100 people: %v", err)
	}
	if bs, _ := h.st.Bulletins(ctx); len(bs) != 0 {
		t.Fatalf("%d bulletins exist before approval", len(bs))
	}
	if _, err := eng.Approve(ctx, held.Request, "user:cmdr"); !errors.Is(err, engine.ErrSelfApproval) {
		t.Fatalf("self-approval: %v", err)
	}
	b, err := eng.Approve(ctx, held.Request, "user:approver")
	if err != nil || b.Recipients != 100 {
		t.Fatalf("approved send: %v %+v", err, b)
	}
	if _, err := eng.Approve(ctx, held.Request, "user:other"); !errors.Is(err, engine.ErrDecided) {
		t.Fatalf("second approval: %v", err)
	}
	exercise := actual
	exercise.Status = "exercise"
	if _, err := eng.Send(ctx, exercise); err != nil {
		t.Fatalf("an exercise needs no approval: %v", err)
	}
	glass := actual
	glass.Actor, glass.BreakGlass = "user:admin", "approver unreachable, fire in building"
	if _, err := eng.Send(ctx, glass); err != nil {
		t.Fatalf("break-glass: %v", err)
	}
	var entries []audit.Entry
	h.st.(*sqlite.Store).AuditLog(ctx, func(e *audit.Entry) error { entries = append(entries, *e); return nil })
	var log strings.Builder
	for _, e := range entries {
		log.WriteString(e.Action + " " + e.Actor + " " + e.Detail + "\n")
	}
	for _, want := range []string{"request approval user:cmdr", "approved by user:approver", "BREAK-GLASS send user:admin", "fire in building"} {
		if !strings.Contains(log.String(), want) {
			t.Fatalf("audit log lacks %q:\n%s", want, log.String())
		}
	}
}
