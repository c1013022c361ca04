package store

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"sort"
)

// IndexEntry is one entry of a roster version's blind index: the keyed HMAC
// of a phone number (seal.Key.Index) and the person who has that number.
type IndexEntry struct {
	MAC []byte
	Idx int32
}

// Contact is a person of a roster version, found through the blind index.
type Contact struct {
	Version int64
	Idx     int32
}

// ContactIndex finds people by phone number while the database holds no
// number, only keyed HMACs of them (a backend's optional interface). A
// backend that has it writes RosterVersion.Index with the version.
type ContactIndex interface {
	// Contacts returns the people, in every roster version, whose number
	// has one of these blind indexes.
	Contacts(ctx context.Context, macs [][]byte) ([]Contact, error)
	// ResealRoster replaces a roster version's chunks and blind index in
	// one transaction (after a key rotation).
	ResealRoster(ctx context.Context, version int64, chunks [][]byte, index []IndexEntry) error
	// UnindexedRosters lists the roster versions that have people but no
	// blind index: imported before there was one.
	UnindexedRosters(ctx context.Context) ([]int64, error)
}

// A backend stores a roster version's blind index as IndexRows: its entries
// grouped into IndexBuckets buckets by the first 12 bits of their MAC, each
// bucket one blob of fixed-size records (the MAC, then the person's index
// as 4 bytes big-endian) sorted by MAC then person. A million people make
// 4096 rows, not two million, and a lookup reads one row per version.
const (
	MACSize      = 16 // bytes of a blind index MAC
	IndexBuckets = 1 << 12
	recordSize   = MACSize + 4
)

// IndexRow is one bucket of a roster version's blind index, as stored.
type IndexRow struct {
	Version int64
	Bucket  int
	Data    []byte
}

// IndexBucket is the bucket that holds mac, which must be MACSize bytes.
func IndexBucket(mac []byte) int { return int(mac[0])<<4 | int(mac[1])>>4 }

// IndexBucketsOf lists the buckets that hold macs, each once.
func IndexBucketsOf(macs [][]byte) []int {
	var out []int
	for _, m := range macs {
		if len(m) == MACSize {
			out = append(out, IndexBucket(m))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// PackIndex packs a roster version's blind index into the rows of its
// non-empty buckets, in bucket order.
func PackIndex(version int64, index []IndexEntry) ([]IndexRow, error) {
	var count [IndexBuckets]int
	for _, e := range index {
		if len(e.MAC) != MACSize {
			return nil, fmt.Errorf("blind index: a MAC of %d bytes, not %d", len(e.MAC), MACSize)
		}
		count[IndexBucket(e.MAC)]++
	}
	var start [IndexBuckets + 1]int // record offset of each bucket in data
	for b, n := range count {
		start[b+1] = start[b] + n*recordSize
	}
	data, next := make([]byte, len(index)*recordSize), start
	for _, e := range index {
		b := IndexBucket(e.MAC)
		at := next[b]
		copy(data[at:], e.MAC)
		binary.BigEndian.PutUint32(data[at+MACSize:], uint32(e.Idx))
		next[b] += recordSize
	}
	var rows []IndexRow
	for b, n := range count {
		if n > 0 {
			blob := data[start[b]:start[b+1]:start[b+1]]
			sort.Sort(records(blob))
			rows = append(rows, IndexRow{Version: version, Bucket: b, Data: blob})
		}
	}
	return rows, nil
}

// records sorts a bucket's blob in place.
type records []byte

func (r records) Len() int { return len(r) / recordSize }
func (r records) Less(i, j int) bool {
	return bytes.Compare(r[i*recordSize:(i+1)*recordSize], r[j*recordSize:(j+1)*recordSize]) < 0
}
func (r records) Swap(i, j int) {
	var t [recordSize]byte
	a, b := r[i*recordSize:(i+1)*recordSize], r[j*recordSize:(j+1)*recordSize]
	copy(t[:], a)
	copy(a, b)
	copy(b, t[:])
}

// SearchIndex finds the people whose MAC is one of macs in rows (buckets as
// stored, any versions), ordered by version then person.
func SearchIndex(rows []IndexRow, macs [][]byte) []Contact {
	var out []Contact
	for _, r := range rows {
		for _, m := range macs {
			out = append(out, search(r, m)...)
		}
	}
	slices.SortFunc(out, func(a, b Contact) int {
		return cmp.Or(cmp.Compare(a.Version, b.Version), cmp.Compare(a.Idx, b.Idx))
	})
	return out
}

// search binary-searches one bucket for mac.
func search(r IndexRow, mac []byte) []Contact {
	n := len(r.Data) / recordSize
	at := func(i int) []byte { return r.Data[i*recordSize : (i+1)*recordSize] }
	i := sort.Search(n, func(i int) bool { return bytes.Compare(at(i)[:MACSize], mac) >= 0 })
	var out []Contact
	for ; i < n && bytes.Equal(at(i)[:MACSize], mac); i++ {
		out = append(out, Contact{Version: r.Version, Idx: int32(binary.BigEndian.Uint32(at(i)[MACSize:]))})
	}
	return out
}

// UnpackIndex reads a bucket's blob back into its entries.
func UnpackIndex(data []byte) []IndexEntry {
	out := make([]IndexEntry, 0, len(data)/recordSize)
	for ; len(data) >= recordSize; data = data[recordSize:] {
		out = append(out, IndexEntry{MAC: data[:MACSize:MACSize], Idx: int32(binary.BigEndian.Uint32(data[MACSize:]))})
	}
	return out
}

// Resealer replaces sealed secrets in place after a key rotation (a
// backend's optional interface). Each replaces the value only if it is
// still old, so a change made meanwhile is never overwritten; ok reports
// whether it did.
type Resealer interface {
	// SigningKeys lists every signing key, oldest first.
	SigningKeys(ctx context.Context) ([]SigningKey, error)
	ResealSigningKey(ctx context.Context, id int64, old, new []byte) (ok bool, err error)
	ResealTOTP(ctx context.Context, user int64, old, new []byte) (ok bool, err error)
}
