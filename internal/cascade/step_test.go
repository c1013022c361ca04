package cascade

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)

func kinds(effs []Effect) map[EffectKind]int {
	m := map[EffectKind]int{}
	for _, e := range effs {
		m[e.Kind]++
	}
	return m
}

func newR(plan ...string) Recipient { return Recipient{Method: -1, Plan: plan} }

func TestReleaseSendsFirstMethodAndWaits(t *testing.T) {
	p := DefaultPolicy(Broadcast)
	r, effs := Step(&p, newR("sms", "voice"), Event{Kind: Release}, t0)
	if r.State != Contacting || r.Attempts != 1 || kinds(effs)[Send] != 1 {
		t.Fatalf("after release: %+v %v", r, effs)
	}
	if want := t0.Add(p.Wait["sms"]); !r.MethodAt.Equal(want) {
		t.Fatalf("method timer %v, want %v", r.MethodAt, want)
	}
	r, _ = Step(&p, r, Event{Kind: AttemptResult, Attempt: 0, Outcome: Sent}, t0)
	if r.State != Waiting {
		t.Fatalf("state %v after sent, want waiting", r.State)
	}
	// the sms wait ends: voice is next
	r, effs = Step(&p, r, Event{Kind: Timer}, r.MethodAt)
	if r.Method != 1 || kinds(effs)[Send] != 1 || r.State != Contacting {
		t.Fatalf("after sms wait: %+v %v", r, effs)
	}
}

func TestAckStopsFurtherAttempts(t *testing.T) {
	p := DefaultPolicy(Broadcast)
	r, _ := Step(&p, newR("sms", "voice"), Event{Kind: Release}, t0)
	r, effs := Step(&p, r, Event{Kind: Ack, Response: 1}, t0.Add(time.Minute))
	if r.State != Acked || kinds(effs)[WithdrawAttempts] != 1 || !r.NextAt().IsZero() {
		t.Fatalf("after ack: %+v %v", r, effs)
	}
	for _, ev := range []Event{{Kind: Timer}, {Kind: AttemptResult, Attempt: 0, Outcome: Failed}, {Kind: Ack, Response: 2}, {Kind: Release}} {
		r2, effs := Step(&p, r, ev, t0.Add(time.Hour))
		if len(effs) != 0 || r2.State != Acked || r2.Response != 1 {
			t.Fatalf("%v after ack changed things: %+v %v", ev.Kind, r2, effs)
		}
	}
}

func TestPlanExhaustedEscalates(t *testing.T) {
	p := DefaultPolicy(Cascade)
	r := newR("sms")
	r.HasCallees = true
	r, _ = Step(&p, r, Event{Kind: Release}, t0)
	r, effs := Step(&p, r, Event{Kind: AttemptResult, Attempt: 0, Outcome: Failed}, t0.Add(time.Second))
	k := kinds(effs)
	if r.State != Unreached || !r.Escalated || k[OpenCallTask] != 1 || k[ReleaseCallees] != 1 {
		t.Fatalf("after the only method failed: %+v %v", r, effs)
	}
	// a late ack still counts, but does not escalate again
	r, effs = Step(&p, r, Event{Kind: Ack, Response: 1}, t0.Add(time.Hour))
	if r.State != Acked || kinds(effs)[OpenCallTask] != 0 || kinds(effs)[ReleaseCallees] != 0 {
		t.Fatalf("late ack: %+v %v", r, effs)
	}
}

func TestNoMethodIsUnreachedAtOnce(t *testing.T) {
	p := DefaultPolicy(Broadcast)
	r, effs := Step(&p, newR(), Event{Kind: Release}, t0)
	if r.State != Unreached || kinds(effs)[OpenCallTask] != 1 || kinds(effs)[Send] != 0 {
		t.Fatalf("%+v %v", r, effs)
	}
}

func TestHealingReleasesCalleesOfSilentCaller(t *testing.T) {
	p := DefaultPolicy(Cascade)
	r := newR("sms", "voice", "email")
	r.HasCallees = true
	r, _ = Step(&p, r, Event{Kind: Release}, t0)
	if !r.HealAt.Equal(t0.Add(p.LevelTimeout)) {
		t.Fatalf("heal timer %v", r.HealAt)
	}
	r, effs := Step(&p, r, Event{Kind: Timer}, r.HealAt)
	if kinds(effs)[ReleaseCallees] != 1 || !r.CalleesReleased || r.State.Terminal() {
		t.Fatalf("silent caller did not release the branch: %+v %v", r, effs)
	}
	for _, e := range effs {
		if e.Kind == ReleaseCallees && e.Relay {
			t.Fatal("healing must release to the machine, not to a call list")
		}
	}
}

func TestRelayBackfill(t *testing.T) {
	p := DefaultPolicy(Relay)
	caller := newR("sms")
	caller.HasCallees = true
	caller, _ = Step(&p, caller, Event{Kind: Release}, t0)
	_, effs := Step(&p, caller, Event{Kind: Ack, Response: 1}, t0.Add(time.Minute))
	var relay bool
	for _, e := range effs {
		relay = relay || (e.Kind == ReleaseCallees && e.Relay)
	}
	if !relay {
		t.Fatalf("an acking relay caller must get their call list: %v", effs)
	}
	callee, effs := Step(&p, newR("sms"), Event{Kind: RelayRelease}, t0.Add(time.Minute))
	if callee.State != Pending || !callee.Relay || len(effs) != 0 {
		t.Fatalf("relayed callee: %+v %v", callee, effs)
	}
	// not marked by the deadline: the machine takes over
	callee, effs = Step(&p, callee, Event{Kind: Timer}, callee.MethodAt)
	if callee.State != Contacting || callee.Relay || kinds(effs)[Send] != 1 {
		t.Fatalf("backfill: %+v %v", callee, effs)
	}
	// marked reached in time: acked, no machine contact
	marked, _ := Step(&p, newR("sms"), Event{Kind: RelayRelease}, t0)
	marked, effs = Step(&p, marked, Event{Kind: Ack, Response: 1}, t0.Add(5*time.Minute))
	if marked.State != Acked || kinds(effs)[Send] != 0 {
		t.Fatalf("marked reached: %+v %v", marked, effs)
	}
}

func TestCancelStopsEverything(t *testing.T) {
	p := DefaultPolicy(Cascade)
	r, _ := Step(&p, newR("sms", "voice"), Event{Kind: Release}, t0)
	r, effs := Step(&p, r, Event{Kind: Cancel}, t0.Add(time.Minute))
	if r.State != Cancelled || !r.NextAt().IsZero() || kinds(effs)[WithdrawAttempts] != 1 {
		t.Fatalf("%+v %v", r, effs)
	}
	r, effs = Step(&p, r, Event{Kind: Ack, Response: 1}, t0.Add(2*time.Minute))
	if r.State != Cancelled || len(effs) != 0 {
		t.Fatalf("ack after cancel: %+v %v", r, effs)
	}
}

func TestStaleAttemptResultIgnored(t *testing.T) {
	p := DefaultPolicy(Broadcast)
	r, _ := Step(&p, newR("sms", "voice", "email"), Event{Kind: Release}, t0)
	r, _ = Step(&p, r, Event{Kind: Timer}, r.MethodAt) // now on voice, attempt 1
	r2, effs := Step(&p, r, Event{Kind: AttemptResult, Attempt: 0, Outcome: Failed}, r.MethodAt)
	if len(effs) != 0 || r2.Method != 1 {
		t.Fatalf("a late failure of an old attempt moved the plan: %+v %v", r2, effs)
	}
}
