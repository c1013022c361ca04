package seal

import (
	"crypto/hmac"
	"crypto/sha256"
)

// MAC returns the HMAC-SHA256 of msg under a key derived from k for purpose
// (for example "ack link" or "csrf"), so one secret serves several uses
// without a tag made for one being valid for another.
func (k *Key) MAC(purpose string, msg []byte) []byte {
	d := hmac.New(sha256.New, k.raw)
	d.Write([]byte("phonetree mac v1: " + purpose))
	m := hmac.New(sha256.New, d.Sum(nil))
	m.Write(msg)
	return m.Sum(nil)
}
