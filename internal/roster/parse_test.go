package roster

import (
	"reflect"
	"slices"
	"strings"
	"testing"
)

const header11 = "id,name,manager,caller,backups,mobile,voice,email,tags,timezone,language\n"

func mustParse(t *testing.T, csv string, opt Options) (*Roster, Report) {
	t.Helper()
	r, rep, err := Parse(strings.NewReader(csv), opt)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return r, rep
}

func issueStrings(issues []Issue) []string {
	var out []string
	for _, is := range issues {
		out = append(out, is.String())
	}
	return out
}

func TestParseFormats(t *testing.T) {
	ana := Person{
		ID: "E100", Name: "Ana Ruiz", Backups: []string{"E101"}, Mobile: "+13105550100",
		Email: "ana@example.org", Tags: []string{"exec", "la"}, Timezone: "America/Los_Angeles", Language: "en",
	}
	tests := []struct {
		name string
		csv  string
		opt  Options
	}{
		{"plain", header11 + "E100,Ana Ruiz,,,E101,+13105550100,,ana@example.org,exec;la,America/Los_Angeles,en\nE101,Ben,E100,,,,,,,,\n", Options{}},
		{"BOM and CRLF", "\ufeff" + strings.ReplaceAll(header11, "\n", "\r\n") +
			"E100,Ana Ruiz,,,E101,+13105550100,,ana@example.org,exec;la,America/Los_Angeles,en\r\nE101,Ben,E100,,,,,,,,\r\n", Options{}},
		{"quoted fields", header11 + `"E100","Ana Ruiz",,,"E101","+1 (310) 555-0100",,"ana@example.org","exec; la",America/Los_Angeles,en` + "\nE101,Ben,E100,,,,,,,,\n", Options{}},
		{"header in any case and order", "Mobile, ID ,NAME,Tags,Email,Backups,TimeZone,Language,Manager\n" +
			"(310) 555-0100,E100,Ana Ruiz,exec;la,ana@example.org,E101,America/Los_Angeles,en,\n" +
			",E101,Ben,,,,,,E100\n", Options{}},
		{"unknown column ignored", "id,name,dept,backups,mobile,email,tags,timezone,language,manager\n" +
			"E100,Ana Ruiz,X,E101,3105550100,ana@example.org,exec;la,America/Los_Angeles,en,\nE101,Ben,,,,,,,,E100\n",
			Options{IgnoreUnknown: true}},
		{"blank rows skipped", header11 + "\n" + "E100,Ana Ruiz,,,E101,+13105550100,,ana@example.org,exec;la,America/Los_Angeles,en\n\n" +
			"E101,Ben,E100,,,,,,,,\n,,,,,,,,,,\n", Options{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, rep := mustParse(t, tt.csv, tt.opt)
			if !rep.OK() {
				t.Fatalf("errors: %v", issueStrings(rep.Errors))
			}
			if len(r.People) != 2 {
				t.Fatalf("got %d people, want 2", len(r.People))
			}
			if !reflect.DeepEqual(r.People[0], ana) {
				t.Errorf("got  %+v\nwant %+v", r.People[0], ana)
			}
			if i, ok := r.Index("E101"); !ok || i != 1 || r.People[1].Manager != "E100" {
				t.Errorf("E101: index %d %v, manager %q", i, ok, r.People[1].Manager)
			}
		})
	}
}

func TestParseQuotedLinesAndFormulas(t *testing.T) {
	csv := "id,name,manager,tags,word\n" +
		"E1,\"Ruiz, Ana\n(night shift)\",,\"a \"\"b\"\"\",'=SUM(A1)\n" +
		"E2,'+Ben,E1,'-x;y,''plain\n" +
		"E3,Cy,E9,,\n"
	r, rep := mustParse(t, csv, Options{})
	if got, want := r.People[0].Name, "Ruiz, Ana\n(night shift)"; got != want {
		t.Errorf("name %q, want %q", got, want)
	}
	if got := r.People[0].Tags; !slices.Equal(got, []string{`a "b"`}) {
		t.Errorf("tags %q", got)
	}
	if got := r.People[0].Word; got != "=SUM(A1)" {
		t.Errorf("word %q, want the quote stripped", got)
	}
	if p := r.People[1]; p.Name != "+Ben" || !slices.Equal(p.Tags, []string{"-x", "y"}) || p.Word != "'plain" {
		t.Errorf("E2: name %q tags %q word %q", p.Name, p.Tags, p.Word)
	}
	// E3 is on line 5: the quoted name of E1 spans lines 2 and 3.
	want := []string{`line 5: manager: unknown id "E9"`}
	if got := issueStrings(rep.Errors); !slices.Equal(got, want) {
		t.Errorf("errors %q, want %q", got, want)
	}
}

func TestParseNumbersNormalised(t *testing.T) {
	tests := []struct{ region, in, want string }{
		{"", "+1 (310) 555-0100", "+13105550100"},
		{"", "310.555.0100", "+13105550100"},
		{"", "1 310 555 0100", "+13105550100"},
		{"US", "+44 20 7946 0000", "+442079460000"},
		{"GB", "020 7946 0000", "+442079460000"},
		{"gb", "07911 123456", "+447911123456"},
		{"DE", "+49 30 1234567", "+49301234567"},
	}
	for _, tt := range tests {
		r, rep := mustParse(t, "id,mobile\nE1,"+tt.in+"\n", Options{Region: tt.region})
		if !rep.OK() || r.People[0].Mobile != tt.want {
			t.Errorf("%s %q: got %q, errors %v; want %q", tt.region, tt.in, r.People[0].Mobile, issueStrings(rep.Errors), tt.want)
		}
	}
}

func TestParseHeaderErrors(t *testing.T) {
	tests := []struct{ name, csv, want string }{
		{"empty", "", "empty file"},
		{"no id", "name,mobile\nAna,+13105550100\n", "no id column"},
		{"unknown", "id,dept\nE1,x\n", `unknown column "dept"`},
		{"twice", "id,name,Name\nE1,a,b\n", `column "name" appears twice`},
		{"region", "id\nE1\n", `unknown phone region "XX"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opt := Options{}
			if tt.name == "region" {
				opt.Region = "XX"
			}
			_, _, err := Parse(strings.NewReader(tt.csv), opt)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to say %q", err, tt.want)
			}
		})
	}
}
