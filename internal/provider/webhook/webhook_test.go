package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"phonetree/internal/clock"
	"phonetree/internal/provider"
)

var secret = []byte("0123456789abcdef0123")

// receiver verifies posts as a receiving service would, and answers with
// the statuses it is given in turn (then 200).
type receiver struct {
	mu       sync.Mutex
	statuses []int
	got      []Payload
	keys     []string
	clock    clock.Clock
	t        *testing.T
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if err := Verify(secret, r.Header.Get("X-Phonetree-Timestamp"), r.Header.Get("X-Phonetree-Signature"), body, rc.clock.Now(), 5*time.Minute); err != nil {
		rc.t.Errorf("receiver: %v", err)
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.keys = append(rc.keys, r.Header.Get("Idempotency-Key"))
	if len(rc.statuses) > 0 {
		st := rc.statuses[0]
		rc.statuses = rc.statuses[1:]
		if st == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "30")
		}
		w.WriteHeader(st)
		return
	}
	var p Payload
	if err := json.Unmarshal(body, &p); err != nil {
		rc.t.Errorf("receiver: %v", err)
	}
	rc.got = append(rc.got, p)
}

func setup(t *testing.T, statuses ...int) (*Provider, *receiver, *[]time.Duration) {
	c := clock.NewFake(time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC))
	rc := &receiver{statuses: statuses, clock: c, t: t}
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	var slept []time.Duration
	p, err := New(Config{URL: srv.URL + "/hook", Secret: secret, Clock: c,
		Link:  func(id int64) string { return "https://pt.example.org/a/tok" },
		Sleep: func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	return p, rc, &slept
}

var msg = provider.Message{AttemptID: 42, Key: "pt-42", Bulletin: 1, Recipient: 3, Method: "webhook",
	Text: "[EXERCISE] Outage: use the bridge Reply 1 Safe, 2 Need help. Your word: maple."}

func TestPostSignedSlackCompatible(t *testing.T) {
	p, rc, _ := setup(t)
	id, err := p.Send(context.Background(), msg)
	if err != nil || id != "pt-42" {
		t.Fatalf("Send = %q, %v", id, err)
	}
	got := rc.got[0]
	if !strings.HasPrefix(got.Text, msg.Text) || !strings.Contains(got.Text, "<https://pt.example.org/a/tok|") ||
		got.Title != "Outage" || !got.Exercise || len(got.Options) != 2 || got.AckURL == "" || got.Attempt != 42 {
		t.Errorf("payload = %+v", got)
	}
	if rc.keys[0] != "pt-42" {
		t.Errorf("Idempotency-Key = %q", rc.keys[0])
	}
}

func TestRetries(t *testing.T) {
	p, rc, slept := setup(t, 503, 502)
	if _, err := p.Send(context.Background(), msg); err != nil {
		t.Fatalf("after two 5xx: %v", err)
	}
	if len(rc.got) != 1 || len(*slept) != 2 || (*slept)[1] != 2*(*slept)[0] {
		t.Errorf("got %d posts, slept %v", len(rc.got), *slept)
	}
	p, _, _ = setup(t, 500, 500, 500)
	if _, err := p.Send(context.Background(), msg); provider.Classify(err) != provider.Retry {
		t.Errorf("three 5xx: %v, want retry", err)
	}
	p, _, _ = setup(t, 429)
	_, err := p.Send(context.Background(), msg)
	var pe *provider.Error
	if !errors.As(err, &pe) || pe.Kind != provider.RateLimited || pe.RetryAfter != 30*time.Second {
		t.Errorf("429: %v, want rate limited 30s", err)
	}
	p, _, _ = setup(t, 404)
	if _, err := p.Send(context.Background(), msg); provider.Classify(err) != provider.Permanent {
		t.Errorf("404: %v, want permanent", err)
	}
}

func TestVerifyRejects(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"text":"hi"}`)
	ts := "1800000000"
	sig := Sign(secret, ts, body)
	if err := Verify(secret, ts, sig, body, now, time.Minute); err != nil {
		t.Fatal(err)
	}
	if Verify(secret, ts, sig, []byte(`{"text":"bye"}`), now, time.Minute) == nil {
		t.Error("tampered body accepted")
	}
	if Verify(secret, ts, sig, body, now.Add(time.Hour), time.Minute) == nil {
		t.Error("replayed post accepted")
	}
	if _, err := New(Config{Secret: []byte("short")}); err == nil {
		t.Error("short secret accepted")
	}
}
