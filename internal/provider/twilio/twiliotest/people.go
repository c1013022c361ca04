package twiliotest

import (
	"container/heap"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"phonetree/internal/provider"
)

// Person is how the person at a number behaves.
type Person struct {
	SMSError   int           // ≠ 0: messages are undelivered with this error code (30003, 30006…)
	Reply      string        // texted back after ReplyAfter; "" never
	ReplyAfter time.Duration // default 30 s
	// AnsweredBy is who picks up a call: "human", "machine_end_beep"
	// (voicemail), "no-answer" or "busy".
	AnsweredBy string
	Digits     string // pressed by a human during the call's <Gather>; "" none
}

func (s *Server) person(number string) Person {
	if p, ok := s.people[number]; ok {
		return p
	}
	return s.Default
}

func (s *Server) createMessage(w http.ResponseWriter, r *http.Request) {
	a, ok := s.account(w, r)
	if !ok {
		return
	}
	f := r.PostForm
	to, from, svc, body := f.Get("To"), f.Get("From"), f.Get("MessagingServiceSid"), f.Get("Body")
	switch {
	case !e164.MatchString(to):
		apiError(w, 400, 21211, fmt.Sprintf("The 'To' number %s is not a valid phone number.", to))
		return
	case svc == "" && !a.owns(from):
		apiError(w, 400, 21606, fmt.Sprintf("The From phone number %s is not a valid, SMS-capable inbound phone number for your account.", from))
		return
	case svc != "" && !a.hasService(svc):
		apiError(w, 400, 21701, "The Messaging Service Sid "+svc+" is invalid.")
		return
	case body == "" || len([]rune(body)) > 1600:
		apiError(w, 400, 21617, "The concatenated message body exceeds the 1600 character limit or is empty.")
		return
	}
	s.mu.Lock()
	if s.optedOut[to] {
		s.mu.Unlock()
		apiError(w, 400, 21610, "Attempt to send to unsubscribed recipient")
		return
	}
	now := s.clock.Now()
	m := Message{At: now, SID: s.nextSID("SM"), Account: a.SID, From: from, To: to, Service: svc, Body: body, StatusCallback: f.Get("StatusCallback")}
	if svc != "" {
		m.From = a.Numbers[s.seq%len(a.Numbers)]
	}
	s.messages = append(s.messages, m)
	s.messageFate(a, m, s.person(to), now)
	s.mu.Unlock()
	status := "queued"
	if svc != "" {
		status = "accepted"
	}
	created(w, map[string]any{"sid": m.SID, "account_sid": a.SID, "to": to, "from": from, "body": body, "status": status,
		"messaging_service_sid": svc, "num_segments": "1", "date_created": rfc2822(now), "error_code": nil})
}

// messageFate schedules what becomes of m: its delivery status, then the
// person's reply. Called with s.mu held.
func (s *Server) messageFate(a *Account, m Message, p Person, now time.Time) {
	base := url.Values{"AccountSid": {a.SID}, "MessageSid": {m.SID}, "SmsSid": {m.SID}, "From": {m.From}, "To": {m.To}, "ApiVersion": {"2010-04-01"}}
	if m.Service != "" {
		base.Set("MessagingServiceSid", m.Service)
	}
	if m.StatusCallback != "" {
		st := clone(base)
		st.Set("MessageStatus", "delivered")
		st.Set("SmsStatus", "delivered")
		if p.SMSError != 0 {
			st.Set("MessageStatus", "undelivered")
			st.Set("SmsStatus", "undelivered")
			st.Set("ErrorCode", strconv.Itoa(p.SMSError))
		}
		s.schedule(now.Add(2*time.Second), a.Token, m.StatusCallback, st, nil)
	}
	if p.SMSError == 0 && p.Reply != "" && a.SMSURL != "" {
		after := p.ReplyAfter
		if after == 0 {
			after = 30 * time.Second
		}
		s.scheduleText(a, m.To, m.From, p.Reply, now.Add(after))
	}
}

// scheduleText queues an inbound message from a person. Called with s.mu held.
func (s *Server) scheduleText(a *Account, from, to, body string, at time.Time) {
	sid := s.nextSID("SM")
	form := url.Values{"AccountSid": {a.SID}, "MessageSid": {sid}, "SmsMessageSid": {sid}, "From": {from}, "To": {to},
		"Body": {body}, "NumMedia": {"0"}, "NumSegments": {"1"}, "ApiVersion": {"2010-04-01"}}
	switch strings.ToUpper(strings.TrimSpace(body)) {
	case "STOP", "STOPALL", "UNSUBSCRIBE", "END", "QUIT", "CANCEL", "REVOKE", "OPTOUT":
		s.optedOut[from] = true
		form.Set("OptOutType", "STOP")
	case "START", "YES", "UNSTOP":
		delete(s.optedOut, from)
		form.Set("OptOutType", "START")
	case "HELP", "INFO":
		form.Set("OptOutType", "HELP")
	}
	s.schedule(at, a.Token, a.SMSURL, form, nil)
}

// Text has the person at from text body to our number to, now.
func (s *Server) Text(accountSID, from, to, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scheduleText(s.accounts[accountSID], from, to, body, s.clock.Now())
}

func clone(v url.Values) url.Values {
	out := make(url.Values, len(v)+4)
	for k, x := range v {
		out[k] = append([]string(nil), x...)
	}
	return out
}

// Sign is X-Twilio-Signature for a POST to u with form, as Twilio computes
// it: HMAC-SHA1 keyed with the auth token over the URL followed by each
// parameter's name and value, sorted by name; base64.
func Sign(token, u string, form url.Values) string {
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(u)
	for _, k := range keys {
		for _, v := range form[k] {
			b.WriteString(k)
			b.WriteString(v)
		}
	}
	mac := hmac.New(sha1.New, []byte(token))
	mac.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// Post makes a webhook request signed with token (pass a wrong token to
// forge one) and records it.
func (s *Server) Post(ctx context.Context, token, u string, form url.Values) (Post, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return Post{}, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", Sign(token, u, form))
	req.Header.Set("User-Agent", "TwilioProxy/1.1")
	resp, err := s.hooks.Do(req)
	if err != nil {
		return Post{}, fmt.Errorf("webhook %s: %w", u, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	p := Post{URL: u, Params: form, Status: resp.StatusCode, Body: string(body)}
	s.mu.Lock()
	s.posts = append(s.posts, p)
	s.mu.Unlock()
	return p, nil
}

// NextAt is when the next webhook is due.
func (s *Server) NextAt() (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.queue) == 0 {
		return time.Time{}, false
	}
	return s.queue[0].at, true
}

// Due makes the webhooks due at or before t, in order. The reports travel
// over HTTP to the provider's handler, so none are returned: it satisfies
// simrun.Source.
func (s *Server) Due(t time.Time) []provider.Report {
	for {
		s.mu.Lock()
		if len(s.queue) == 0 || s.queue[0].at.After(t) {
			s.mu.Unlock()
			return nil
		}
		e := heap.Pop(&s.queue).(event)
		s.mu.Unlock()
		p, err := s.Post(context.Background(), e.token, e.url, e.form)
		if err != nil {
			p = Post{URL: e.url, Params: e.form, Status: -1, Body: err.Error()}
			s.mu.Lock()
			s.posts = append(s.posts, p)
			s.mu.Unlock()
		}
		if e.then != nil && p.Status == http.StatusOK {
			e.then(p.Body)
		}
	}
}

// twiml is the subset of TwiML the stand-in reads.
type twiml struct {
	XMLName xml.Name `xml:"Response"`
	Verbs   []struct {
		XMLName   xml.Name
		Text      string `xml:",chardata"`
		Action    string `xml:"action,attr"`
		NumDigits string `xml:"numDigits,attr"`
		Loop      string `xml:"loop,attr"`
		Language  string `xml:"language,attr"`
		Say       []struct {
			Text string `xml:",chardata"`
			Loop string `xml:"loop,attr"`
		} `xml:"Say"`
	} `xml:",any"`
}

// said is what a caller hears from doc, and the first <Gather>'s action.
func said(doc string) (heard []string, action string, err error) {
	var t twiml
	if err := xml.Unmarshal([]byte(doc), &t); err != nil {
		return nil, "", fmt.Errorf("twiml: %w", err)
	}
	for _, v := range t.Verbs {
		switch v.XMLName.Local {
		case "Say", "Message":
			heard = append(heard, strings.TrimSpace(v.Text))
		case "Gather":
			for _, s := range v.Say {
				heard = append(heard, strings.TrimSpace(s.Text))
			}
			if action == "" {
				action = v.Action
			}
		}
	}
	return heard, action, nil
}
