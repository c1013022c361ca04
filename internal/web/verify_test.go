package web

import (
	"context"

	"database/sql"
	"fmt"
	"io"
	"net/http"
	"phonetree/internal/auth"
	"phonetree/internal/store/sqlite"
	"strings"
	"testing"
)

func TestVerifyPageIsPublicAndCatchesTampering(t *testing.T) {
	h := newHarness(t, 10)
	b := h.send("broadcast")
	get := func(path string) (int, string) {
		resp, err := http.Get(h.ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, body := get(fmt.Sprintf("/verify/%d", b.ID)); code != http.StatusOK || !strings.Contains(body, "Genuine") {
		t.Fatalf("genuine bulletin: %d %q", code, body)
	}
	if code, _ := get("/verify/999"); code != http.StatusNotFound {
		t.Fatalf("unknown bulletin: %d", code)
	}
	raw, err := sql.Open("sqlite", h.st.(*sqlite.Store).Path())
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`UPDATE bulletins SET title = 'Click here to reset your password' WHERE id = ?`, b.ID); err != nil {
		t.Fatal(err)
	}
	if code, body := get(fmt.Sprintf("/verify/%d", b.ID)); code != http.StatusConflict || !strings.Contains(body, "Not genuine") {
		t.Fatalf("tampered bulletin: %d %q", code, body)
	}
}

func TestDashboardShowsKeyFingerprint(t *testing.T) {
	h := newHarness(t, 10)
	h.send("broadcast")
	c := h.login(h.addUser("viewer", auth.Viewer))
	_, body := h.do(c, "GET", "/", "", nil)
	fp := h.eng.Fingerprint(context.Background())
	if fp == "" || !strings.Contains(body, fp) {
		t.Fatalf("dashboard lacks the signing key fingerprint %q", fp)
	}
}
