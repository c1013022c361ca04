package failover

import (
	"context"
	"errors"
	"testing"
	"time"

	"phonetree/internal/clock"
	"phonetree/internal/provider"
)

type notSent struct{ error }

func (notSent) NotSent() bool { return true }

// fake fails with err (nil: succeeds) and counts sends per key.
type fake struct {
	name  string
	err   error
	sends map[string]int
}

func (f *fake) Name() string     { return f.name }
func (f *fake) Idempotent() bool { return false }
func (f *fake) Send(_ context.Context, m provider.Message) (string, error) {
	f.sends[m.Key]++
	if f.err != nil {
		return "", f.err
	}
	return f.name + "-" + m.Key, nil
}

func newPair(t *testing.T, primaryErr error) (*Provider, *fake, *fake, *clock.Fake) {
	t.Helper()
	a := &fake{name: "a", err: primaryErr, sends: map[string]int{}}
	b := &fake{name: "b", sends: map[string]int{}}
	c := clock.NewFake(time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC))
	p, err := New(Config{Primary: a, Secondary: b, Threshold: 2, Cooldown: time.Minute, Clock: c})
	if err != nil {
		t.Fatal(err)
	}
	return p, a, b, c
}

func send(p *Provider, key string) (string, error) {
	return p.Send(context.Background(), provider.Message{Key: key, Method: "sms"})
}

func TestFailsOverWhenNotSent(t *testing.T) {
	down := &provider.Error{Kind: provider.Retry, Err: notSent{errors.New("503")}}
	p, a, b, c := newPair(t, down)
	for _, k := range []string{"k1", "k2", "k3", "k4"} {
		id, err := send(p, k)
		if err != nil || id != "b-"+k {
			t.Fatalf("%s: %q %v, want sent by b", k, id, err)
		}
	}
	// the circuit opened after 2 failures: a was not tried for k3 and k4
	if a.sends["k3"] != 0 || a.sends["k4"] != 0 || !p.Open(0) {
		t.Errorf("primary tried with its circuit open: %v", a.sends)
	}
	// after the cooldown one trial goes to a; it works again and closes
	c.Advance(time.Minute)
	a.err = nil
	if id, err := send(p, "k5"); err != nil || id != "a-k5" || p.Open(0) {
		t.Errorf("after cooldown: %q %v open=%v", id, err, p.Open(0))
	}
	for k, n := range b.sends {
		if n != 1 {
			t.Errorf("%s sent %d times by b", k, n)
		}
	}
}

func TestAmbiguousFailureIsNotFailedOver(t *testing.T) {
	timeout := &provider.Error{Kind: provider.Retry, Err: errors.New("read: connection reset")}
	p, _, b, _ := newPair(t, timeout)
	if _, err := send(p, "k1"); provider.Classify(err) != provider.Retry {
		t.Errorf("err = %v, want retry", err)
	}
	if len(b.sends) != 0 {
		t.Error("an attempt the primary may have sent went to the secondary too")
	}
}

func TestPermanentIsNotFailedOver(t *testing.T) {
	p, _, b, _ := newPair(t, &provider.Error{Kind: provider.Permanent, Err: notSent{errors.New("21211 invalid To")}})
	if _, err := send(p, "k1"); provider.Classify(err) != provider.Permanent || len(b.sends) != 0 {
		t.Errorf("err = %v, secondary sends %v", err, b.sends)
	}
}

func TestBothDown(t *testing.T) {
	p, _, b, _ := newPair(t, &provider.Error{Kind: provider.Retry, Err: notSent{errors.New("503")}})
	b.err = &provider.Error{Kind: provider.RateLimited, RetryAfter: 200 * time.Millisecond, Err: notSent{errors.New("busy")}}
	_, err := send(p, "k1")
	var pe *provider.Error
	if !errors.As(err, &pe) || pe.Kind != provider.RateLimited || pe.RetryAfter != 200*time.Millisecond {
		t.Errorf("err = %v, want rate limited for 200ms", err)
	}
}
