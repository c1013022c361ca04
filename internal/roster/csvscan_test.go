package roster

import (
	"encoding/csv"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

// TestScannerAgreesWithEncodingCSV reads well-formed CSV with both.
func TestScannerAgreesWithEncodingCSV(t *testing.T) {
	inputs := []string{
		"a,b,c\n1,2,3\n",
		"a,b,c\r\n1,2,3\r\n",
		"a,b\n1,2",
		"a,b\n\n\n1,2\n\r\n3,4\n",
		"a,b,\n,,\n",
		`"a","b ""quoted""",c` + "\n" + `"multi` + "\n" + `line","x,y",z` + "\n",
		"\"crlf\r\ninside\",b\r\n1,2\r\n",
		"a, b ,c \n 1,2 , 3\n",
		"only\n",
		"a,\"\"\n\"\",b\n",
		"x\ry,z\n",
	}
	for _, in := range inputs {
		cr := csv.NewReader(strings.NewReader(in))
		cr.FieldsPerRecord = -1
		sc := newCSVScanner(in)
		for {
			want, err := cr.Read()
			wantLine, _ := cr.FieldPos(0)
			got, line, gotErr := sc.next()
			if err == io.EOF {
				if gotErr != io.EOF {
					t.Errorf("%q: scanner gives %q after the end", in, got)
				}
				break
			}
			if err != nil {
				t.Fatalf("%q: encoding/csv: %v", in, err)
			}
			if gotErr != nil || !reflect.DeepEqual(got, want) || line != wantLine {
				t.Errorf("%q: got %q line %d (%v), want %q line %d", in, got, line, gotErr, want, wantLine)
			}
		}
	}
}

func TestScannerErrors(t *testing.T) {
	tests := []struct {
		in   string
		want error
		bad  int
		next []string // the record after the bad one
	}{
		{"a,b\"c,d\ne,f\n", errBareQuote, 1, []string{"e", "f"}},
		{"\"a\"b,c\ne,f\n", errAfterQuote, 0, []string{"e", "f"}},
		{"a,\"open\ne,f\n", errOpenQuote, 1, nil},
	}
	for _, tt := range tests {
		sc := newCSVScanner(tt.in)
		_, line, err := sc.next()
		if !errors.Is(err, tt.want) || sc.bad != tt.bad || line != 1 {
			t.Errorf("%q: error %v at field %d line %d, want %v at field %d", tt.in, err, sc.bad, line, tt.want, tt.bad)
		}
		rec, _, err := sc.next()
		if tt.next == nil && err != io.EOF || tt.next != nil && !reflect.DeepEqual(rec, tt.next) {
			t.Errorf("%q: after the bad record got %q, %v", tt.in, rec, err)
		}
	}
}
