package web

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"phonetree/internal/auth"
	"phonetree/internal/roster"
)

type route struct {
	method, path string
	body         string
	perm         auth.Permission
}

// apiRoutes is every API route with what it needs; b is a running
// bulletin and c one to cancel.
func apiRoutes(b, c int64, csv string) []route {
	p := func(f string) string { return fmt.Sprintf(f, b) }
	return []route{
		{"GET", "/api/v1/incidents", "", auth.Read},
		{"GET", p("/api/v1/incidents/%d"), "", auth.Read},
		{"GET", "/api/v1/bulletins", "", auth.Read},
		{"POST", "/api/v1/bulletins", `{"title":"Update","status":"exercise"}`, auth.Send},
		{"GET", p("/api/v1/bulletins/%d"), "", auth.Read},
		{"POST", fmt.Sprintf("/api/v1/bulletins/%d/cancel", c), "", auth.Send},
		{"GET", p("/api/v1/bulletins/%d/status"), "", auth.Read},
		{"GET", p("/api/v1/bulletins/%d/recipients"), "", auth.Read},
		{"POST", p("/api/v1/bulletins/%d/recipients/E000002/link"), "", auth.Send},
		{"GET", p("/api/v1/bulletins/%d/acks"), "", auth.Read},
		{"POST", p("/api/v1/bulletins/%d/acks"), `{"person":"E000005","response":1}`, auth.WorkCalls},
		{"GET", p("/api/v1/bulletins/%d/call-tasks"), "", auth.Read},
		{"POST", p("/api/v1/bulletins/%d/call-tasks"), `{"person":"E000006"}`, auth.WorkCalls},
		{"POST", p("/api/v1/bulletins/%d/call-tasks/1/done"), "", auth.WorkCalls},
		{"GET", "/api/v1/call-tasks", "", auth.Read},
		{"GET", "/api/v1/approvals", "", auth.Read},
		{"POST", "/api/v1/approvals/999/approve", "", auth.Approve},
		{"POST", "/api/v1/roster", csv, auth.ManageRoster},
		{"GET", "/api/v1/roster/versions", "", auth.Read},
		{"GET", "/api/v1/roster/versions/1", "", auth.Read},
		{"GET", "/api/v1/tree", "", auth.Read},
	}
}

func pageRoutes(b, c int64) []route {
	p := func(f string) string { return fmt.Sprintf(f, b) }
	return []route{
		{"GET", "/", "", auth.Read},
		{"GET", p("/bulletins/%d"), "", auth.Read},
		{"GET", p("/bulletins/%d/tree/E000002"), "", auth.Read},
		{"GET", "/tasks", "", auth.Read},
		{"GET", "/approvals", "", auth.Read},
		{"POST", "/approvals/999/approve", "", auth.Approve},
		{"GET", "/send", "", auth.Send},
		{"POST", "/send", "title=Form+update&status=exercise&mode=broadcast&kind=alert", auth.Send},
		{"POST", fmt.Sprintf("/bulletins/%d/cancel", c), "", auth.Send},
		{"POST", p("/bulletins/%d/call-tasks"), "person=E000007", auth.WorkCalls},
		{"POST", p("/bulletins/%d/call-tasks/1/done"), "reached=false", auth.WorkCalls},
	}
}

func TestEveryRouteRefusesTheWrongRole(t *testing.T) {
	h := newHarness(t, 60)
	b, c := h.send("broadcast"), h.send("broadcast")
	h.eng.OpenCallTask(context.Background(), b.ID, 9, 0)
	var csv bytes.Buffer
	roster.WriteCSV(&csv, h.roster)
	users := map[auth.Role]*user{}
	for _, r := range auth.Roles {
		users[r] = h.addUser(string(r), r)
	}
	for _, rt := range apiRoutes(b.ID, c.ID, csv.String()) {
		res, _ := h.do(nil, rt.method, rt.path, contentType(rt), strings.NewReader(rt.body))
		if res.StatusCode != http.StatusUnauthorized {
			t.Errorf("anonymous %s %s: %d, want 401", rt.method, rt.path, res.StatusCode)
		}
		for _, role := range auth.Roles {
			res, _ := h.do(nil, rt.method, rt.path, contentType(rt), strings.NewReader(rt.body), "Authorization", "Bearer "+users[role].token)
			refused := res.StatusCode == http.StatusForbidden || res.StatusCode == http.StatusUnauthorized
			if allowed(role, rt.perm) == refused {
				t.Errorf("%s %s as %s: %d (may %s: %v)", rt.method, rt.path, role, res.StatusCode, rt.perm, allowed(role, rt.perm))
			}
		}
	}
	for _, role := range auth.Roles {
		br := h.login(users[role])
		for _, rt := range pageRoutes(b.ID, c.ID) {
			var res *http.Response
			if rt.method == "GET" {
				res, _ = h.do(br, "GET", rt.path, "", nil)
			} else {
				form, _ := url.ParseQuery(rt.body)
				form.Set("csrf", h.csrfOf(br, "/tasks"))
				res, _ = h.postForm(br, rt.path, form)
			}
			if refused := res.StatusCode == http.StatusForbidden; allowed(role, rt.perm) == refused || res.StatusCode >= 500 {
				t.Errorf("page %s %s as %s: %d (may %s: %v)", rt.method, rt.path, role, res.StatusCode, rt.perm, allowed(role, rt.perm))
			}
		}
	}
	for _, rt := range pageRoutes(b.ID, c.ID) {
		res, _ := h.do(h.browser(), rt.method, rt.path, contentType(rt), strings.NewReader(rt.body))
		want := http.StatusSeeOther
		if rt.method == "POST" {
			want = http.StatusUnauthorized
		}
		if res.StatusCode != want {
			t.Errorf("anonymous page %s %s: %d, want %d", rt.method, rt.path, res.StatusCode, want)
		}
	}
}

// may is who may do what, written out apart from the grants it checks.
var may = map[auth.Permission][]auth.Role{
	auth.Read:         {auth.Admin, auth.Commander, auth.Approver, auth.Caller, auth.Viewer},
	auth.WorkCalls:    {auth.Admin, auth.Commander, auth.Caller},
	auth.Send:         {auth.Admin, auth.Commander},
	auth.ManageRoster: {auth.Admin},
	auth.Approve:      {auth.Admin, auth.Approver},
}

func allowed(role auth.Role, p auth.Permission) bool { return slices.Contains(may[p], role) }

func contentType(rt route) string {
	switch {
	case rt.body == "":
		return ""
	case strings.HasPrefix(rt.body, "{"):
		return "application/json"
	case strings.HasPrefix(rt.body, "id,"):
		return "text/csv"
	}
	return "application/x-www-form-urlencoded"
}
