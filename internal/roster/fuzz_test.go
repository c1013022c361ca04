package roster

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary bytes to the importer: it must never panic, and
// whatever it accepts must survive the export round trip unchanged.
func FuzzParse(f *testing.F) {
	f.Add([]byte("id,name,manager,caller,backups,mobile,voice,email,tags,timezone,language\nE1,Ana,,,,+13105550100,,a@example.org,x;y,,\n"))
	f.Add([]byte("\ufeffID,Name,Manager\r\nE1,\"Ruiz, Ana\",\r\nE2,Ben,E1\r\n"))
	f.Add([]byte("id,name,manager\nE1,A,E3\nE2,B,E1\nE3,C,E2\n"))
	f.Add([]byte("id,name,mobile\nE1,=cmd(),+1 310 555\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, rep, err := Parse(bytes.NewReader(data), Options{})
		if err != nil || !rep.OK() {
			return
		}
		var out bytes.Buffer
		if err := WriteCSV(&out, r); err != nil {
			t.Fatalf("export: %v", err)
		}
		back, rep2, err := Parse(strings.NewReader(out.String()), Options{})
		if err != nil || !rep2.OK() {
			t.Fatalf("re-import of an export failed: %v %v\n%s", err, rep2.Errors, out.String())
		}
		if d := Compare(r, back); !d.Empty() {
			var b bytes.Buffer
			d.WriteText(&b)
			t.Fatalf("round trip changed the roster:\n%s", b.String())
		}
	})
}
