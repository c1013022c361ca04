package roster

import (
	"bytes"
	"crypto/rand"
	"strings"
	"testing"
)

func TestAssignWordsKeepsPreviousWords(t *testing.T) {
	csv := "id,name,mobile,word\nE1,Ana,+13105550100,\nE2,Ben,+13105550101,own-word\n"
	prev, _, err := Parse(strings.NewReader(csv), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := AssignWords(prev, nil, rand.Reader); err != nil || n != 1 {
		t.Fatalf("made %d words (%v), want 1", n, err)
	}
	if prev.People[0].Word == "" || prev.People[1].Word != "own-word" {
		t.Fatalf("words %q %q", prev.People[0].Word, prev.People[1].Word)
	}
	next, _, _ := Parse(strings.NewReader(csv+"E3,Cy,+13105550102,\n"), Options{})
	if n, _ := AssignWords(next, prev, rand.Reader); n != 1 {
		t.Fatalf("re-import made %d new words, want 1 (only for E3)", n)
	}
	if next.People[0].Word != prev.People[0].Word {
		t.Fatal("a re-import changed a person's word")
	}
	empty, _, _ := Parse(strings.NewReader("id,name,mobile\nE9,Di,+13105550109\n"), Options{})
	if _, err := AssignWords(empty, nil, bytes.NewReader(nil)); err == nil {
		t.Fatal("no error when the random source is exhausted")
	}
}
