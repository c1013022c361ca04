package twilio

import (
	"errors"
	"fmt"
	"net"
	"time"

	twclient "github.com/twilio/twilio-go/client"

	"phonetree/internal/provider"
)

// NotSentError marks a failure after which Twilio surely holds no message or
// call (it answered with an error, or was never reached): the attempt may go
// to another provider without risk of a second delivery. failover checks for
// a NotSent method anywhere in an error's chain.
type NotSentError struct{ Err error }

func (e *NotSentError) Error() string { return e.Err.Error() }
func (e *NotSentError) Unwrap() error { return e.Err }

// NotSent reports true.
func (e *NotSentError) NotSent() bool { return true }

// Twilio error codes that say the address, not the moment, is wrong.
var permanentCodes = map[int]string{
	21211: "invalid To number",
	21610: "the person replied STOP; SMS blocked until they send START",
	21614: "not a mobile number",
	21408: "sending to this region is not enabled",
	21612: "Twilio cannot route to this number",
	13224: "invalid phone number for calls",
	21217: "invalid phone number for calls",
}

// classify turns a REST failure into a provider.Error.
func classify(err error, what string) error {
	var te *twclient.TwilioRestError
	if errors.As(err, &te) {
		werr := fmt.Errorf("%s: Twilio %d %s: %w", what, te.Code, te.Message, err)
		if reason, ok := permanentCodes[te.Code]; ok {
			return &provider.Error{Kind: provider.Permanent, Err: fmt.Errorf("%s (%s): %w", what, reason, err)}
		}
		switch {
		case te.Code == 20429 || te.Status == 429:
			return &provider.Error{Kind: provider.RateLimited, RetryAfter: time.Second, Err: &NotSentError{werr}}
		case te.Code == 21611: // more than 10 hours queued on this sender
			return &provider.Error{Kind: provider.RateLimited, RetryAfter: time.Minute, Err: &NotSentError{werr}}
		case te.Status >= 500, te.Status == 401, te.Status == 403:
			// Twilio answered and created nothing; an account or
			// platform problem another provider may not have.
			return &provider.Error{Kind: provider.Retry, Err: &NotSentError{werr}}
		case te.Status >= 400:
			return &provider.Error{Kind: provider.Permanent, Err: werr}
		}
		return &provider.Error{Kind: provider.Retry, Err: werr}
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return &provider.Error{Kind: provider.Retry, Err: &NotSentError{fmt.Errorf("%s: %w", what, err)}}
	}
	// A timeout or a dropped connection: Twilio may or may not have the
	// message. Retried on the same provider, never failed over.
	return &provider.Error{Kind: provider.Retry, Err: fmt.Errorf("%s: %w", what, err)}
}

func rateLimited(wait time.Duration, why string) error {
	return &provider.Error{Kind: provider.RateLimited, RetryAfter: wait, Err: &NotSentError{fmt.Errorf("%s: next free in %v", why, wait)}}
}
