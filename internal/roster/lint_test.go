package roster

import (
	"slices"
	"strings"
	"testing"
)

func TestLintErrors(t *testing.T) {
	tests := []struct {
		name string
		rows string
		want []string
	}{
		{"cycle", "E1,A,E3,,,,,,,,\nE2,B,E1,,,,,,,,\nE3,C,E2,,,,,,,,\n",
			[]string{"line 2: manager: cycle E1 -> E3 -> E2 -> E1"}},
		{"a caller breaks a loop of managers", "E0,Z,,,,,,,,,\nE1,A,E2,E0,,,,,,,\nE2,B,E1,,,,,,,,\n",
			nil},
		{"self cycle by caller", "E0,Z,,,,,,,,,\nE1,A,E0,E1,,,,,,,\n",
			[]string{"line 3: caller: cycle E1 -> E1"}},
		{"unknown manager", "E1,A,,,,,,,,,\nE2,B,E9,,,,,,,,\n",
			[]string{`line 3: manager: unknown id "E9"`}},
		{"unknown caller and backup", "E1,A,,E7,E8;E1,,,,,,\n",
			[]string{`line 2: caller: unknown id "E7"`, `line 2: backups: unknown id "E8"`}},
		{"bad number", "E1,A,,,,+1 310 555,,,,,\n",
			[]string{`line 2: mobile: "+1 310 555" is not a valid phone number`}},
		{"unparseable number", "E1,A,,,,,call me,,,,\n",
			[]string{`line 2: voice: "call me" is not a phone number: the phone number supplied is not a number`}},
		{"bad email", "E1,A,,,,,,ana@,,,\n",
			[]string{`line 2: email: "ana@" is not a valid email address`}},
		{"ragged row", "E1,A,,,,,,,,,\nE2,B,E1,,,\n",
			[]string{"line 3: row has 6 fields, header has 11"}},
		{"ragged row not reported again as unknown", "E1,A,,,,,,,,,\nE2,B,E1,,,\nE3,C,E2,,,,,,,,\n",
			[]string{"line 3: row has 6 fields, header has 11"}},
		{"duplicate id", "E1,A,,,,,,,,,\nE2,B,E1,,,,,,,,\nE1,C,,,,,,,,,\n",
			[]string{`line 4: id: duplicate id "E1" (first on line 2)`}},
		{"empty id", "E1,A,,,,,,,,,\n,B,E1,,,,,,,,\n",
			[]string{"line 3: id: empty id"}},
		{"bare quote", "E1,A,,,,,,,,,\nE2,B \"x\",E1,,,,,,,,\n",
			[]string{`line 3: name: bare " in an unquoted field (quote the whole field and double the quote)`}},
		{"every problem", "E1,A,E1,,,+1 310 555,,x,,,\nE2,B,E9,,,\n",
			[]string{
				`line 2: mobile: "+1 310 555" is not a valid phone number`,
				`line 2: email: "x" is not a valid email address`,
				"line 2: manager: cycle E1 -> E1",
				"line 3: row has 6 fields, header has 11",
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, rep := mustParse(t, header11+tt.rows, Options{})
			if got := issueStrings(rep.Errors); !slices.Equal(got, tt.want) {
				t.Errorf("errors\n got %q\nwant %q", got, tt.want)
			}
			for _, is := range rep.Errors {
				if is.Line == 0 || is.Warning {
					t.Errorf("%v: want a line and Warning false", is)
				}
			}
			if rep.OK() != (len(tt.want) == 0) {
				t.Errorf("OK() = %v", rep.OK())
			}
		})
	}
}

func TestLintOrder(t *testing.T) {
	r, rep := mustParse(t, "id,mobile,email,order\nE1,+13105550100,a@example.org,Voice; sms\nE2,,,fax\nE3,,,sms;sms\n", Options{})
	want := []string{
		`line 3: order: unknown method "fax" (want sms, voice, email or webhook)`,
		`line 4: order: method "sms" listed twice`,
	}
	if got := issueStrings(rep.Errors); !slices.Equal(got, want) {
		t.Errorf("errors\n got %q\nwant %q", got, want)
	}
	if got := r.People[0].Order; !slices.Equal(got, []Method{Voice, SMS}) {
		t.Errorf("order %v", got)
	}
}

func TestLintWarnings(t *testing.T) {
	rows := "E1,Root,,,,+13105550100,,,,,\n" +
		"E2,A,E1,,,+13105550101,,,,,\n" +
		"E3,B,E1,,,+13105550101,,,,,\n" +
		"E4,C,E1,,,,+13105550100,,,,\n" +
		"E5,D,E4,,,,,,,,\n" +
		"E6,E,E5,,,,,e@example.org,,,\n"
	_, rep := mustParse(t, header11+rows, Options{FanOutLimit: 2, DepthLimit: 1})
	want := []string{
		"line 2: fan-out: E1 calls 3 people (limit 2)",
		"line 4: mobile: +13105550101 is also the number of E2 (line 3)",
		"line 5: voice: +13105550100 is also the number of E1 (line 2)",
		"line 6: depth: E5 is 2 levels below root E1 (limit 1), with 2 in their branch",
		"line 6: contact: no usable contact method (mobile, voice or email)",
	}
	if !rep.OK() {
		t.Fatalf("errors: %q", issueStrings(rep.Errors))
	}
	if got := issueStrings(rep.Warnings); !slices.Equal(got, want) {
		t.Errorf("warnings\n got %q\nwant %q", got, want)
	}
	for _, w := range rep.Warnings {
		if !w.Warning || w.ID == "" {
			t.Errorf("%v: want Warning and an ID", w)
		}
	}
}

func TestLintUnreachable(t *testing.T) {
	rows := "E1,A,E2,,,,,a@example.org,,,\nE2,B,E1,,,,,b@example.org,,,\nE3,C,E2,,,,,c@example.org,,,\n"
	_, rep := mustParse(t, header11+rows, Options{})
	if got := issueStrings(rep.Errors); !slices.Equal(got, []string{"line 2: manager: cycle E1 -> E2 -> E1"}) {
		t.Errorf("errors %q", got)
	}
	want := []string{"line 4: manager: unreachable from any root: their callers lead into the cycle through E1"}
	if got := issueStrings(rep.Warnings); !slices.Equal(got, want) {
		t.Errorf("warnings\n got %q\nwant %q", got, want)
	}
}

func TestReportWriteText(t *testing.T) {
	var rows strings.Builder
	rows.WriteString("E0,Root,,,,,,r@example.org,,,\n")
	for i := range 60 {
		rows.WriteString("P" + strings.Repeat("x", i+1) + ",N,E9,,,,,,,,\n")
	}
	_, rep := mustParse(t, header11+rows.String(), Options{})
	var out strings.Builder
	rep.WriteText(&out)
	text := out.String()
	for _, want := range []string{
		"60 errors, 60 warnings\n",
		`error:   line 3: manager: unknown id "E9"` + "\n",
		"error:   … and 10 more manager errors\n",
		"warning: … and 10 more contact warnings\n",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("report lacks %q:\n%s", want, text)
		}
	}
	if n := strings.Count(text, "\n"); n != 1+50+1+50+1 {
		t.Errorf("report has %d lines", n)
	}
}
