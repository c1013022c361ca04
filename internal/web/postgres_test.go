package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"phonetree/internal/auth"
	"phonetree/internal/engine"
	"phonetree/internal/store/postgres"
	"phonetree/internal/store/postgres/pgtest"
)

// TestOnPostgres serves from PostgreSQL what an operator does in a day:
// log in with a password and TOTP code, send an actual bulletin that waits
// for a second operator, approve it, verify its signature (and see an edit
// in the database break it), use and revoke an API token.
func TestOnPostgres(t *testing.T) {
	dbURL := pgtest.FreshDB(t)
	st, err := postgres.Open(t.Context(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	h := newHarnessOn(t, st, 100, func(c *engine.Config) { c.ApprovalThreshold = 25 })
	cmdrUser, apprUser := h.addUser("cmdr", auth.Commander), h.addUser("appr", auth.Approver)
	cmdr, appr := h.login(cmdrUser), h.login(apprUser)

	form := url.Values{"title": {"Evacuate"}, "status": {"actual"}, "mode": {"broadcast"}, "kind": {"alert"}, "csrf": {h.csrfOf(cmdr, "/send")}}
	if res, body := h.postForm(cmdr, "/send", form); res.StatusCode != http.StatusAccepted || !strings.Contains(body, "approval") {
		t.Fatalf("send form for 100 people: %d, want it held for approval", res.StatusCode)
	}
	if res, _ := h.postForm(cmdr, "/approvals/1/approve", url.Values{"csrf": {h.csrfOf(cmdr, "/approvals")}}); res.StatusCode != http.StatusForbidden {
		t.Fatalf("the commander approved their own bulletin: %d", res.StatusCode)
	}
	if res, _ := h.postForm(appr, "/approvals/1/approve", url.Values{"csrf": {h.csrfOf(appr, "/approvals")}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("approver's approval: %d", res.StatusCode)
	}
	bs, err := h.st.Bulletins(t.Context())
	if err != nil || len(bs) != 1 || bs[0].Recipients != 100 {
		t.Fatalf("after approval: %v bulletins (%v)", bs, err)
	}
	verify := fmt.Sprintf("/verify/%d", bs[0].ID)
	if res, body := h.do(nil, "GET", verify, "", nil); res.StatusCode != http.StatusOK || !strings.Contains(body, "Genuine") {
		t.Fatalf("verify the approved bulletin: %d", res.StatusCode)
	}
	raw, err := pgx.Connect(t.Context(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close(t.Context())
	if _, err := raw.Exec(t.Context(), `UPDATE bulletins SET title = 'Click here to reset your password' WHERE id = $1`, bs[0].ID); err != nil {
		t.Fatal(err)
	}
	if res, body := h.do(nil, "GET", verify, "", nil); res.StatusCode != http.StatusConflict || !strings.Contains(body, "Not genuine") {
		t.Fatalf("verify the edited bulletin: %d", res.StatusCode)
	}

	if res, out := h.api(apprUser, "GET", "/api/v1/call-tasks", nil); res.StatusCode != http.StatusOK {
		t.Fatalf("call-task queue with a token: %d %v", res.StatusCode, out)
	}
	tokens, err := h.st.Tokens(t.Context())
	if err != nil || len(tokens) != 2 {
		t.Fatalf("tokens: %v (%v)", tokens, err)
	}
	for _, tk := range tokens {
		if err := h.st.RevokeToken(t.Context(), tk.ID); err != nil {
			t.Fatal(err)
		}
	}
	if res, _ := h.api(apprUser, "GET", "/api/v1/call-tasks", nil); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("a revoked token: %d", res.StatusCode)
	}
}
