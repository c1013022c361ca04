package twilio_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"phonetree/internal/cascade"
	"phonetree/internal/provider/twilio/twiliotest"
	"phonetree/internal/store"
)

// A cascade over sms and voice through the real engine, the real SDK and the
// stand-in reaches everyone: by SMS reply, by keypress after an unanswered
// SMS, and by voice at once when the SMS cannot be delivered.
func TestCascadeOverSMSAndVoiceReachesEveryone(t *testing.T) {
	const n = 30
	rg := newRig(t, org(n), rigOptions{senders: 3})
	for i := 11; i <= 20; i++ { // ignore the SMS, answer the call, press 1
		rg.standin.SetPerson(phone(i), twiliotest.Person{AnsweredBy: "human", Digits: "1"})
	}
	for i := 21; i <= 25; i++ { // a landline: SMS undeliverable, call answered, press 2
		rg.standin.SetPerson(phone(i), twiliotest.Person{SMSError: 30006, AnsweredBy: "human", Digits: "2"})
	}
	for i := 26; i <= n; i++ {
		rg.standin.SetPerson(phone(i), twiliotest.Person{Reply: "2 need help", ReplyAfter: time.Minute})
	}
	b := rg.send(cascade.Cascade)
	rg.run()

	for id, st := range rg.states(b) {
		if st != "acked" {
			t.Errorf("%s: %s, want acked", id, st)
		}
	}
	rs, err := rg.st.AllRecipients(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		want := int8(1)
		if r.Idx >= 20 {
			want = 2
		}
		if r.Response != want {
			t.Errorf("%s answered %d, want %d", rg.people.People[r.Idx].ID, r.Response, want)
		}
	}
	msgs, calls := rg.standin.Messages(), rg.standin.Calls()
	if len(msgs) != n {
		t.Errorf("%d messages sent, want %d", len(msgs), n)
	}
	if len(calls) != 15 {
		t.Errorf("%d calls placed, want 15 (10 unanswered texts, 5 landlines)", len(calls))
	}
	assertOncePerAttempt(t, msgs, calls)
	for _, c := range calls {
		if c.MachineDetection != "DetectMessageEnd" || !strings.Contains(c.Twiml, "Press 1 for Safe. Press 2 for Need help.") ||
			!strings.Contains(c.Twiml, "Your word is ") || !strings.Contains(c.Twiml, `numDigits="1"`) {
			t.Errorf("call to %s: machine detection %q, TwiML %s", c.To, c.MachineDetection, c.Twiml)
		}
		if len(c.Said) == 0 || !strings.Contains(c.Said[0], "Your answer is recorded") {
			t.Errorf("call to %s: after the keypress the person heard %q", c.To, c.Said)
		}
	}
	for _, p := range rg.standin.Posts() {
		if p.Status != http.StatusOK && p.Status != http.StatusNoContent {
			t.Errorf("webhook %s answered %d: %s", p.URL, p.Status, p.Body)
		}
	}
}

// assertOncePerAttempt checks that no attempt (named by its status
// callback) was handed to Twilio twice.
func assertOncePerAttempt(t *testing.T, msgs []twiliotest.Message, calls []twiliotest.Call) {
	t.Helper()
	seen := map[string]int{}
	for _, m := range msgs {
		seen[m.StatusCallback]++
	}
	for _, c := range calls {
		seen[c.StatusCallback]++
	}
	for cb, k := range seen {
		if k > 1 {
			t.Errorf("attempt %s handed over %d times", cb, k)
		}
	}
}

// A call answered by voicemail is not a reached person: the attempt fails
// and, the plan exhausted, the person is unreached, with a call task.
func TestVoicemailIsNotReached(t *testing.T) {
	rg := newRig(t, header+"P1,Ana,,,,+14155550001,,,,,\nP2,Ben,P1,,,+14155550002,,,,,\nP3,Cy,P1,,,+14155550003,,,,,\n", rigOptions{})
	rg.standin.SetPerson("+14155550002", twiliotest.Person{AnsweredBy: "machine_end_beep"})
	rg.standin.SetPerson("+14155550003", twiliotest.Person{AnsweredBy: "no-answer"})
	b := rg.send(cascade.Broadcast)
	rg.run()

	got := rg.states(b)
	want := map[string]string{"P1": "acked", "P2": "unreached", "P3": "unreached"}
	for id, st := range want {
		if got[id] != st {
			t.Errorf("%s: %s, want %s", id, got[id], st)
		}
	}
	as, err := rg.st.BulletinAttempts(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range as {
		if a.Method == "voice" && a.Status != store.AttemptFailed {
			t.Errorf("voice attempt to recipient %d: status %d, want failed", a.Idx, a.Status)
		}
	}
	if !strings.Contains(rg.log.String(), "answered_by=machine_end_beep") {
		t.Errorf("voicemail not logged:\n%s", rg.log)
	}
}

// A callback whose signature does not match is refused with 403 and
// logged, and changes nothing.
func TestBadSignatureRefused(t *testing.T) {
	rg := newRig(t, header+"P1,Ana,,,,+14155550001,,,,,\n", rigOptions{})
	rg.standin.SetPerson("+14155550001", twiliotest.Person{Reply: ""})
	b := rg.send(cascade.Broadcast)
	if _, err := rg.eng.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	msgs := rg.standin.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages, want 1", len(msgs))
	}
	cb := msgs[0].StatusCallback
	form := url.Values{"AccountSid": {accountSID}, "MessageSid": {msgs[0].SID}, "MessageStatus": {"undelivered"}, "ErrorCode": {"30003"}}
	ctx := context.Background()
	forged := []struct{ name, token, url string }{
		{"wrong token", "0000feedf00dfeedf00dfeedf00dfeed", cb},
		{"other attempt", authToken, strings.Replace(cb, "a=", "a=9", 1)},
	}
	for _, f := range forged {
		p, err := rg.standin.Post(ctx, f.token, f.url, form)
		if err != nil {
			t.Fatal(err)
		}
		if f.name == "other attempt" { // signed for the true URL, sent to another
			req, _ := http.NewRequest(http.MethodPost, f.url, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Twilio-Signature", twiliotest.Sign(authToken, cb, form))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			p.Status = resp.StatusCode
		}
		if p.Status != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", f.name, p.Status)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, cb, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("unsigned: status %d, want 403", resp.StatusCode)
	}
	if n := strings.Count(rg.log.String(), "twilio webhook refused: bad signature"); n != 3 {
		t.Errorf("%d refusals logged, want 3:\n%s", n, rg.log)
	}
	if st := rg.states(b)["P1"]; st != "waiting" {
		t.Errorf("P1 is %s after forged callbacks, want waiting", st)
	}
}

// A reply from a number with no open attempt is ignored and logged.
func TestReplyFromUnknownNumberIgnored(t *testing.T) {
	rg := newRig(t, header+"P1,Ana,,,,+14155550001,,,,,\n", rigOptions{})
	rg.standin.SetPerson("+14155550001", twiliotest.Person{Reply: ""})
	b := rg.send(cascade.Broadcast)
	if _, err := rg.eng.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	rg.standin.Text(accountSID, "+19995550123", rg.account.Numbers[0], "1")
	rg.standin.Due(rg.clock.Now())
	posts := rg.standin.Posts()
	last := posts[len(posts)-1]
	if last.Status != http.StatusOK || strings.Contains(last.Body, "<Message>") {
		t.Errorf("reply from unknown number answered %d %q, want 200 and no message", last.Status, last.Body)
	}
	if !strings.Contains(rg.log.String(), "sms from unknown number ignored") || !strings.Contains(rg.log.String(), "from=+1********23") {
		t.Errorf("not logged (masked):\n%s", rg.log)
	}
	if st := rg.states(b)["P1"]; st != "waiting" {
		t.Errorf("P1 is %s, want waiting", st)
	}
}
