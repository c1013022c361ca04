package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"phonetree/internal/auth"
)

func TestLoginLinkWorksOnceAndExpires(t *testing.T) {
	h := newHarness(t, 5)
	h.addUser("demo", auth.Admin)
	u, err := h.st.UserByName(context.Background(), "demo")
	if err != nil {
		t.Fatal(err)
	}
	get := func(c *http.Client, link string) *http.Response {
		resp, err := c.Get(link)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	link := h.ts.URL + strings.TrimPrefix(h.srv.LoginLink(u, 30*time.Minute), h.srv.cfg.BaseURL)
	c := h.browser()
	if resp := get(c, link); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first use: %d, want 303 to the dashboard", resp.StatusCode)
	}
	if resp := get(c, h.ts.URL+"/"); resp.StatusCode != http.StatusOK {
		t.Fatalf("dashboard after the link: %d, want 200 (logged in)", resp.StatusCode)
	}
	if resp := get(h.browser(), link); resp.StatusCode != http.StatusGone {
		t.Fatalf("second use: %d, want 410", resp.StatusCode)
	}
	i := len(link) - 5 // inside the MAC, away from base64's spare bits
	alt := byte('A')
	if link[i] == alt {
		alt = 'B'
	}
	if resp := get(h.browser(), link[:i]+string(alt)+link[i+1:]); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("tampered: %d, want 404", resp.StatusCode)
	}
	late := h.ts.URL + strings.TrimPrefix(h.srv.LoginLink(u, 30*time.Minute), h.srv.cfg.BaseURL)
	h.wall.Advance(31 * time.Minute)
	if resp := get(h.browser(), late); resp.StatusCode != http.StatusGone {
		t.Fatalf("expired: %d, want 410", resp.StatusCode)
	}
}
