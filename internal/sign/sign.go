// Package sign proves bulletins genuine: each is signed with the instance's
// Ed25519 key over its canonical content, so a copy of a message can be
// checked against /verify/{id} or `phonetree verify`, and a bulletin edited
// in the database no longer verifies.
package sign

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"

	"phonetree/internal/store"
)

// Content is what a signature covers: everything a recipient is told.
type Content struct {
	ID            int64  `json:"id"`
	Incident      int64  `json:"incident"`
	Kind          string `json:"kind"`
	Status        string `json:"status"`
	Title         string `json:"title"`
	Body          string `json:"body"`
	Mode          string `json:"mode"`
	Spec          string `json:"spec"` // short text, script, responses, audience, policy
	RosterVersion int64  `json:"roster_version"`
	CreatedAt     int64  `json:"created_at"`
}

// Canonical is the signed bytes of a bulletin.
func Canonical(b *store.Bulletin) []byte {
	out, _ := json.Marshal(Content{ID: b.ID, Incident: b.Incident, Kind: b.Kind, Status: b.Status, Title: b.Title,
		Body: b.Body, Mode: b.Mode, Spec: b.Policy, RosterVersion: b.RosterVersion, CreatedAt: b.CreatedAt})
	return append([]byte("phonetree bulletin v1\n"), out...)
}

// Sign signs a bulletin.
func Sign(priv ed25519.PrivateKey, b *store.Bulletin) []byte { return ed25519.Sign(priv, Canonical(b)) }

// Verify reports whether sig is the key's signature of the bulletin as it is now.
func Verify(pub ed25519.PublicKey, b *store.Bulletin, sig []byte) bool {
	return len(pub) == ed25519.PublicKeySize && ed25519.Verify(pub, Canonical(b), sig)
}

// Fingerprint is a short, readable digest of a public key, printed on call
// sheets and the dashboard so people can tell the real instance's key.
func Fingerprint(pub ed25519.PublicKey) string {
	h := sha256.Sum256(pub)
	x := strings.ToUpper(hex.EncodeToString(h[:10]))
	var parts []string
	for i := 0; i < len(x); i += 4 {
		parts = append(parts, x[i:i+4])
	}
	return strings.Join(parts, "-")
}
