package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestPlanCommand(t *testing.T) {
	var out, errb bytes.Buffer
	vars := map[string]string{"PHONETREE_TWILIO_FROM": "+13105550001,+13105550002,+13105550003,+13105550004,+13105550005"}
	e := &env{stdout: &out, stderr: &errb, getenv: func(k string) string { return vars[k] }}
	err := planCommand().run(context.Background(), e, []string{"--people", "10000"})
	if err != nil {
		t.Fatal(err, errb.String())
	}
	s := out.String()
	for _, want := range []string{"Reaching 10000 people", "5/s (5 numbers × 1 segments/s", "alone: 33m20s", "short code", "calls a second"} {
		if !strings.Contains(s, want) {
			t.Errorf("missing %q in:\n%s", want, s)
		}
	}
	if err := planCommand().run(context.Background(), e, []string{"--people", "5", "--order", "sms,fax"}); err == nil {
		t.Error("unknown method accepted")
	}
}
