package content

import (
	"reflect"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		text string
		want Parts
	}{
		{"[EXERCISE] Network compromise: Do not use email. Reply 1 Safe, 2 Need help. Your word: maple.",
			Parts{Exercise: true, Title: "Network compromise", Short: "Do not use email.", Options: []string{"Safe", "Need help"}, Word: "maple"}},
		{"Outage Reply 1 Safe.", Parts{Title: "Outage", Options: []string{"Safe"}}},
		{"Outage: office closed Reply.", Parts{Title: "Outage", Short: "office closed"}},
		{"Just words, nothing else", Parts{Title: "Just words, nothing else"}},
		{"Fire: Reply to your manager now.", Parts{Title: "Fire", Short: "Reply to your manager now."}},
	}
	for _, tt := range tests {
		got := Parse(tt.text)
		tt.want.Raw = tt.text
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Parse(%q) = %+v, want %+v", tt.text, got, tt.want)
		}
	}
}

func TestScriptAndPrompt(t *testing.T) {
	p := Parse("[EXERCISE] Network compromise: Stay off email Reply 1 Safe, 2 Need help. Your word: maple.")
	if got, want := p.Script(), "This is an exercise. Network compromise. Stay off email. Your word is maple."; got != want {
		t.Errorf("Script = %q, want %q", got, want)
	}
	if got, want := Prompt(p.Options), "Press 1 for Safe. Press 2 for Need help."; got != want {
		t.Errorf("Prompt = %q, want %q", got, want)
	}
}
