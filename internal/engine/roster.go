package engine

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"phonetree/internal/audit"
	"phonetree/internal/roster"
	"phonetree/internal/seal"
	"phonetree/internal/store"
)

// chunkSize is the plaintext size of one sealed roster chunk.
const chunkSize = 4 << 20

// chunker seals what is written to it in chunks of chunkSize bytes.
type chunker struct {
	key    *seal.Key
	buf    []byte
	chunks [][]byte
}

func (c *chunker) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		take := min(len(p), chunkSize-len(c.buf))
		c.buf = append(c.buf, p[:take]...)
		p = p[take:]
		if len(c.buf) == chunkSize {
			c.flush()
		}
	}
	return n, nil
}

func (c *chunker) flush() {
	if len(c.buf) > 0 {
		c.chunks = append(c.chunks, c.key.Seal(c.buf, chunkAD(len(c.chunks))))
		c.buf = c.buf[:0]
	}
}

func chunkAD(n int) []byte { return []byte("roster chunk " + strconv.Itoa(n)) }

// sealRoster encodes r and seals it in chunks.
func sealRoster(key *seal.Key, r *roster.Roster) ([][]byte, error) {
	c := &chunker{key: key, buf: make([]byte, 0, chunkSize)}
	if err := roster.Encode(c, r); err != nil {
		return nil, err
	}
	c.flush()
	return c.chunks, nil
}

// blindIndex is the keyed HMAC of every mobile and voice number of r, with
// the person who has it: how inbound messages find people. The MACs share
// one array: a million people make up to two million of them.
func blindIndex(key *seal.Key, r *roster.Roster) []store.IndexEntry {
	n := 0
	for i := range r.People {
		mobile, voice := numbers(&r.People[i])
		n += min(len(mobile), 1) + min(len(voice), 1)
	}
	index := key.Indexer()
	out, macs := make([]store.IndexEntry, 0, n), make([]byte, 0, n*seal.IndexSize)
	for i := range r.People {
		mobile, voice := numbers(&r.People[i])
		for _, num := range []string{mobile, voice} {
			if num != "" {
				macs = index(macs, num)
				out = append(out, store.IndexEntry{MAC: macs[len(macs)-seal.IndexSize : len(macs) : len(macs)], Idx: int32(i)})
			}
		}
	}
	return out
}

// numbers are p's numbers to index: the voice number only if it is not the mobile.
func numbers(p *roster.Person) (mobile, voice string) {
	if p.Voice == p.Mobile {
		return p.Mobile, ""
	}
	return p.Mobile, p.Voice
}

// SaveRoster seals r and stores it, with its blind index, as a new roster version.
func SaveRoster(ctx context.Context, st store.Store, key *seal.Key, r *roster.Roster, v *store.RosterVersion) error {
	key = key.Snapshot() // one key for the chunks and the index
	chunks, err := sealRoster(key, r)
	if err != nil {
		return err
	}
	v.Chunks, v.People, v.Index = chunks, len(r.People), blindIndex(key, r)
	return st.SaveRosterVersion(ctx, v)
}

// ResealRoster re-seals roster version v (as read from the store, with its
// chunks) under key's primary and rebuilds its blind index, in one
// transaction; it returns how many numbers it indexed.
func ResealRoster(ctx context.Context, st store.Store, key *seal.Key, v *store.RosterVersion) (int, error) {
	ci, ok := st.(store.ContactIndex)
	if !ok {
		return 0, errors.New("reseal roster: this database keeps no blind index")
	}
	key = key.Snapshot()
	r, err := openRoster(key, v)
	if err != nil {
		return 0, err
	}
	chunks, err := sealRoster(key, r)
	if err != nil {
		return 0, err
	}
	index := blindIndex(key, r)
	return len(index), ci.ResealRoster(ctx, v.ID, chunks, index)
}

// IndexRosters builds the blind index of roster versions imported before
// there was one, and returns how many it indexed.
func IndexRosters(ctx context.Context, st store.Store, key *seal.Key) (int, error) {
	ci, ok := st.(store.ContactIndex)
	if !ok {
		return 0, errors.New("index rosters: this database keeps no blind index")
	}
	ids, err := ci.UnindexedRosters(ctx)
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		v, err := st.RosterVersion(ctx, id)
		if err != nil {
			return 0, err
		}
		if _, err := ResealRoster(ctx, st, key, v); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// LoadRoster opens roster version id (the latest for 0).
func LoadRoster(ctx context.Context, st store.Store, key *seal.Key, id int64) (*roster.Roster, *store.RosterVersion, error) {
	v, err := st.RosterVersion(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	r, err := openRoster(key, v)
	if err != nil {
		return nil, nil, err
	}
	return r, v, nil
}

// openRoster opens and decodes v's chunks, dropping them as it goes.
func openRoster(key *seal.Key, v *store.RosterVersion) (*roster.Roster, error) {
	readers := make([]io.Reader, len(v.Chunks))
	for n, c := range v.Chunks {
		plain, err := key.Open(c, chunkAD(n))
		if err != nil {
			return nil, fmt.Errorf("roster version %d chunk %d: %w", v.ID, n, err)
		}
		readers[n] = bytes.NewReader(plain)
		v.Chunks[n] = nil
	}
	r, err := roster.Decode(io.MultiReader(readers...))
	if err != nil {
		return nil, fmt.Errorf("roster version %d: %w", v.ID, err)
	}
	return r, nil
}

// ImportRoster saves r as a new roster version and records who did it in the
// audit log.
func ImportRoster(ctx context.Context, st store.Store, key *seal.Key, r *roster.Roster, v *store.RosterVersion, actor string) error {
	if err := SaveRoster(ctx, st, key, r, v); err != nil {
		return err
	}
	entry := audit.Entry{At: v.CreatedAt, Actor: actor, Action: "roster import", Subject: fmt.Sprintf("roster version %d", v.ID),
		Detail: fmt.Sprintf("%d people; %s", v.People, firstLine(v.Diff))}
	return st.Apply(ctx, &store.Batch{Audit: []audit.Entry{entry}})
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
