package twilio_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"phonetree/internal/cascade"
	"phonetree/internal/engine"
	"phonetree/internal/provider/twilio"
	"phonetree/internal/provider/twilio/twiliotest"
	"phonetree/internal/simrun"
)

type optOuts struct {
	mu  sync.Mutex
	out map[string]bool
}

func (o *optOuts) SetOptOut(_ context.Context, phone string, out bool) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.out[phone] = out
	return nil
}

// hotline is the in-memory "latest bulletin for a number".
type hotline map[string]twilio.HotlineMessage

func (h hotline) LatestFor(_ context.Context, phone string) (twilio.HotlineMessage, bool, error) {
	m, ok := h[phone]
	return m, ok, nil
}

// STOP is recorded and blocks later texts (which fail permanently, so the
// plan moves on to voice); START undoes it; HELP gets the help text.
func TestOptOutKeywords(t *testing.T) {
	oo := &optOuts{out: map[string]bool{}}
	rg := newRig(t, header+"P1,Ana,,,,+14155550001,,,,,\n", rigOptions{
		config: func(c *twilio.Config) { c.HelpText = "Acme incident line. Reply STOP to opt out." },
		hooks:  func(h *twilio.Hooks) { h.OptOuts = oo },
	})
	from, to := "+14155550001", rg.account.Numbers[0]
	rg.standin.Text(accountSID, from, to, "stop")
	rg.standin.Text(accountSID, from, to, "HELP")
	rg.standin.Due(rg.clock.Now())
	if !oo.out[from] {
		t.Error("STOP not recorded")
	}
	posts := rg.standin.Posts()
	if !strings.Contains(posts[1].Body, "<Message>Acme incident line.") {
		t.Errorf("HELP answered %q", posts[1].Body)
	}
	rg.standin.SetPerson(from, twiliotest.Person{Reply: "", AnsweredBy: "human", Digits: "1"})
	b := rg.send(cascade.Broadcast)
	rg.run()
	if st := rg.states(b)["P1"]; st != "acked" {
		t.Errorf("opted-out person: %s, want acked by voice", st)
	}
	if len(rg.standin.Messages()) != 0 || len(rg.standin.Calls()) != 1 {
		t.Errorf("%d messages and %d calls, want 0 and 1", len(rg.standin.Messages()), len(rg.standin.Calls()))
	}
	rg.standin.Text(accountSID, from, to, "START")
	rg.standin.Due(rg.clock.Now())
	if oo.out[from] || rg.standin.OptedOut(from) {
		t.Error("START not recorded")
	}
}

// A reply that is not an option gets a hint and acks nothing.
func TestReplyNotUnderstood(t *testing.T) {
	rg := newRig(t, header+"P1,Ana,,,,+14155550001,,,,,\n", rigOptions{})
	rg.standin.SetPerson("+14155550001", twiliotest.Person{Reply: "ok thanks", AnsweredBy: "no-answer"})
	b := rg.send(cascade.Broadcast)
	rg.run()
	if st := rg.states(b)["P1"]; st != "unreached" {
		t.Errorf("P1: %s, want unreached", st)
	}
	var hint bool
	for _, p := range rg.standin.Posts() {
		hint = hint || strings.Contains(p.Body, "Please reply with a number from 1 to 2.")
	}
	if !hint {
		t.Error("no hint sent for an unreadable reply")
	}
}

// The hotline: STATUS by text gets the latest bulletin; a call asks for
// the PIN, refuses a wrong one once, then reads the bulletin.
func TestHotline(t *testing.T) {
	hl := hotline{"+14155550001": {Text: "Network compromise: use only this channel. Your word: maple.",
		Script: "Network compromise. Use only this channel. Your word is maple.", PIN: "4321", Language: "es"}}
	rg := newRig(t, "", rigOptions{hooks: func(h *twilio.Hooks) { h.Hotline = hl }})
	to := rg.account.Numbers[0]
	rg.standin.Text(accountSID, "+14155550001", to, "status")
	rg.standin.Text(accountSID, "+14155550099", to, "STATUS")
	rg.standin.Due(rg.clock.Now())
	posts := rg.standin.Posts()
	if !strings.Contains(posts[0].Body, "<Message>Network compromise: use only this channel. Your word: maple.</Message>") {
		t.Errorf("STATUS answered %q", posts[0].Body)
	}
	if strings.Contains(posts[1].Body, "<Message>") || !strings.Contains(rg.log.String(), "hotline: unknown number") {
		t.Errorf("STATUS from a stranger answered %q", posts[1].Body)
	}
	ctx := context.Background()
	heard, err := rg.standin.Dial(ctx, accountSID, "+14155550001", to, "1111", "4321")
	if err != nil {
		t.Fatal(err)
	}
	all := strings.Join(heard, " | ")
	for _, want := range []string{"Please enter your PIN", "That PIN is not right. Please enter", "Your word is maple"} {
		if !strings.Contains(all, want) {
			t.Errorf("caller did not hear %q; heard %s", want, all)
		}
	}
	heard, err = rg.standin.Dial(ctx, accountSID, "+14155550099", to)
	if err != nil || !strings.Contains(strings.Join(heard, " "), "no message for this number") {
		t.Errorf("stranger heard %q, %v", heard, err)
	}
	posts = rg.standin.Posts()
	if !strings.Contains(posts[2].Body, `language="es-US"`) {
		t.Errorf("hotline not in the person's language: %s", posts[2].Body)
	}
}

// engineCallLists hands the handler the engine's call lists (set once the
// rig has its engine).
type engineCallLists struct{ eng **engine.Engine }

func (c engineCallLists) LatestCallList(ctx context.Context, phone string) (twilio.CallList, bool, error) {
	cl, ok, err := (*c.eng).LatestCallList(ctx, phone)
	return twilio.CallList{Bulletin: cl.Bulletin, Callees: cl.Callees}, ok, err
}

// A relay caller marks their people reached by replying to their call list
// ("R 1 2"): the machine then never contacts them; a number not on the list
// gets a hint and marks nobody.
func TestRelayCallerMarksReachedBySMS(t *testing.T) {
	var eng *engine.Engine
	rg := newRig(t, header+"P1,Ana,,,,+14155550001,,,,,\nP2,Ben,P1,,,+14155550002,,,,,\nP3,Cy,P1,,,+14155550003,,,,,\n", rigOptions{
		hooks: func(h *twilio.Hooks) { h.CallLists = engineCallLists{&eng} },
	})
	eng = rg.eng
	caller, ours := "+14155550001", rg.account.Numbers[0]
	rg.standin.SetPerson(caller, twiliotest.Person{Reply: "1"})
	b := rg.send(cascade.Relay)
	gotList := func(time.Time) bool {
		for _, m := range rg.standin.Messages() {
			if m.To == caller && strings.Contains(m.Body, "1) Ben +14155550002; 2) Cy +14155550003;") {
				return true
			}
		}
		return false
	}
	d := &simrun.Driver{Engine: rg.eng, Sim: rg.standin, Clock: rg.clock, Start: t0, Until: gotList}
	if err := d.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !gotList(rg.clock.Now()) {
		t.Fatal("the caller got no numbered call list")
	}
	rg.standin.Text(accountSID, caller, ours, "R 3")
	rg.standin.Text(accountSID, caller, ours, "r 1, 2")
	rg.standin.Due(rg.clock.Now())
	rg.run()
	st := rg.states(b)
	if st["P2"] != "acked" || st["P3"] != "acked" {
		t.Fatalf("callees %s and %s, want both acked by the caller's reply", st["P2"], st["P3"])
	}
	for _, m := range rg.standin.Messages() {
		if m.To == "+14155550002" || m.To == "+14155550003" {
			t.Fatalf("the machine contacted %s, whom their caller had marked reached", m.To)
		}
	}
	var hint, thanks bool
	for _, p := range rg.standin.Posts() {
		hint = hint || strings.Contains(p.Body, "&#34;3&#34; is not on your list.") || strings.Contains(p.Body, `"3" is not on your list.`)
		thanks = thanks || strings.Contains(p.Body, "Marked 2 reached.")
	}
	if !hint || !thanks {
		t.Errorf("replies: hint for a number not on the list %v, thanks for the marks %v", hint, thanks)
	}
}
