package twilio_test

import (
	"strings"
	"testing"

	"phonetree/internal/cascade"
)

// With the first SMS account failing, everyone is still reached through
// the second; the first's circuit opens; nobody gets an attempt twice.
func TestFailoverToSecondAccount(t *testing.T) {
	const n = 40
	rg := newRig(t, smsRoster(n), rigOptions{failover: true})
	rg.account.FailWith, rg.account.FailCode = 503, 20500
	b := rg.send(cascade.Broadcast)
	rg.run()

	for id, st := range rg.states(b) {
		if st != "acked" {
			t.Errorf("%s: %s, want acked", id, st)
		}
	}
	msgs := rg.standin.Messages()
	if len(msgs) != n {
		t.Errorf("%d messages, want %d", len(msgs), n)
	}
	for _, m := range msgs {
		if m.Account != accountSID2 || !strings.Contains(m.StatusCallback, "/hooks/twilio2/status?") {
			t.Errorf("message to %s went through %s (%s)", m.To, m.Account, m.StatusCallback)
		}
	}
	assertOncePerAttempt(t, msgs, nil)
	if !strings.Contains(rg.log.String(), "provider circuit opened") {
		t.Errorf("primary's circuit not opened; log:\n%s", rg.log)
	}
}
