// Package twiliotest is a stand-in for Twilio on loopback: it accepts the
// REST calls the official SDK makes (create a message, create a call),
// answers as Twilio does (201 and JSON, or Twilio's error codes), and later,
// on the injected clock, plays the people at the other end: it posts
// status callbacks, inbound replies and <Gather> keypresses to the webhook
// URLs, signed exactly as Twilio signs them. Facts it follows: TWILIO.md.
//
// Time is virtual: NextAt and Due let a test (or simrun.Driver) move the
// clock to the next thing a person does and deliver it.
package twiliotest

import (
	"container/heap"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sync"
	"time"

	"phonetree/internal/clock"
)

// Server is the stand-in. Its methods are safe for concurrent use.
type Server struct {
	clock clock.Clock
	http  *httptest.Server
	hooks *http.Client

	mu       sync.Mutex
	accounts map[string]*Account
	people   map[string]Person
	Default  Person // for numbers without their own Person
	// Latency delays each REST answer (wall time), as the internet does.
	Latency  time.Duration
	optedOut map[string]bool
	queue    events
	seq      int
	messages []Message
	calls    []Call
	posts    []Post
}

// Account is one Twilio account: its credentials, numbers, messaging
// services and the URLs its numbers are configured to call.
type Account struct {
	SID, Token string
	Numbers    []string
	Services   []string // messaging service SIDs; their pool is Numbers
	SMSURL     string   // "A message comes in"
	VoiceURL   string   // "A call comes in"
	// FailWith, if set, makes every create answer with this HTTP status
	// and Twilio error code (a broken account or a platform outage).
	FailWith int
	FailCode int
}

// Message is a message Twilio accepted.
type Message struct {
	At                              time.Time
	SID, Account, From, To, Service string
	Body, StatusCallback            string
}

// Call is a call Twilio accepted.
type Call struct {
	At                        time.Time
	SID, Account, From, To    string
	Twiml, StatusCallback     string
	MachineDetection, Timeout string
	Said                      []string // what the person heard
}

// Post is a webhook the stand-in made and how it was answered.
type Post struct {
	URL    string
	Params url.Values
	Status int
	Body   string
}

// New starts a stand-in on loopback using c for virtual time.
func New(c clock.Clock) *Server {
	s := &Server{clock: c, accounts: map[string]*Account{}, people: map[string]Person{}, optedOut: map[string]bool{},
		Default: Person{Reply: "1", ReplyAfter: 30 * time.Second, AnsweredBy: "human", Digits: "1"},
		hooks:   &http.Client{Timeout: 10 * time.Second}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2010-04-01/Accounts/{sid}/Messages.json", s.createMessage)
	mux.HandleFunc("POST /2010-04-01/Accounts/{sid}/Calls.json", s.createCall)
	s.http = httptest.NewServer(mux)
	return s
}

// URL is the API base to give the SDK (PHONETREE_TWILIO_API_URL).
func (s *Server) URL() string { return s.http.URL }

// Close stops the server.
func (s *Server) Close() { s.http.Close() }

// AddAccount registers an account.
func (s *Server) AddAccount(a *Account) *Account {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accounts[a.SID] = a
	return a
}

// SetPerson sets how the person at number behaves.
func (s *Server) SetPerson(number string, p Person) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.people[number] = p
}

// Messages returns the messages accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Calls returns the calls accepted so far.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// Posts returns the webhooks made so far.
func (s *Server) Posts() []Post {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Post(nil), s.posts...)
}

// OptedOut reports whether number sent STOP.
func (s *Server) OptedOut(number string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.optedOut[number]
}

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// account authenticates a REST request (HTTP Basic: SID and token).
func (s *Server) account(w http.ResponseWriter, r *http.Request) (*Account, bool) {
	if s.Latency > 0 {
		time.Sleep(s.Latency)
	}
	user, pass, ok := r.BasicAuth()
	s.mu.Lock()
	a := s.accounts[r.PathValue("sid")]
	s.mu.Unlock()
	if !ok || a == nil || user != a.SID || pass != a.Token {
		apiError(w, http.StatusUnauthorized, 20003, "Authenticate")
		return nil, false
	}
	if err := r.ParseForm(); err != nil {
		apiError(w, http.StatusBadRequest, 20001, "unreadable form: "+err.Error())
		return nil, false
	}
	if a.FailWith != 0 {
		apiError(w, a.FailWith, a.FailCode, "injected failure")
		return nil, false
	}
	return a, true
}

func (s *Server) nextSID(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s%032x", prefix, s.seq)
}

func apiError(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"code": code, "message": msg,
		"more_info": fmt.Sprintf("https://www.twilio.com/docs/errors/%d", code), "status": status})
}

func created(w http.ResponseWriter, v map[string]any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(v)
}

func (a *Account) owns(number string) bool {
	for _, n := range a.Numbers {
		if n == number {
			return true
		}
	}
	return false
}

func (a *Account) hasService(sid string) bool {
	for _, n := range a.Services {
		if n == sid {
			return true
		}
	}
	return false
}

// rfc2822 is the date form Twilio's JSON uses.
func rfc2822(t time.Time) string { return t.UTC().Format(time.RFC1123Z) }

// events is a time-ordered queue of webhooks still to make.
type events []event

type event struct {
	at    time.Time
	seq   int
	token string
	url   string
	form  url.Values
	then  func(body string) // called with the response body, under no lock
}

func (q events) Len() int { return len(q) }
func (q events) Less(i, j int) bool {
	if q[i].at.Equal(q[j].at) {
		return q[i].seq < q[j].seq
	}
	return q[i].at.Before(q[j].at)
}
func (q events) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *events) Push(x any)   { *q = append(*q, x.(event)) }
func (q *events) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

// schedule queues a webhook; call with s.mu held.
func (s *Server) schedule(at time.Time, token, u string, form url.Values, then func(string)) {
	s.seq++
	heap.Push(&s.queue, event{at: at, seq: s.seq, token: token, url: u, form: form, then: then})
}
