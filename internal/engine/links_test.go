package engine_test

import (
	"fmt"
	"strings"
	"testing"

	"phonetree/internal/cascade"
	"phonetree/internal/engine"
	"phonetree/internal/provider"
)

type fakeLinks struct{}

func (fakeLinks) AckLink(a int64) string { return fmt.Sprintf("https://pt.example/a/%d", a) }
func (fakeLinks) CallListLink(b int64, c int32) string {
	return fmt.Sprintf("https://pt.example/c/%d-%d", b, c)
}

func TestRelayCallListCarriesItsPageLink(t *testing.T) {
	h := newHarness(t, org)
	ps := map[string]provider.Provider{"sms": h.carrier, "voice": h.carrier, "email": h.carrier}
	h.eng = engine.New(engine.Config{Store: h.st, Clock: h.clock, Key: h.key, Providers: ps, SendWorkers: 1, Links: fakeLinks{}})
	h.driver.Engine = h.eng
	b := h.send(cascade.Relay)
	h.run()
	lists := 0
	for _, m := range h.carrier.log {
		if len(m.CallList) > 0 && m.Seq >= 2048 {
			lists++
			if want := fmt.Sprintf("https://pt.example/c/%d-%d", b, m.Addressee); !strings.Contains(m.Text, want) {
				t.Fatalf("call list to %d lacks its page link %s: %q", m.Addressee, want, m.Text)
			}
		}
	}
	if lists == 0 {
		t.Fatal("no call lists sent")
	}
}
