package store_test

import (
	"bytes"
	"crypto/rand"
	"slices"
	"testing"

	"phonetree/internal/store"
)

// TestPackIndex packs a large blind index and finds every number in it,
// the shared number of two people included, and no number not in it.
func TestPackIndex(t *testing.T) {
	var index []store.IndexEntry
	for i := range 20000 {
		mac := rand.Text()[:store.MACSize] // 26 characters, 16 kept
		index = append(index, store.IndexEntry{MAC: []byte(mac), Idx: int32(i)})
	}
	shared := index[7].MAC
	index = append(index, store.IndexEntry{MAC: shared, Idx: 3})
	rows, err := store.PackIndex(5, index)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(rows); n > store.IndexBuckets || !slices.IsSortedFunc(rows, func(a, b store.IndexRow) int { return a.Bucket - b.Bucket }) {
		t.Fatalf("%d rows, or not in bucket order", n)
	}
	for _, e := range index[:len(index)-1] {
		want := []store.Contact{{Version: 5, Idx: e.Idx}}
		if bytes.Equal(e.MAC, shared) {
			want = []store.Contact{{Version: 5, Idx: 3}, {Version: 5, Idx: 7}}
		}
		b := store.IndexBucket(e.MAC)
		i, _ := slices.BinarySearchFunc(rows, b, func(r store.IndexRow, b int) int { return r.Bucket - b })
		if got := store.SearchIndex(rows[i:i+1], [][]byte{e.MAC}); !slices.Equal(got, want) {
			t.Fatalf("%s: found %v, want %v", e.MAC, got, want)
		}
	}
	if got := store.SearchIndex(rows, [][]byte{[]byte("not in the index")}); got != nil {
		t.Fatalf("a number not in the index found %v", got)
	}
	if _, err := store.PackIndex(5, []store.IndexEntry{{MAC: []byte("short")}}); err == nil {
		t.Fatal("a MAC of 5 bytes was packed")
	}
}
