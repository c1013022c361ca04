package twiliotest

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

func (s *Server) createCall(w http.ResponseWriter, r *http.Request) {
	a, ok := s.account(w, r)
	if !ok {
		return
	}
	f := r.PostForm
	to, from, tw := f.Get("To"), f.Get("From"), f.Get("Twiml")
	switch {
	case !e164.MatchString(to):
		apiError(w, 400, 21211, fmt.Sprintf("The 'To' number %s is not a valid phone number.", to))
		return
	case !a.owns(from):
		apiError(w, 400, 21210, "The source phone number provided, "+from+", is not yet verified for your account.")
		return
	case tw == "" && f.Get("Url") == "":
		apiError(w, 400, 21205, "Url or Twiml parameter is required.")
		return
	case len(tw) > 4000:
		apiError(w, 400, 21220, "Twiml exceeds 4000 characters.")
		return
	}
	_, action, err := said(tw)
	if err != nil {
		apiError(w, 400, 12100, "Document parse failure: "+err.Error())
		return
	}
	s.mu.Lock()
	now := s.clock.Now()
	c := Call{At: now, SID: s.nextSID("CA"), Account: a.SID, From: from, To: to, Twiml: tw, StatusCallback: f.Get("StatusCallback"),
		MachineDetection: f.Get("MachineDetection"), Timeout: f.Get("Timeout")}
	s.calls = append(s.calls, c)
	s.callFate(a, c, len(s.calls)-1, action, s.person(to), now)
	s.mu.Unlock()
	created(w, map[string]any{"sid": c.SID, "account_sid": a.SID, "to": to, "from": from, "status": "queued",
		"date_created": rfc2822(now), "direction": "outbound-api"})
}

// callFate schedules the call's outcome: a keypress and a completed call
// for a human, a completed call answered by a machine, or no answer.
// Called with s.mu held.
func (s *Server) callFate(a *Account, c Call, idx int, action string, p Person, now time.Time) {
	params := url.Values{"AccountSid": {a.SID}, "CallSid": {c.SID}, "From": {c.From}, "To": {c.To},
		"Direction": {"outbound-api"}, "ApiVersion": {"2010-04-01"}}
	final := clone(params)
	answered := p.AnsweredBy
	if answered == "" {
		answered = "human"
	}
	at := now.Add(20 * time.Second)
	switch answered {
	case "no-answer":
		ring, _ := strconv.Atoi(c.Timeout)
		at = now.Add(time.Duration(max(ring, 1)) * time.Second)
		final.Set("CallStatus", "no-answer")
	case "busy":
		at = now.Add(3 * time.Second)
		final.Set("CallStatus", "busy")
	default:
		final.Set("CallStatus", "completed")
		final.Set("CallDuration", "35")
		if c.MachineDetection != "" {
			final.Set("AnsweredBy", answered)
		}
		if answered == "human" && p.Digits != "" && action != "" {
			press := clone(params)
			press.Set("CallStatus", "in-progress")
			press.Set("Digits", p.Digits)
			press.Set("FinishedOnKey", "")
			s.schedule(now.Add(12*time.Second), a.Token, action, press, func(body string) { s.heard(idx, body) })
		}
	}
	if c.StatusCallback != "" {
		s.schedule(at, a.Token, c.StatusCallback, final, nil)
	}
}

// heard records what the caller heard after a keypress.
func (s *Server) heard(idx int, doc string) {
	h, _, _ := said(doc)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls[idx].Said = append(s.calls[idx].Said, h...)
}

// Dial has the person at from call our number to, and press each of
// digits in turn at the <Gather>s they are offered. It returns everything
// they heard.
func (s *Server) Dial(ctx context.Context, accountSID, from, to string, digits ...string) ([]string, error) {
	s.mu.Lock()
	a := s.accounts[accountSID]
	sid := s.nextSID("CA")
	s.mu.Unlock()
	if a == nil || a.VoiceURL == "" {
		return nil, fmt.Errorf("dial: account %s has no voice URL", accountSID)
	}
	params := url.Values{"AccountSid": {a.SID}, "CallSid": {sid}, "From": {from}, "To": {to}, "Caller": {from},
		"Called": {to}, "CallStatus": {"ringing"}, "Direction": {"inbound"}, "ApiVersion": {"2010-04-01"}}
	p, err := s.Post(ctx, a.Token, a.VoiceURL, params)
	if err != nil {
		return nil, err
	}
	var all []string
	for i := 0; ; i++ {
		if p.Status != http.StatusOK {
			return all, fmt.Errorf("dial: %s answered %d", p.URL, p.Status)
		}
		heard, action, err := said(p.Body)
		if err != nil {
			return all, err
		}
		all = append(all, heard...)
		if action == "" || i >= len(digits) {
			return all, nil
		}
		press := clone(params)
		press.Set("CallStatus", "in-progress")
		press.Set("Digits", digits[i])
		if p, err = s.Post(ctx, a.Token, action, press); err != nil {
			return all, err
		}
	}
}
