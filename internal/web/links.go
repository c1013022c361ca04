package web

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"time"

	"phonetree/internal/store"
)

// A link token names one attempt and when the link stops working, signed
// with a MAC of the contact-data key: base64url(attempt id ‖ expiry ‖ MAC).
// Ack links (/a/) name a contact attempt; call-list links (/c/) a relay
// caller's list. The two use different MAC purposes, so one is never taken
// for the other.
const (
	ackPurpose  = "ack link"
	listPurpose = "call list link"
	macLen      = 16
	tokenLen    = 8 + 8 + macLen
)

var (
	errLinkBad     = errors.New("this link is not valid: check that it was copied whole")
	errLinkExpired = errors.New("this link has expired")
)

func (s *Server) linkToken(purpose string, attempt int64, expires time.Time) string {
	var b [tokenLen]byte
	binary.BigEndian.PutUint64(b[0:], uint64(attempt))
	binary.BigEndian.PutUint64(b[8:], uint64(expires.Unix()))
	copy(b[16:], s.cfg.Key.MAC(purpose, b[:16]))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// parseLink checks a token's MAC and expiry and returns its attempt id.
func (s *Server) parseLink(purpose, token string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(b) != tokenLen {
		return 0, errLinkBad
	}
	if !s.cfg.Key.VerifyMAC(purpose, b[:16], b[16:]) {
		return 0, errLinkBad
	}
	if time.Unix(int64(binary.BigEndian.Uint64(b[8:])), 0).Before(s.cfg.Clock.Now()) {
		return 0, errLinkExpired
	}
	return int64(binary.BigEndian.Uint64(b[0:])), nil
}

// AckLink is the link with which a recipient acks attempt: it works until
// LinkTTL from now, once.
func (s *Server) AckLink(attempt int64) string {
	return s.cfg.BaseURL + "/a/" + s.linkToken(ackPurpose, attempt, s.cfg.Clock.Now().Add(s.cfg.LinkTTL))
}

// CallListLink is the link to relay caller idx's call list for a bulletin.
func (s *Server) CallListLink(bulletin int64, caller int32) string {
	id := store.AttemptID(bulletin, caller, store.CallListSeq)
	return s.cfg.BaseURL + "/c/" + s.linkToken(listPurpose, id, s.cfg.Clock.Now().Add(s.cfg.LinkTTL))
}
