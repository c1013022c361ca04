package web

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"phonetree/internal/auth"
	"phonetree/internal/roster"
)

func TestAPIWalkthrough(t *testing.T) {
	h := newHarness(t, 0)
	admin := h.addUser("admin", auth.Admin)
	var csv bytes.Buffer
	roster.Generate(&csv, 120, 3)
	res, out := h.apiCSV(admin, csv.String())
	if res.StatusCode != http.StatusCreated || out["id"] != float64(1) {
		t.Fatalf("import: %d %v", res.StatusCode, out)
	}
	res, out = h.api(admin, "GET", "/api/v1/tree?depth=1", nil)
	roots, _ := out["roots"].([]any)
	if res.StatusCode != 200 || len(roots) != 1 || roots[0].(map[string]any)["size"] != float64(120) {
		t.Fatalf("tree: %d %v", res.StatusCode, out)
	}
	res, out = h.api(admin, "POST", "/api/v1/bulletins", map[string]any{"title": "Network compromise", "status": "exercise",
		"mode": "cascade", "responses": []string{"Safe", "Need help"}})
	if res.StatusCode != http.StatusCreated || out["state"] != "running" || out["recipients"] != float64(120) {
		t.Fatalf("send: %d %v", res.StatusCode, out)
	}
	id := int64(out["id"].(float64))
	h.run(time.Second)
	res, out = h.api(admin, "GET", fmt.Sprintf("/api/v1/bulletins/%d/status", id), nil)
	branches, _ := out["by_branch"].([]any)
	if res.StatusCode != 200 || out["people"] != float64(120) || len(branches) < 3 {
		t.Fatalf("status: %d %v", res.StatusCode, out)
	}
	b0 := branches[0].(map[string]any)
	total := 0.0
	for _, v := range b0["by_state"].(map[string]any) {
		total += v.(float64)
	}
	if total != b0["people"] {
		t.Fatalf("branch %v: by_state adds to %v", b0, total)
	}
	// The root is waiting in cascade mode; everyone else pending.
	res, out = h.api(admin, "GET", fmt.Sprintf("/api/v1/bulletins/%d/recipients?state=pending&branch=%s&limit=5", id, b0["id"]), nil)
	rs, _ := out["recipients"].([]any)
	if res.StatusCode != 200 || out["total"] != b0["people"] || len(rs) != 5 {
		t.Fatalf("recipients of branch %v: %d %v", b0["id"], res.StatusCode, out)
	}
	res, out = h.api(admin, "POST", fmt.Sprintf("/api/v1/bulletins/%d/acks", id), map[string]any{"person": "E000001", "response": 1})
	if res.StatusCode != http.StatusCreated || out["state"] != "acked" || out["response_text"] != "Safe" {
		t.Fatalf("record ack: %d %v", res.StatusCode, out)
	}
	res, out = h.api(admin, "POST", fmt.Sprintf("/api/v1/bulletins/%d/acks", id), map[string]any{"person": "E000001"})
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("second ack: %d %v", res.StatusCode, out)
	}
	res, out = h.api(admin, "GET", fmt.Sprintf("/api/v1/bulletins/%d/acks", id), nil)
	if acks, _ := out["acks"].([]any); res.StatusCode != 200 || len(acks) != 1 {
		t.Fatalf("acks: %d %v", res.StatusCode, out)
	}
	res, out = h.api(admin, "POST", fmt.Sprintf("/api/v1/bulletins/%d/call-tasks", id), map[string]any{"person": b0["id"]})
	if res.StatusCode != http.StatusCreated || out["assignee"].(map[string]any)["id"] != "E000001" {
		t.Fatalf("open call task: %d %v", res.StatusCode, out)
	}
	task := int64(out["id"].(float64))
	res, out = h.api(admin, "GET", "/api/v1/call-tasks", nil)
	if ts, _ := out["call_tasks"].([]any); res.StatusCode != 200 || len(ts) != 1 {
		t.Fatalf("queue: %d %v", res.StatusCode, out)
	}
	res, out = h.api(admin, "POST", fmt.Sprintf("/api/v1/bulletins/%d/call-tasks/%d/done", id, task), map[string]any{"reached": true, "response": 2})
	if res.StatusCode != 200 || out["state"] != "done" || out["subject"].(map[string]any)["state"] != "acked" {
		t.Fatalf("call task done: %d %v", res.StatusCode, out)
	}
	res, out = h.api(admin, "POST", fmt.Sprintf("/api/v1/bulletins/%d/recipients/E000001/link", id), nil)
	if url, _ := out["url"].(string); res.StatusCode != http.StatusCreated || !strings.Contains(url, "/a/") {
		t.Fatalf("ack link: %d %v", res.StatusCode, out)
	}
	res, out = h.api(admin, "GET", "/api/v1/incidents", nil)
	if in, _ := out["incidents"].([]any); res.StatusCode != 200 || len(in) != 1 {
		t.Fatalf("incidents: %d %v", res.StatusCode, out)
	}
	res, out = h.api(admin, "POST", "/api/v1/bulletins", map[string]any{"title": "All clear", "kind": "cancel", "incident": 1})
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("all-clear: %d %v", res.StatusCode, out)
	}
	if b, _ := h.st.Bulletin(context.Background(), id); b.State != "cancelled" {
		t.Fatalf("after the all-clear the first bulletin is %s", b.State)
	}
	res, out = h.api(admin, "POST", fmt.Sprintf("/api/v1/bulletins/%d/cancel", id), nil)
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("cancel a cancelled bulletin: %d %v", res.StatusCode, out)
	}
}

func TestLiveViewStreamsChanges(t *testing.T) {
	h := newHarness(t, 60)
	b := h.send("broadcast")
	br := h.login(h.addUser("vic", auth.Viewer))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", fmt.Sprintf("%s/bulletins/%d/live", h.ts.URL, b.ID), nil)
	res, err := br.Do(req)
	if err != nil || res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("live: %v %v", err, res)
	}
	defer res.Body.Close()
	events := make(chan liveUpdate)
	go func() {
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(nil, 1<<22)
		for sc.Scan() {
			if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
				var u liveUpdate
				json.Unmarshal([]byte(d), &u)
				events <- u
			}
		}
	}()
	first := <-events
	if first.Counts["waiting"]+first.Counts["unreached"] != 60 || len(first.Nodes) != 60 || first.Unreached == nil {
		t.Fatalf("first update: counts %v, %d nodes", first.Counts, len(first.Nodes))
	}
	h.api(h.addUser("cal", auth.Caller), "POST", fmt.Sprintf("/api/v1/bulletins/%d/acks", b.ID), map[string]any{"person": "E000002", "response": 1})
	next := <-events
	if next.Acked != 1 || len(next.Nodes) != 2 { // E000002 and the root's branch count
		t.Fatalf("update after an ack: acked %d, nodes %v", next.Acked, next.Nodes)
	}
}
