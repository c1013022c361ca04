package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"phonetree/internal/cascade"
	"phonetree/internal/store"
)

func (h *harness) state(b int64, idx int32) cascade.State {
	h.t.Helper()
	rs, err := h.st.Recipients(context.Background(), b, []int32{idx})
	if err != nil || len(rs) != 1 {
		h.t.Fatalf("recipient %d/%d: %v", b, idx, err)
	}
	return cascade.State(rs[0].State)
}

func TestAckLinkOnceGETNeverAcks(t *testing.T) {
	h := newHarness(t, 50)
	b := h.send("broadcast")
	link := h.srv.AckLink(store.AttemptID(b.ID, 7, 0))
	for range 3 {
		res, body := h.do(nil, "GET", link, "", nil)
		if res.StatusCode != 200 || !strings.Contains(body, "Need help") || !strings.Contains(body, "EXERCISE") {
			t.Fatalf("GET ack page: %d\n%s", res.StatusCode, body)
		}
	}
	if st := h.state(b.ID, 7); st != cascade.Waiting {
		t.Fatalf("after GETs the recipient is %s, want waiting: GET must never ack", st)
	}
	res, body := h.postForm(nil, link, url.Values{"response": {"2"}})
	if res.StatusCode != 200 || !strings.Contains(body, "recorded as <strong>Need help</strong>") {
		t.Fatalf("POST ack: %d\n%s", res.StatusCode, body)
	}
	rs, _ := h.st.Recipients(context.Background(), b.ID, []int32{7})
	if cascade.State(rs[0].State) != cascade.Acked || rs[0].Response != 2 {
		t.Fatalf("after POST: %+v, want acked with response 2", rs[0])
	}
	events, _ := h.st.Events(context.Background(), b.ID)
	var acks int
	for _, e := range events {
		if e.Idx == 7 && e.Kind == "acked" {
			acks++
			if !strings.Contains(e.Detail, "link") {
				t.Errorf("ack event detail %q does not name the link", e.Detail)
			}
		}
	}
	if acks != 1 {
		t.Fatalf("%d ack events, want 1", acks)
	}
	res, body = h.postForm(nil, link, url.Values{"response": {"1"}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "already used") {
		t.Fatalf("second POST: %d, want 409\n%s", res.StatusCode, body)
	}
	res, body = h.do(nil, "GET", link, "", nil)
	if res.StatusCode != 200 || strings.Contains(body, `name="response"`) {
		t.Fatalf("GET after ack shows buttons again: %d", res.StatusCode)
	}
}

func TestAckLinkRefusesTamperingExpiryAndBadAnswers(t *testing.T) {
	h := newHarness(t, 30)
	b := h.send("broadcast")
	link := h.srv.AckLink(store.AttemptID(b.ID, 3, 0))
	tok := link[strings.LastIndex(link, "/")+1:]
	other := h.srv.AckLink(store.AttemptID(b.ID, 4, 0))
	flip := []byte(tok)
	flip[5] ^= 1 // a different attempt id under the same MAC
	if flip[5] == '-' || flip[5] == '_' {
		flip[5] = 'A'
	}
	cases := []struct {
		name, path string
		want       int
	}{
		{"tampered id", "/a/" + string(flip), http.StatusNotFound},
		{"truncated", "/a/" + tok[:len(tok)-2], http.StatusNotFound},
		{"garbage", "/a/not-a-token", http.StatusNotFound},
		{"call-list link as ack link", strings.Replace(h.srv.CallListLink(b.ID, 3), "/c/", "/a/", 1), http.StatusNotFound},
	}
	for _, c := range cases {
		for _, m := range []string{"GET", "POST"} {
			res, _ := h.postOrGet(m, c.path)
			if res.StatusCode != c.want {
				t.Errorf("%s %s: %d, want %d", m, c.name, res.StatusCode, c.want)
			}
		}
	}
	for _, resp := range []string{"", "0", "3", "x"} {
		res, _ := h.postForm(nil, link, url.Values{"response": {resp}})
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("response %q: %d, want 400", resp, res.StatusCode)
		}
	}
	h.wall.Advance(7*24*time.Hour + time.Minute)
	for _, m := range []string{"GET", "POST"} {
		res, body := h.postOrGet(m, other)
		if res.StatusCode != http.StatusGone || !strings.Contains(body, "expired") {
			t.Errorf("%s expired link: %d, want 410", m, res.StatusCode)
		}
	}
	for _, idx := range []int32{3, 4} {
		if st := h.state(b.ID, idx); st != cascade.Waiting {
			t.Errorf("recipient %d is %s after refused links, want waiting", idx, st)
		}
	}
}

func (h *harness) postOrGet(method, path string) (*http.Response, string) {
	if method == "GET" {
		return h.do(nil, "GET", path, "", nil)
	}
	return h.postForm(nil, path, url.Values{"response": {"1"}})
}

func TestAckLinkAfterCancel(t *testing.T) {
	h := newHarness(t, 20)
	b := h.send("broadcast")
	link := h.srv.AckLink(store.AttemptID(b.ID, 2, 0))
	if err := h.eng.Cancel(context.Background(), b.ID); err != nil {
		t.Fatal(err)
	}
	res, _ := h.postForm(nil, link, url.Values{"response": {"1"}})
	if res.StatusCode != http.StatusGone {
		t.Fatalf("ack after cancel: %d, want 410", res.StatusCode)
	}
	if st := h.state(b.ID, 2); st != cascade.Cancelled {
		t.Fatalf("recipient is %s, want cancelled", st)
	}
}

func TestCallerPageMarksReached(t *testing.T) {
	h := newHarness(t, 40)
	b := h.send("broadcast")
	tree := h.roster.Tree()
	caller := tree.Roots[0]
	kid := tree.Children[caller][0]
	link := h.srv.CallListLink(b.ID, caller)
	res, body := h.do(nil, "GET", link, "", nil)
	if res.StatusCode != 200 || !strings.Contains(body, h.roster.People[kid].Name) || !strings.Contains(body, `href="tel:`) {
		t.Fatalf("call list: %d\n%s", res.StatusCode, body)
	}
	res, _ = h.postForm(nil, link, url.Values{"callee": {h.roster.People[kid].ID}, "outcome": {"no-answer"}})
	if res.StatusCode != 200 || h.state(b.ID, kid) == cascade.Acked {
		t.Fatalf("no answer: %d, state %s", res.StatusCode, h.state(b.ID, kid))
	}
	res, _ = h.postForm(nil, link, url.Values{"callee": {h.roster.People[kid].ID}, "outcome": {"reached"}})
	if res.StatusCode != 200 || h.state(b.ID, kid) != cascade.Acked {
		t.Fatalf("reached: %d, state %s", res.StatusCode, h.state(b.ID, kid))
	}
	stranger := tree.Children[tree.Children[caller][1]]
	if len(stranger) > 0 {
		res, _ = h.postForm(nil, link, url.Values{"callee": {h.roster.People[stranger[0]].ID}, "outcome": {"reached"}})
		if res.StatusCode != http.StatusBadRequest || h.state(b.ID, stranger[0]) == cascade.Acked {
			t.Fatalf("someone else's callee: %d", res.StatusCode)
		}
	}
}
