package engine

import (
	"bytes"
	"context"
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
	key     *seal.Key
	version string
	buf     []byte
	chunks  [][]byte
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

// SaveRoster seals r and stores it as a new roster version.
func SaveRoster(ctx context.Context, st store.Store, key *seal.Key, r *roster.Roster, v *store.RosterVersion) error {
	c := &chunker{key: key, buf: make([]byte, 0, chunkSize)}
	if err := roster.Encode(c, r); err != nil {
		return err
	}
	c.flush()
	v.Chunks, v.People = c.chunks, len(r.People)
	return st.SaveRosterVersion(ctx, v)
}

// LoadRoster opens roster version id (the latest for 0).
func LoadRoster(ctx context.Context, st store.Store, key *seal.Key, id int64) (*roster.Roster, *store.RosterVersion, error) {
	v, err := st.RosterVersion(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	readers := make([]io.Reader, len(v.Chunks))
	for n, c := range v.Chunks {
		plain, err := key.Open(c, chunkAD(n))
		if err != nil {
			return nil, nil, fmt.Errorf("roster version %d chunk %d: %w", v.ID, n, err)
		}
		readers[n] = bytes.NewReader(plain)
		v.Chunks[n] = nil
	}
	r, err := roster.Decode(io.MultiReader(readers...))
	if err != nil {
		return nil, nil, fmt.Errorf("roster version %d: %w", v.ID, err)
	}
	return r, v, nil
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
