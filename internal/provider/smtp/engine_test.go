package smtp_test

import (
	"context"
	crand "crypto/rand"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"phonetree/internal/cascade"
	"phonetree/internal/clock"
	"phonetree/internal/engine"
	"phonetree/internal/provider"
	"phonetree/internal/roster"
	"phonetree/internal/seal"
	"phonetree/internal/store"
	"phonetree/internal/store/sqlite"
)

const people = `id,name,manager,caller,backups,mobile,voice,email,tags,timezone,language,order
E1,Ana Ruiz,,,,,,ana@example.org,,,,email
E2,Ben Ode,E1,,,,,ben@example.org,,,,email
`

// The engine emails everyone through a real SMTP server; each person
// follows the link in the message they received, which acks them.
func TestEmailAckByLink(t *testing.T) {
	ctx := context.Background()
	r := startRelay(t)
	l := links{key: []byte("test link key")}
	t0 := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	clk := clock.NewFake(t0)
	path := filepath.Join(t.TempDir(), "pt.db")
	key, _, err := seal.LoadOrCreate(path + ".key")
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ros, rep, err := roster.Parse(strings.NewReader(people), roster.Options{})
	if err != nil || !rep.OK() {
		t.Fatalf("roster: %v %v", err, rep.Errors)
	}
	if _, err := roster.AssignWords(ros, nil, crand.Reader); err != nil {
		t.Fatal(err)
	}
	if err := engine.SaveRoster(ctx, st, key, ros, &store.RosterVersion{CreatedAt: t0.UnixNano()}); err != nil {
		t.Fatal(err)
	}
	eng := engine.New(engine.Config{Store: st, Clock: clk, Key: key, Providers: map[string]provider.Provider{"email": newProvider(t, r, l)}})
	b, err := eng.Send(ctx, engine.Bulletin{Status: "exercise", Title: "Network compromise", Body: "Do not use company email <or chat>.",
		Spec: engine.Spec{Policy: cascade.DefaultPolicy(cascade.Broadcast)}})
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Millisecond) // broadcast releases by tree depth, microseconds apart
	if _, err := eng.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	r.mu.Lock()
	got := append([]received(nil), r.received...)
	r.mu.Unlock()
	if len(got) != 2 {
		as, _ := st.BulletinAttempts(ctx, b.ID)
		for _, a := range as {
			t.Logf("attempt %d %s status %d err %s", a.ID, a.Method, a.Status, a.Error)
		}
		t.Fatalf("relay received %d messages, want 2", len(got))
	}
	for _, m := range got {
		msg, body := parts(t, m.data)
		for h, want := range map[string]string{"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All",
			"Precedence": "bulk", "List-Id": "phonetree alerts <alerts.acme-alerts.example>", "Subject": "[EXERCISE] Network compromise"} {
			if msg.Header.Get(h) != want {
				t.Errorf("%s: %q, want %q", h, msg.Header.Get(h), want)
			}
		}
		p := ros.People[map[string]int{"ana@example.org": 0, "ben@example.org": 1}[m.to[0]]]
		text, html := body["text/plain"], body["text/html"]
		if !strings.Contains(text, "Your word: "+p.Word) || !strings.Contains(html, "<b>"+p.Word+"</b>") {
			t.Errorf("%s: word %q missing:\n%s\n%s", p.ID, p.Word, text, html)
		}
		if !strings.Contains(html, "company email &lt;or chat&gt;") || !strings.Contains(text, "EXERCISE") {
			t.Errorf("%s: body not escaped or not marked:\n%s", p.ID, html)
		}
		link := linkPattern.FindString(text)
		if link == "" || !strings.Contains(html, `href="`+link+`"`) {
			t.Fatalf("%s: no ack link in\n%s\n%s", p.ID, text, html)
		}
		attempt, err := l.resolve(link) // following the link: the web page's POST
		if err != nil {
			t.Fatal(err)
		}
		if err := eng.Deliver(ctx, []provider.Report{{Kind: provider.Acked, AttemptID: attempt, Response: 1, Source: "link", At: clk.Now()}}); err != nil {
			t.Fatal(err)
		}
	}
	rs, err := st.AllRecipients(ctx, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, rc := range rs {
		if cascade.State(rc.State) != cascade.Acked {
			t.Errorf("%s: %v, want acked", ros.People[rc.Idx].ID, cascade.State(rc.State))
		}
	}
}
