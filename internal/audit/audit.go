// Package audit is the tamper-evident log: every operator action, send,
// approval, ack and roster change is an entry whose hash covers its content
// and the previous entry's hash, so editing, inserting or removing any entry
// but the newest breaks the chain from that point on.
package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
)

// Entry is one line of the audit log.
type Entry struct {
	ID      int64  `json:"id"`
	At      int64  `json:"at_unix_nano"`
	Actor   string `json:"actor"`   // who: "cli:alice", "user:3", "recipient:E17"
	Action  string `json:"action"`  // what: "send", "cancel", "ack", "roster import", …
	Subject string `json:"subject"` // on what: "bulletin 4", "roster version 2"
	Detail  string `json:"detail"`
	Hash    string `json:"hash"` // hex SHA-256 over the previous hash and this entry
}

// Seal computes e's hash from the previous entry's hash ("" for the first).
func Seal(prev string, e *Entry) {
	e.Hash = hash(prev, e)
}

func hash(prev string, e *Entry) string {
	h := sha256.New()
	var n [8]byte
	field := func(s string) {
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	field(prev)
	binary.BigEndian.PutUint64(n[:], uint64(e.ID))
	h.Write(n[:])
	binary.BigEndian.PutUint64(n[:], uint64(e.At))
	h.Write(n[:])
	field(e.Actor)
	field(e.Action)
	field(e.Subject)
	field(e.Detail)
	return hex.EncodeToString(h.Sum(nil))
}

// Verifier checks entries one by one, in id order.
type Verifier struct {
	prev   string
	lastID int64
	n      int
}

// Check verifies the next entry; the error names the first broken link.
func (v *Verifier) Check(e *Entry) error {
	if v.n > 0 && e.ID != v.lastID+1 {
		return fmt.Errorf("audit entry %d: follows entry %d (entries %d to %d are missing)", e.ID, v.lastID, v.lastID+1, e.ID-1)
	}
	if want := hash(v.prev, e); want != e.Hash {
		return fmt.Errorf("audit entry %d (%s %s at %d): hash does not match its content or the entry before it: the log was edited", e.ID, e.Action, e.Subject, e.At)
	}
	v.prev, v.lastID = e.Hash, e.ID
	v.n++
	return nil
}

// Count is how many entries verified; Head is the newest hash (write it down
// elsewhere to detect removal of the newest entries too).
func (v *Verifier) Count() int   { return v.n }
func (v *Verifier) Head() string { return v.prev }
