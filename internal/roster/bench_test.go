package roster

import (
	"bytes"
	"io"
	"sync"
	"testing"
)

// The benchmarks work on a generated roster of a million people:
//
//	go test -run '^$' -bench 1M -benchtime 3x -benchmem ./internal/roster/
const benchPeople = 1_000_000

// bench holds the generated roster as CSV and in binary form; benchmarks
// that need a Roster decode their own, so no large roster stays live between
// benchmarks to slow the garbage collector.
var bench struct {
	once sync.Once
	csv  []byte
	bin  []byte
}

func benchData(b *testing.B) {
	b.Helper()
	bench.once.Do(func() {
		var buf bytes.Buffer
		if err := Generate(&buf, benchPeople, 1); err != nil {
			b.Fatal(err)
		}
		bench.csv = buf.Bytes()
		r, rep, err := Parse(bytes.NewReader(bench.csv), Options{})
		if err != nil || !rep.OK() {
			b.Fatalf("parse: %v, %d errors", err, len(rep.Errors))
		}
		var bin bytes.Buffer
		if err := Encode(&bin, r); err != nil {
			b.Fatal(err)
		}
		bench.bin = bin.Bytes()
	})
}

func benchRoster(b *testing.B) *Roster {
	b.Helper()
	benchData(b)
	r, err := Decode(bytes.NewReader(bench.bin))
	if err != nil {
		b.Fatal(err)
	}
	return r
}

func BenchmarkGenerate1M(b *testing.B) {
	for b.Loop() {
		if err := Generate(io.Discard, benchPeople, 1); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse1M(b *testing.B) {
	benchData(b)
	b.SetBytes(int64(len(bench.csv)))
	for b.Loop() {
		if _, _, err := Parse(bytes.NewReader(bench.csv), Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriteCSV1M(b *testing.B) {
	r := benchRoster(b)
	for b.Loop() {
		if err := WriteCSV(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncode1M(b *testing.B) {
	r := benchRoster(b)
	for b.Loop() {
		if err := Encode(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecode1M(b *testing.B) {
	benchData(b)
	b.SetBytes(int64(len(bench.bin)))
	for b.Loop() {
		if _, err := Decode(bytes.NewReader(bench.bin)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompare1M(b *testing.B) {
	old, new := benchRoster(b), benchRoster(b)
	for b.Loop() {
		if d := Compare(old, new); !d.Empty() {
			b.Fatal("diff of a roster with its copy is not empty")
		}
	}
}

// BenchmarkNormalise compares the fast path with the phonenumbers library.
func BenchmarkNormalise(b *testing.B) {
	var e164 []string
	for k := range 1000 {
		n, _ := appendUSNumber(nil, uint64(k))
		e164 = append(e164, string(n))
	}
	national := make([]string, len(e164))
	for i, s := range e164 {
		national[i] = "(" + s[2:5] + ") " + s[5:8] + "-" + s[8:]
	}
	book, err := newPhoneBook("US")
	if err != nil {
		b.Fatal(err)
	}
	run := func(name string, nums []string, normalise func(string) (string, error)) {
		b.Run(name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				if _, err := normalise(nums[i%len(nums)]); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	}
	run("e164", e164, book.normalise)
	run("national", national, book.normalise)
	run("library", e164, book.slow)
}
