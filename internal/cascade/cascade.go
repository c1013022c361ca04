// Package cascade is the pure heart of phonetree: the recipient state machine,
// the three sending modes and escalation. It knows nothing of SQL, HTTP or the
// wall clock: Step takes the time it is given and returns the new state and the
// effects the engine must carry out.
package cascade

import (
	"fmt"
	"time"
)

// Mode decides when a recipient is released (starts being contacted).
type Mode uint8

const (
	// Broadcast releases everyone at once; the tree is used only for escalation.
	Broadcast Mode = iota
	// Cascade releases roots first and a callee once its caller acked, went
	// unreached, or its caller's level timeout passed (healing).
	Cascade
	// Relay hands callees to their caller's call list when the caller acks; those
	// not marked reached by the relay deadline are released to the machine (backfill).
	Relay
)

var modeNames = [...]string{"broadcast", "cascade", "relay"}

func (m Mode) String() string {
	if int(m) < len(modeNames) {
		return modeNames[m]
	}
	return fmt.Sprintf("mode(%d)", m)
}

// ParseMode reads a mode name.
func ParseMode(s string) (Mode, error) {
	for i, n := range modeNames {
		if n == s {
			return Mode(i), nil
		}
	}
	return 0, fmt.Errorf("unknown mode %q (want broadcast, cascade or relay)", s)
}

// State is where a recipient stands in a bulletin's run.
type State uint8

const (
	Pending State = iota
	Contacting
	Waiting
	Acked
	Unreached
	Cancelled
)

var stateNames = [...]string{"pending", "contacting", "waiting", "acked", "unreached", "cancelled"}

func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("state(%d)", s)
}

// Terminal reports whether no further contact will be made. Unreached is
// terminal for contact, though a late ack still moves it to Acked.
func (s State) Terminal() bool { return s == Acked || s == Unreached || s == Cancelled }

// Policy is a bulletin's sending rules.
type Policy struct {
	Mode Mode
	// Wait is how long to wait for an ack after an attempt on each method before
	// trying the next one (or, after the last, declaring the recipient unreached).
	Wait map[string]time.Duration
	// DefaultWait applies to methods missing from Wait.
	DefaultWait time.Duration
	// LevelTimeout releases a caller's callees even without the caller's ack.
	LevelTimeout time.Duration
	// RelayDeadline is how long a human caller has to mark a callee reached.
	RelayDeadline time.Duration
	// CallTaskWait is how long a call task for an unreached person stays with
	// one person before it also goes to the next up the chain (caller,
	// caller's caller, backups, operators).
	CallTaskWait time.Duration
}

// DefaultPolicy returns the policy a bulletin gets unless told otherwise.
func DefaultPolicy(m Mode) Policy {
	return Policy{
		Mode: m,
		Wait: map[string]time.Duration{
			"sms": 5 * time.Minute, "voice": 3 * time.Minute,
			"email": 10 * time.Minute, "webhook": 5 * time.Minute,
		},
		DefaultWait:   5 * time.Minute,
		LevelTimeout:  4 * time.Minute,
		RelayDeadline: 20 * time.Minute,
		CallTaskWait:  DefaultCallTaskWait,
	}
}

// DefaultCallTaskWait is CallTaskWait for a policy that sets none.
const DefaultCallTaskWait = 15 * time.Minute

func (p *Policy) wait(method string) time.Duration {
	if d, ok := p.Wait[method]; ok {
		return d
	}
	return p.DefaultWait
}

// Recipient is one person within one bulletin's run.
type Recipient struct {
	State    State
	Method   int // index into Plan of the latest attempt's method; -1 before any
	Attempts int // attempts made so far; the next attempt's sequence number
	// MethodAt is when the current method's wait ends (zero: no method timer).
	MethodAt time.Time
	// HealAt is when callees are released without this recipient's ack (zero: none).
	HealAt          time.Time
	CalleesReleased bool
	Relay           bool // on a human caller's list, waiting to be marked reached
	Escalated       bool
	AckedAt         time.Time
	Response        int // the chosen response option, 1-based; 0 if none

	// Derived from the roster, not persisted.
	Plan       []string // contact methods in order
	HasCallees bool
}

// NextAt is when the recipient next needs a Timer event (zero: never).
func (r *Recipient) NextAt() time.Time {
	switch {
	case r.MethodAt.IsZero():
		return r.HealAt
	case r.HealAt.IsZero() || r.MethodAt.Before(r.HealAt):
		return r.MethodAt
	}
	return r.HealAt
}
