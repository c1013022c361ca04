// Package provider defines what carries an attempt to a person (sms, voice,
// email, webhook) and the classified errors a carrier returns. Implementations
// live in subpackages named after what they talk to (sim, twilio, smtp, webhook).
package provider

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Message is one attempt to hand to a provider.
type Message struct {
	AttemptID int64
	Key       string // idempotency key, unique per attempt
	Bulletin  int64
	Recipient int32
	Addressee int32 // the person the message goes to: the recipient, or the human asked to call them
	Seq       int
	Method    string
	To        string
	Text      string
	// CallList is set for a relay caller's list: the people they should call.
	CallList []Callee
}

// Callee is one line of a relay caller's call list.
type Callee struct {
	Recipient int32
	Name      string
	Number    string
}

// Provider carries messages. Send returns the provider's message id or an
// *Error saying whether to retry.
type Provider interface {
	Name() string
	Send(ctx context.Context, m Message) (string, error)
	// Idempotent reports whether sending the same Key twice is safe (the
	// provider deduplicates). An attempt whose hand-over outcome is lost in a
	// crash is re-sent only to an idempotent provider; otherwise it is marked
	// unknown rather than risk a second send.
	Idempotent() bool
}

// Kind classifies a send failure.
type Kind uint8

const (
	// Retry: a transient failure; try again later.
	Retry Kind = iota
	// Permanent: this address cannot be reached this way; move to the next method.
	Permanent
	// RateLimited: the provider asked us to slow down.
	RateLimited
)

// Error is a classified provider failure.
type Error struct {
	Kind       Kind
	RetryAfter time.Duration
	Err        error
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %v", [...]string{"retry", "permanent", "rate limited"}[e.Kind], e.Err)
}
func (e *Error) Unwrap() error { return e.Err }

// Classify returns the kind of err; unclassified errors are retried.
func Classify(err error) Kind {
	var pe *Error
	if errors.As(err, &pe) {
		return pe.Kind
	}
	return Retry
}

// ReportKind names an inbound event from a provider.
type ReportKind uint8

const (
	// Delivered: the carrier delivered the message or a human answered the call.
	Delivered ReportKind = iota
	// Undeliverable: the attempt failed for good (bounce, voicemail, no answer).
	Undeliverable
	// Acked: the person confirmed, with a response option.
	Acked
	// Reached: a relay caller marked the recipient reached.
	Reached
)

// Report is one inbound event: a delivery status, an ack, a relay mark.
type Report struct {
	Kind      ReportKind
	AttemptID int64 // for Delivered, Undeliverable, Acked
	Bulletin  int64 // for Reached
	Recipient int32 // for Reached
	Response  int
	Source    string // "sms", "voice", "link", "caller", …
	At        time.Time
}
