package main

import (
	"strings"
	"testing"

	"phonetree/internal/roster"
)

func TestCallSheetsListEachCallersPeople(t *testing.T) {
	csv := "id,name,manager,mobile\nE1,Root,,+13105550101\nE2,Mid,E1,+13105550102\nE3,Leaf,E2,+13105550103\n"
	r, rep, err := roster.Parse(strings.NewReader(csv), roster.Options{})
	if err != nil || !rep.OK() {
		t.Fatal(err, rep.Errors)
	}
	var b strings.Builder
	writeCallSheets(&b, r, 4, "AAAA-BBBB")
	out := b.String()
	sheets := strings.Split(out, "\f")
	if len(sheets) != 3 || !strings.Contains(sheets[0], "CALL SHEET: E1") || !strings.Contains(sheets[0], "+13105550102") {
		t.Fatalf("sheets:\n%s", out)
	}
	if !strings.Contains(sheets[1], "+13105550103") || !strings.Contains(sheets[1], "tell: E1 Root +13105550101") || !strings.Contains(out, "AAAA-BBBB") {
		t.Fatalf("E2's sheet:\n%s", sheets[1])
	}
}

func TestWalletCardCarriesTheWord(t *testing.T) {
	var b strings.Builder
	writeWalletCard(&b, &roster.Person{ID: "E7", Name: "Ana", Word: "amber-falcon"}, "+13105550000", "AAAA-BBBB")
	for _, want := range []string{"amber-falcon", "not from us", "+13105550000", "AAAA-BBBB"} {
		if !strings.Contains(b.String(), want) {
			t.Fatalf("card lacks %q:\n%s", want, b.String())
		}
	}
}
