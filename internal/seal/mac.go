package seal

import (
	"crypto/hmac"
	"crypto/sha256"
)

// MinTag is the shortest tag VerifyMAC accepts, in bytes.
const MinTag = 16

// MAC returns the HMAC-SHA256 of msg under a key derived from the primary
// key for purpose (for example "ack link" or "csrf"), so one secret serves
// several uses without a tag made for one being valid for another.
func (k *Key) MAC(purpose string, msg []byte) []byte { return mac(k.keys()[0], purpose, msg) }

// VerifyMAC reports whether tag is msg's MAC for purpose, or its first
// len(tag) bytes (at least MinTag), under any key of the ring: a link made
// before a rotation stays valid until its key is retired. Before saying no
// it re-reads a changed key file, for tags made by a process that has
// already picked up a new key.
func (k *Key) VerifyMAC(purpose string, msg, tag []byte) bool {
	if len(tag) < MinTag {
		return false
	}
	return k.verify(purpose, msg, tag) || k.Refresh() && k.verify(purpose, msg, tag)
}

func (k *Key) verify(purpose string, msg, tag []byte) bool {
	for _, s := range k.keys() {
		if m := mac(s, purpose, msg); len(tag) <= len(m) && hmac.Equal(tag, m[:len(tag)]) {
			return true
		}
	}
	return false
}

func mac(s *secret, purpose string, msg []byte) []byte {
	d := hmac.New(sha256.New, s.raw)
	d.Write([]byte("phonetree mac v1: " + purpose))
	m := hmac.New(sha256.New, d.Sum(nil))
	m.Write(msg)
	return m.Sum(nil)
}
