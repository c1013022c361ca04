package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"phonetree/internal/auth"
	"phonetree/internal/engine"
)

func TestTwoPersonRuleOverAPI(t *testing.T) {
	h := newHarnessWith(t, 100, func(c *engine.Config) { c.ApprovalThreshold = 25 })
	cmdr, appr, admin := h.addUser("cmdr", auth.Commander), h.addUser("appr", auth.Approver), h.addUser("root", auth.Admin)
	body := map[string]any{"title": "Evacuate", "body": "Leave by the east stairs", "mode": "broadcast", "status": "actual"}

	resp, out := h.api(cmdr, "POST", "/api/v1/bulletins", body)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("a commander alone sent an actual bulletin to 100: %d %v", resp.StatusCode, out)
	}
	id := int64(out["approval"].(map[string]any)["id"].(float64))
	path := fmt.Sprintf("/api/v1/approvals/%d/approve", id)
	if resp, out := h.api(cmdr, "POST", path, nil); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("the commander approved their own bulletin (or lacks the role): %d %v", resp.StatusCode, out)
	}
	if resp, out := h.api(appr, "POST", path, nil); resp.StatusCode != http.StatusCreated || out["recipients"].(float64) != 100 {
		t.Fatalf("approval: %d %v", resp.StatusCode, out)
	}
	if resp, _ := h.api(appr, "POST", path, nil); resp.StatusCode != http.StatusConflict {
		t.Fatalf("second approval: %d", resp.StatusCode)
	}
	body["break_glass"] = "no approver reachable"
	if resp, _ := h.api(cmdr, "POST", "/api/v1/bulletins", body); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a commander used break-glass: %d", resp.StatusCode)
	}
	if resp, out := h.api(admin, "POST", "/api/v1/bulletins", body); resp.StatusCode != http.StatusCreated {
		t.Fatalf("admin break-glass: %d %v", resp.StatusCode, out)
	}
}

func TestApprovalsPage(t *testing.T) {
	h := newHarnessWith(t, 100, func(c *engine.Config) { c.ApprovalThreshold = 25 })
	cmdr := h.login(h.addUser("cmdr", auth.Commander))
	appr := h.login(h.addUser("appr", auth.Approver))
	form := url.Values{"title": {"Evacuate"}, "status": {"actual"}, "mode": {"broadcast"}, "kind": {"alert"}}
	form.Set("csrf", h.csrfOf(cmdr, "/send"))
	if res, body := h.postForm(cmdr, "/send", form); res.StatusCode != http.StatusAccepted || !strings.Contains(body, "approval") {
		t.Fatalf("send form for 100 people: %d", res.StatusCode)
	}
	res, body := h.do(appr, "GET", "/approvals", "", nil)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "Evacuate") || !strings.Contains(body, "/approvals/1/approve") {
		t.Fatalf("approvals page: %d\n%s", res.StatusCode, body)
	}
	own := url.Values{"csrf": {h.csrfOf(cmdr, "/approvals")}}
	if res, _ := h.postForm(cmdr, "/approvals/1/approve", own); res.StatusCode != http.StatusForbidden {
		t.Fatalf("the commander approved via the page: %d", res.StatusCode)
	}
	ok := url.Values{"csrf": {h.csrfOf(appr, "/approvals")}}
	if res, _ := h.postForm(appr, "/approvals/1/approve", ok); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("approver's approval: %d", res.StatusCode)
	}
	if bs, _ := h.st.Bulletins(context.Background()); len(bs) != 1 || bs[0].Recipients != 100 {
		t.Fatalf("after approval: %d bulletins", len(bs))
	}
}
