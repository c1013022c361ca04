package web

import (
	"testing"
	"time"

	"phonetree/internal/seal"
)

// FuzzLinkToken feeds arbitrary tokens to the ack-link parser: it must
// never panic, and accept only tokens this server minted.
func FuzzLinkToken(f *testing.F) {
	key, err := seal.NewKey(make([]byte, seal.KeySize))
	if err != nil {
		f.Fatal(err)
	}
	s := &Server{cfg: Config{Key: key, Clock: fixedClock{time.Unix(1_800_000_000, 0)}}}
	good := s.linkToken("ack", 1<<40|5<<12|1, time.Unix(1_900_000_000, 0))
	f.Add(good)
	f.Add("")
	f.Add("AAAA")
	f.Add(good[:len(good)-1] + "A")
	f.Fuzz(func(t *testing.T, token string) {
		id, err := s.parseLink("ack", token)
		if err == nil && token != good && id != 1<<40|5<<12|1 {
			t.Fatalf("accepted a token it did not mint: %q -> %d", token, id)
		}
	})
}

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t }
