package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"phonetree/internal/store/postgres/pgtest"
)

// TestServeOnPostgres runs phonetree's commands on a PostgreSQL database as
// operators would: import a roster, add two operators with tokens, serve,
// send an actual bulletin that waits for a second operator, approve it as
// the other, verify its signature, and revoke a token.
func TestServeOnPostgres(t *testing.T) {
	db := pgtest.FreshDB(t)
	dir := t.TempDir()
	flags := []string{"--db", db, "--key-file", filepath.Join(dir, "pt.key")}
	pt := func(args ...string) string { t.Helper(); return phonetree(t, append(args, flags...)...) }

	csv := filepath.Join(dir, "people.csv")
	os.WriteFile(csv, []byte(phonetree(t, "roster", "generate", "--people", "40", "--seed", "2")), 0o600)
	pt("roster", "import", csv)
	for _, u := range []string{"cmdr --role commander", "appr --role approver"} {
		out := phonetreeWithInput(t, "correct horse battery staple\n", append(append(strings.Fields("user add "+u), "--password-stdin"), flags...)...)
		if !strings.Contains(out, "TOTP secret") {
			t.Fatalf("user add %s: %s", u, out)
		}
	}
	if out := pt("user", "list"); !strings.Contains(out, "cmdr") || !strings.Contains(out, "approver") {
		t.Fatalf("user list:\n%s", out)
	}
	cmdr := strings.TrimSpace(pt("token", "create", "--user", "cmdr"))
	appr := strings.TrimSpace(pt("token", "create", "--user", "appr"))

	addr := freeAddr(t)
	serve := exec.Command(os.Args[0], append([]string{"serve", "--addr", addr, "--insecure-dev", "--sim-model", "all-ack"}, flags...)...)
	serve.Env = append(os.Environ(), "PHONETREE_TEST_MAIN=1")
	var logs bytes.Buffer
	serve.Stdout, serve.Stderr = &logs, &logs
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		serve.Process.Signal(syscall.SIGTERM)
		if err := serve.Wait(); err != nil {
			t.Errorf("serve: %v\n%s", err, logs.String())
		}
	}()
	api := apiClient(t, "http://"+addr)

	code, out := api(cmdr, "POST", "/api/v1/bulletins", `{"title":"Evacuate","mode":"broadcast","status":"actual"}`)
	if code != http.StatusAccepted {
		t.Fatalf("an actual bulletin to 40 people: %d %v, want it held for approval", code, out)
	}
	approve := fmt.Sprintf("/api/v1/approvals/%v/approve", out["approval"].(map[string]any)["id"])
	if code, out := api(cmdr, "POST", approve, ""); code != http.StatusForbidden {
		t.Fatalf("self-approval: %d %v", code, out)
	}
	code, out = api(appr, "POST", approve, "")
	if code != http.StatusCreated {
		t.Fatalf("approval: %d %v", code, out)
	}
	if v := pt("verify", fmt.Sprint(out["id"])); !strings.Contains(v, "is genuine") {
		t.Fatalf("verify: %s", v)
	}
	pt("token", "revoke", "1")
	if code, _ := api(cmdr, "GET", "/api/v1/bulletins", ""); code != http.StatusUnauthorized {
		t.Fatalf("a revoked token: %d", code)
	}
	if a := pt("audit", "verify"); !strings.Contains(a, "intact") {
		t.Fatalf("audit: %s", a)
	}
}

// phonetreeWithInput runs a command as a separate process with input on its
// standard input, and returns its standard output.
func phonetreeWithInput(t *testing.T, input string, args ...string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "PHONETREE_TEST_MAIN=1")
	cmd.Stdin = strings.NewReader(input)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("phonetree %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return string(out)
}

// apiClient calls the API at base with a token, once the server answers.
func apiClient(t *testing.T, base string) func(token, method, path, body string) (int, map[string]any) {
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if res, err := http.Get(base + "/healthz"); err == nil {
			res.Body.Close()
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("the server did not start: %v", err)
		}
	}
	return func(token, method, path, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]any
		json.NewDecoder(res.Body).Decode(&out)
		return res.StatusCode, out
	}
}
