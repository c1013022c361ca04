package web

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"phonetree/internal/auth"
)

// TestBadInputNamesTheProblemAndChangesNothing sends malformed, unknown,
// oversized and invalid input to every kind of write.
func TestBadInputNamesTheProblemAndChangesNothing(t *testing.T) {
	h := newHarness(t, 30)
	h.send("broadcast")
	admin := h.addUser("admin", auth.Admin)
	big := `{"title":"` + strings.Repeat("x", 2<<20) + `"}`
	cases := []struct {
		name, path, body string
		status           int
		field            string
	}{
		{"malformed", "/api/v1/bulletins", `{"title":`, 400, ""},
		{"not an object", "/api/v1/bulletins", `[1,2]`, 400, ""},
		{"trailing data", "/api/v1/bulletins", `{"title":"a"} {"title":"b"}`, 400, ""},
		{"empty", "/api/v1/bulletins", ``, 400, ""},
		{"unknown field", "/api/v1/bulletins", `{"title":"a","colour":"red"}`, 400, "colour"},
		{"wrong type", "/api/v1/bulletins", `{"title":"a","incident":"seven"}`, 400, "incident"},
		{"oversized", "/api/v1/bulletins", big, 413, ""},
		{"missing title", "/api/v1/bulletins", `{"body":"no title"}`, 422, "title"},
		{"bad mode", "/api/v1/bulletins", `{"title":"a","mode":"shout"}`, 422, "mode"},
		{"bad status", "/api/v1/bulletins", `{"title":"a","status":"maybe"}`, 422, "status"},
		{"unknown audience", "/api/v1/bulletins", `{"title":"a","audience":["E999999"]}`, 422, "audience"},
		{"update without incident", "/api/v1/bulletins", `{"title":"a","kind":"update"}`, 422, "incident"},
		{"unknown incident", "/api/v1/bulletins", `{"title":"a","incident":77}`, 422, "incident"},
		{"too many responses", "/api/v1/bulletins", `{"title":"a","responses":["1","2","3","4","5","6","7","8","9","10"]}`, 422, "responses"},
		{"ack: unknown person", "/api/v1/bulletins/1/acks", `{"person":"E999999"}`, 422, "person"},
		{"ack: bad response", "/api/v1/bulletins/1/acks", `{"person":"E000003","response":5}`, 422, "response"},
		{"ack: bad bulletin id", "/api/v1/bulletins/x/acks", `{"person":"E000003"}`, 400, "id"},
		{"task: unknown field", "/api/v1/bulletins/1/call-tasks", `{"person":"E000003","who":1}`, 400, "who"},
	}
	for _, c := range cases {
		res, out := h.api(admin, "POST", c.path, c.body)
		e := errorOf(out)
		if res.StatusCode != c.status || e == nil || e["message"] == "" {
			t.Errorf("%s: %d %v, want %d with an error message", c.name, res.StatusCode, out, c.status)
			continue
		}
		if c.field != "" && e["field"] != c.field {
			t.Errorf("%s: field %v, want %q (%v)", c.name, e["field"], c.field, e["message"])
		}
	}
	res, _ := h.do(nil, "POST", "/api/v1/bulletins", "text/plain", strings.NewReader(`{"title":"a"}`), "Authorization", "Bearer "+admin.token)
	if res.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain JSON: %d, want 415", res.StatusCode)
	}
	bs, _ := h.st.Bulletins(context.Background())
	events, _ := h.st.Events(context.Background(), 1)
	if len(bs) != 1 {
		t.Errorf("bad input created bulletins: %d, want 1", len(bs))
	}
	for _, e := range events {
		if e.Kind == "acked" {
			t.Errorf("bad input recorded an ack: %+v", e)
		}
	}
}

func TestRosterUploadWithErrorsNamesTheLineAndImportsNothing(t *testing.T) {
	h := newHarness(t, 0)
	admin := h.addUser("admin", auth.Admin)
	bad := "id,name,manager,mobile\nE1,Ana,,+13105550100\nE2,Ben,E9,+13105550101\nE3,Cy,E1,not a number\nE4,Di,E1\n"
	res, out := h.apiCSV(admin, bad)
	e := errorOf(out)
	if res.StatusCode != http.StatusUnprocessableEntity || e == nil {
		t.Fatalf("CSV with errors: %d %v", res.StatusCode, out)
	}
	msg, _ := e["message"].(string)
	issues, _ := e["issues"].([]any)
	if !strings.Contains(msg, "line 3") || len(issues) < 3 {
		t.Fatalf("error %q with %d issues: want line 3 named and every issue listed", msg, len(issues))
	}
	lines := map[float64]bool{}
	for _, is := range issues {
		lines[is.(map[string]any)["line"].(float64)] = true
	}
	for _, l := range []float64{3, 4, 5} {
		if !lines[l] {
			t.Errorf("no issue for line %v: %v", l, issues)
		}
	}
	res, out = h.apiCSV(admin, "name\nAna\n")
	if e := errorOf(out); res.StatusCode != http.StatusUnprocessableEntity || e["field"] != "header" {
		t.Errorf("CSV without id column: %d %v", res.StatusCode, out)
	}
	if vs, _ := h.st.RosterVersions(context.Background()); len(vs) != 0 {
		t.Fatalf("a refused roster made %d versions", len(vs))
	}
	good := "id,name,manager,mobile\nE1,Ana,,+13105550100\nE2,Ben,E1,+13105550101\n"
	res, out = h.apiCSV(admin, good)
	if res.StatusCode != http.StatusCreated || out["people"] != float64(2) {
		t.Fatalf("good CSV: %d %v", res.StatusCode, out)
	}
	res, out = h.apiCSV(admin, good)
	if res.StatusCode != http.StatusOK || out["unchanged"] != true {
		t.Fatalf("same CSV again: %d %v, want unchanged", res.StatusCode, out)
	}
}

func (h *harness) apiCSV(u *user, csv string) (*http.Response, map[string]any) {
	res, text := h.do(nil, "POST", "/api/v1/roster", "text/csv", strings.NewReader(csv), "Authorization", "Bearer "+u.token)
	var out map[string]any
	jsonUnmarshal(text, &out)
	return res, out
}
