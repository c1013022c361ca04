package cascade

import "time"

// EventKind names what happened to a recipient.
type EventKind uint8

const (
	// Release starts contacting the recipient (by the machine).
	Release EventKind = iota
	// RelayRelease puts the recipient on their caller's call list.
	RelayRelease
	// AttemptResult reports what became of an attempt.
	AttemptResult
	// Ack is the recipient's confirmation (or their caller marking them reached).
	Ack
	// Timer fires at the recipient's NextAt.
	Timer
	// Cancel withdraws the recipient (an all-clear or an operator's cancel).
	Cancel
)

var eventNames = [...]string{"release", "relay", "attempt", "ack", "timer", "cancel"}

func (k EventKind) String() string { return eventNames[k] }

// Outcome is an attempt's result as the domain sees it.
type Outcome uint8

const (
	// Sent: handed to the provider.
	Sent Outcome = iota
	// Delivered: the carrier reports delivery (or a call was answered by a human).
	Delivered
	// Failed: the attempt cannot reach the person (undeliverable, voicemail,
	// no answer); the plan moves on to the next method at once.
	Failed
)

// Event is one input to Step.
type Event struct {
	Kind     EventKind
	Attempt  int // the attempt's sequence number, for AttemptResult
	Outcome  Outcome
	Response int
}

// EffectKind names work the engine must do for a Step.
type EffectKind uint8

const (
	// Send creates attempt number Attempt on Plan[Method].
	Send EffectKind = iota
	// WithdrawAttempts cancels the recipient's attempts not yet handed over.
	WithdrawAttempts
	// ReleaseCallees releases the recipient's callees; Relay says to a human call list.
	ReleaseCallees
	// OpenCallTask asks a human (the caller, up the tree, then backups) to call.
	OpenCallTask
	// Record writes a state change to the event log.
	Record
)

// Effect is one piece of work Step asks of the engine.
type Effect struct {
	Kind    EffectKind
	Method  int   // Send
	Attempt int   // Send
	Relay   bool  // ReleaseCallees
	From    State // Record
	To      State // Record
	Cause   EventKind
}

// Step applies one event to a recipient at time now and returns the new
// recipient and the effects to carry out. It is pure and total: an event that
// does not apply leaves the recipient unchanged and returns no effects.
func Step(p *Policy, r Recipient, ev Event, now time.Time) (Recipient, []Effect) {
	s := stepper{p: p, r: r, now: now, cause: ev.Kind}
	switch ev.Kind {
	case Release:
		if r.State == Pending {
			s.release()
		}
	case RelayRelease:
		if r.State == Pending && !r.Relay {
			s.r.Relay = true
			s.r.MethodAt = now.Add(p.RelayDeadline)
		}
	case AttemptResult:
		s.attemptResult(ev)
	case Ack:
		if r.State != Acked && r.State != Cancelled {
			s.ack(ev.Response)
		}
	case Timer:
		s.timer()
	case Cancel:
		if !r.State.Terminal() {
			s.r.MethodAt, s.r.HealAt, s.r.Relay = time.Time{}, time.Time{}, false
			s.to(Cancelled)
			s.effect(Effect{Kind: WithdrawAttempts})
		}
	}
	return s.r, s.effects
}

type stepper struct {
	p       *Policy
	r       Recipient
	now     time.Time
	cause   EventKind
	effects []Effect
}

func (s *stepper) effect(e Effect) { s.effects = append(s.effects, e) }

func (s *stepper) to(st State) {
	if s.r.State == st {
		return
	}
	s.effect(Effect{Kind: Record, From: s.r.State, To: st, Cause: s.cause})
	s.r.State = st
}

func (s *stepper) release() {
	s.r.Relay = false
	if s.p.Mode != Broadcast && s.r.HasCallees && !s.r.CalleesReleased {
		s.r.HealAt = s.now.Add(s.p.LevelTimeout)
	}
	s.to(Contacting)
	s.nextMethod()
}

// nextMethod sends on the next method of the plan, or, with the plan
// exhausted, declares the recipient unreached and escalates.
func (s *stepper) nextMethod() {
	next := s.r.Method + 1
	if next >= len(s.r.Plan) {
		s.r.MethodAt = time.Time{}
		s.to(Unreached)
		s.r.Escalated = true
		s.effect(Effect{Kind: OpenCallTask})
		s.releaseCallees(false)
		return
	}
	s.r.Method = next
	s.effect(Effect{Kind: Send, Method: next, Attempt: s.r.Attempts})
	s.r.Attempts++
	s.r.MethodAt = s.now.Add(s.p.wait(s.r.Plan[next]))
	s.to(Contacting)
}

func (s *stepper) attemptResult(ev Event) {
	current := ev.Attempt == s.r.Attempts-1
	if !current || (s.r.State != Contacting && s.r.State != Waiting) {
		return
	}
	switch ev.Outcome {
	case Sent, Delivered:
		s.to(Waiting)
	case Failed:
		s.nextMethod()
	}
}

func (s *stepper) ack(response int) {
	s.r.AckedAt, s.r.Response = s.now, response
	s.r.MethodAt, s.r.HealAt, s.r.Relay = time.Time{}, time.Time{}, false
	s.to(Acked)
	s.effect(Effect{Kind: WithdrawAttempts})
	s.releaseCallees(s.p.Mode == Relay)
}

func (s *stepper) releaseCallees(relay bool) {
	if s.p.Mode == Broadcast || !s.r.HasCallees || s.r.CalleesReleased {
		return
	}
	s.r.CalleesReleased = true
	s.r.HealAt = time.Time{}
	s.effect(Effect{Kind: ReleaseCallees, Relay: relay})
}

func (s *stepper) timer() {
	if s.r.State.Terminal() {
		return
	}
	if !s.r.HealAt.IsZero() && !s.now.Before(s.r.HealAt) {
		s.releaseCallees(false)
	}
	if s.r.MethodAt.IsZero() || s.now.Before(s.r.MethodAt) {
		return
	}
	if s.r.State == Pending && s.r.Relay {
		s.release() // backfill: the human caller did not mark them in time
		return
	}
	if s.r.State == Contacting || s.r.State == Waiting {
		s.nextMethod()
	}
}
