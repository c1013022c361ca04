package engine_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"phonetree/internal/cascade"
)

func TestEveryModeReachesEveryone(t *testing.T) {
	for _, m := range []cascade.Mode{cascade.Broadcast, cascade.Cascade, cascade.Relay} {
		t.Run(m.String(), func(t *testing.T) {
			h := newHarness(t, org)
			b := h.send(m)
			h.run()
			for id, st := range h.states(b) {
				if st != "acked" {
					t.Errorf("%s is %s, want acked", id, st)
				}
			}
		})
	}
}

func TestAckStopsFurtherAttempts(t *testing.T) {
	h := newHarness(t, header+"E1,Root,,,,+13105550101,,r@example.org,,,\n")
	h.carrier.people["E1"] = behaviour{ackOn: 0}
	b := h.send(cascade.Broadcast)
	h.run()
	if st := h.states(b)["E1"]; st != "acked" {
		t.Fatalf("E1 %s", st)
	}
	if n := len(h.carrier.log); n != 1 {
		t.Fatalf("%d messages after an ack on the first sms, want 1: %+v", n, h.carrier.log)
	}
}

func TestHealingSilentParentDoesNotBlockBranch(t *testing.T) {
	h := newHarness(t, org)
	h.carrier.people["E2"] = behaviour{ackOn: -1} // E2 never answers
	b := h.send(cascade.Cascade)
	h.run()
	st := h.states(b)
	if st["E4"] != "acked" || st["E5"] != "acked" {
		t.Fatalf("E2's callees not reached past their silent caller: %v", st)
	}
	if st["E2"] != "unreached" {
		t.Fatalf("E2 %s, want unreached", st["E2"])
	}
}

// TestUnreachedCallTaskGoesUpTheChain: an unreached person's call task goes
// to their caller; left open, after the policy's wait it goes to the
// caller's caller as well, then to the operators, each with a notice.
func TestUnreachedCallTaskGoesUpTheChain(t *testing.T) {
	h := newHarness(t, org)
	h.carrier.people["E4"] = behaviour{fails: true} // E4 cannot be reached
	b := h.send(cascade.Broadcast)
	h.run()
	tasks, err := h.st.CallTasks(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	want := []int32{1, 0, -1} // E2 (E4's caller), E1 (E2's caller), the operators
	if len(tasks) != len(want) {
		t.Fatalf("call tasks %+v, want %d for E4 (idx 3), assigned to %v in turn", tasks, len(want), want)
	}
	wait := cascade.DefaultPolicy(cascade.Broadcast).CallTaskWait
	for i, task := range tasks {
		if task.Subject != 3 || task.Assignee != want[i] {
			t.Fatalf("task %d: %+v, want subject 3 assigned to %d", i, task, want[i])
		}
		if i > 0 {
			if gap := time.Duration(task.CreatedAt - tasks[i-1].CreatedAt); gap < wait || gap > wait+2*time.Minute {
				t.Fatalf("task %d opened %v after the one before, want the policy's %v (give or take the driver's step)", i, gap, wait)
			}
		}
	}
	notices := map[string]int{}
	for _, m := range h.carrier.log {
		if len(m.CallList) == 1 && m.CallList[0].Recipient == 3 {
			notices[m.To]++
		}
	}
	if notices["+13105550102"] != 1 || notices["+13105550101"] != 1 || len(notices) != 2 {
		t.Fatalf("call-task notices by number %v, want one to E2 and one to E1", notices)
	}
	if st := h.states(b)["E4"]; st != "unreached" {
		t.Fatalf("E4 %s", st)
	}
}

func TestRelayBackfillsUnmarked(t *testing.T) {
	h := newHarness(t, org)
	b := h.send(cascade.Relay)
	h.run()
	// the scripted relay callers never call anyone: every callee is backfilled
	// by the machine after the relay deadline, and acks.
	for id, st := range h.states(b) {
		if st != "acked" {
			t.Errorf("%s %s", id, st)
		}
	}
	lists := 0
	for _, m := range h.carrier.log {
		if len(m.CallList) > 0 {
			lists++
		}
	}
	if lists != 3 { // E1, E2, E3 have callees
		t.Fatalf("%d call lists sent, want 3", lists)
	}
	if h.sendsTo("+13105550104") != 1 {
		t.Fatalf("E4 not backfilled by the machine")
	}
}

func TestCancelStopsTheRun(t *testing.T) {
	h := newHarness(t, org)
	for _, n := range []string{"E1", "E2", "E3", "E4", "E5", "E6"} {
		h.carrier.people[n] = behaviour{ackOn: -1}
	}
	b := h.send(cascade.Cascade)
	if _, err := h.eng.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	before := len(h.carrier.log)
	if err := h.eng.Cancel(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	h.run()
	for id, st := range h.states(b) {
		if st != "cancelled" {
			t.Errorf("%s %s after cancel", id, st)
		}
	}
	if after := len(h.carrier.log); after != before {
		t.Fatalf("%d messages sent after cancel", after-before)
	}
}

func TestEveryMessageCarriesTheWord(t *testing.T) {
	h := newHarness(t, org)
	h.carrier.people["E2"] = behaviour{ackOn: -1}
	h.send(cascade.Relay)
	h.run()
	if len(h.carrier.log) == 0 {
		t.Fatal("no messages")
	}
	for _, m := range h.carrier.log {
		word := h.people.People[m.Addressee].Word
		if word == "" || !strings.Contains(m.Text, word) {
			t.Fatalf("message to %s lacks their word %q: %q", h.people.People[m.Addressee].ID, word, m.Text)
		}
	}
}
