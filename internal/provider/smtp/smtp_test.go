package smtp_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	crand "crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	gosmtp "github.com/emersion/go-smtp"

	"phonetree/internal/provider"
	"phonetree/internal/provider/smtp"
)

// relay is an in-process SMTP server (STARTTLS, PLAIN auth) that keeps
// what it receives and refuses recipients at refuse.invalid for good.
type relay struct {
	mu       sync.Mutex
	received []received
	addr     string
	pool     *x509.CertPool
}

type received struct {
	from string
	to   []string
	data []byte
}

type session struct {
	r    *relay
	auth bool
	cur  received
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != "phonetree" || pass != "s3cret" {
			return errors.New("invalid credentials")
		}
		s.auth = true
		return nil
	}), nil
}
func (s *session) Mail(from string, _ *gosmtp.MailOptions) error {
	if !s.auth {
		return gosmtp.ErrAuthRequired
	}
	s.cur = received{from: from}
	return nil
}
func (s *session) Rcpt(to string, _ *gosmtp.RcptOptions) error {
	if strings.HasSuffix(to, "@refuse.invalid") {
		return &gosmtp.SMTPError{Code: 550, EnhancedCode: gosmtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	s.cur.to = append(s.cur.to, to)
	return nil
}
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.data = b
	s.r.mu.Lock()
	s.r.received = append(s.r.received, s.cur)
	s.r.mu.Unlock()
	return nil
}
func (s *session) Reset()        {}
func (s *session) Logout() error { return nil }

func startRelay(t *testing.T) *relay {
	t.Helper()
	cert, pool := selfSigned(t)
	r := &relay{pool: pool}
	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(*gosmtp.Conn) (gosmtp.Session, error) { return &session{r: r}, nil }))
	srv.Domain = "localhost"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r.addr = ln.Addr().String()
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return r
}

func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), crand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), DNSNames: []string{"localhost"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(crand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(c)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

// links stands in for the web package's signed /a/{token} links: the token
// names the attempt and carries an HMAC, so a link maps back to it.
type links struct{ key []byte }

func (l links) link(attempt int64) string {
	id := strconv.FormatInt(attempt, 10)
	mac := hmac.New(sha256.New, l.key)
	mac.Write([]byte(id))
	return "https://phonetree.example.org/a/" + id + "." + hex.EncodeToString(mac.Sum(nil))[:32]
}

func (l links) resolve(u string) (int64, error) {
	id, _, ok := strings.Cut(strings.TrimPrefix(u, "https://phonetree.example.org/a/"), ".")
	n, err := strconv.ParseInt(id, 10, 64)
	if !ok || err != nil || l.link(n) != u {
		return 0, fmt.Errorf("link %q: not ours", u)
	}
	return n, nil
}

func newProvider(t *testing.T, r *relay, l links) *smtp.Provider {
	t.Helper()
	host, port, _ := net.SplitHostPort(r.addr)
	pn, _ := strconv.Atoi(port)
	p, err := smtp.New(smtp.Config{Host: host, Port: pn, Username: "phonetree", Password: "s3cret",
		From: "Acme Incident Line <incident@acme-alerts.example>", TLS: "mandatory",
		TLSConfig: &tls.Config{RootCAs: r.pool, ServerName: "localhost"}, Link: l.link})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// parts reads a received message: its headers and its text and HTML parts.
func parts(t *testing.T, data []byte) (*mail.Message, map[string]string) {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("content type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	out := map[string]string{}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		out[ct] = string(b)
	}
	return msg, out
}

var linkPattern = regexp.MustCompile(`https://phonetree\.example\.org/a/[0-9]+\.[0-9a-f]+`)

func TestRecipientRefusedIsPermanent(t *testing.T) {
	r := startRelay(t)
	p := newProvider(t, r, links{key: []byte("k")})
	_, err := p.Send(context.Background(), provider.Message{AttemptID: 7, Key: "pt-7", Method: "email", To: "nobody@refuse.invalid", Text: "T: x Reply 1 Safe."})
	if provider.Classify(err) != provider.Permanent {
		t.Errorf("refused recipient: %v, want permanent", err)
	}
	if _, err := p.Send(context.Background(), provider.Message{AttemptID: 8, Method: "email", To: "not an address", Text: "x"}); provider.Classify(err) != provider.Permanent {
		t.Errorf("bad address: %v, want permanent", err)
	}
}

func TestRelayDownIsRetried(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	host, port, _ := net.SplitHostPort(addr)
	pn, _ := strconv.Atoi(port)
	p, err := smtp.New(smtp.Config{Host: host, Port: pn, From: "a@b.example", TLS: "none", Link: links{}.link, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.Send(context.Background(), provider.Message{AttemptID: 1, Method: "email", To: "x@y.example", Text: "x"}); provider.Classify(err) != provider.Retry {
		t.Errorf("relay down: %v, want retry", err)
	}
	if _, err := smtp.New(smtp.Config{Host: "h", From: "a@b.example", TLS: "sometimes", Link: links{}.link}); err == nil {
		t.Error("unknown TLS setting accepted")
	}
}
