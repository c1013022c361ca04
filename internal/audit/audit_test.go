package audit

import (
	"strings"
	"testing"
)

func chain(n int) []Entry {
	var es []Entry
	prev := ""
	for i := 1; i <= n; i++ {
		e := Entry{ID: int64(i), At: int64(i * 1000), Actor: "cli:test", Action: "send", Subject: "bulletin 1", Detail: "x"}
		Seal(prev, &e)
		prev = e.Hash
		es = append(es, e)
	}
	return es
}

func verify(es []Entry) error {
	var v Verifier
	for i := range es {
		if err := v.Check(&es[i]); err != nil {
			return err
		}
	}
	return nil
}

func TestUntouchedVerifies(t *testing.T) {
	if err := verify(chain(50)); err != nil {
		t.Fatal(err)
	}
}

func TestEveryEditIsFound(t *testing.T) {
	edits := map[string]func(*Entry){
		"detail": func(e *Entry) { e.Detail = "y" },
		"actor":  func(e *Entry) { e.Actor = "cli:mallory" },
		"time":   func(e *Entry) { e.At++ },
		"hash":   func(e *Entry) { e.Hash = strings.Repeat("0", 64) },
	}
	for name, edit := range edits {
		es := chain(20)
		edit(&es[9])
		err := verify(es)
		if err == nil || !strings.Contains(err.Error(), "entry 10") {
			t.Errorf("%s edit of entry 10: got %v", name, err)
		}
	}
	es := chain(20)
	es = append(es[:5], es[6:]...)
	if err := verify(es); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("removed entry 6: got %v", err)
	}
}
