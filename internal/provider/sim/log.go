package sim

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"phonetree/internal/provider"
)

// logLine is one hand-over in the carrier's log. A duplicate hand-over (the
// same key again) is logged with Dup set: the crash tests count them.
type logLine struct {
	Key   string           `json:"key"`
	At    int64            `json:"at,omitempty"`
	Dup   bool             `json:"dup,omitempty"`
	Msg   provider.Message `json:"msg,omitzero"`
	Epoch int64            `json:"epoch,omitempty"` // first line only: when the simulated world began
}

// OpenLog keeps the carrier's record of sends in a file outside the
// engine's database, as a real carrier keeps its own: sends survive the
// engine's process dying, so after a restart the sim still deduplicates
// every key it has seen and still delivers every reply it owes (replies
// already delivered come again; the engine ignores duplicates). It returns
// the world's epoch: the time of the log's first opening (now, if new).
func (p *Provider) OpenLog(path string, now time.Time) (time.Time, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	epoch := now
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return epoch, fmt.Errorf("sim log: %w", err)
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	n := 0
	for sc.Scan() {
		n++
		var l logLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			// a line cut short by a crash mid-write is the log's end
			break
		}
		switch {
		case l.Epoch != 0:
			epoch = time.Unix(0, l.Epoch)
		case l.Dup:
			p.sends[l.Key]++
		default:
			p.sends[l.Key]++
			p.schedule(l.Msg, time.Unix(0, l.At))
		}
	}
	if err := sc.Err(); err != nil {
		f.Close()
		return epoch, fmt.Errorf("sim log %s: %w", path, err)
	}
	p.log = f
	if n == 0 {
		return epoch, p.write(logLine{Epoch: epoch.UnixNano()})
	}
	return epoch, nil
}

func (p *Provider) write(l logLine) error {
	if p.log == nil {
		return nil
	}
	b, err := json.Marshal(l)
	if err != nil {
		return err
	}
	_, err = p.log.Write(append(b, '\n')) // one write: a kill -9 leaves it whole or cut at the end
	return err
}

func (p *Provider) logSend(m provider.Message, at time.Time) error {
	if p.log == nil {
		return nil
	}
	// what the replies depend on, and no contact data
	m.To, m.Text = "", ""
	cl := make([]provider.Callee, len(m.CallList))
	for i, c := range m.CallList {
		cl[i] = provider.Callee{Recipient: c.Recipient}
		if c.Number != "" {
			cl[i].Number = "-" // has a number; which one is not the log's business
		}
	}
	m.CallList = cl
	return p.write(logLine{Key: m.Key, At: at.UnixNano(), Msg: m})
}

func (p *Provider) logDuplicate(key string) { _ = p.write(logLine{Key: key, Dup: true}) }

// CloseLog closes the send log.
func (p *Provider) CloseLog() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.log == nil {
		return nil
	}
	err := p.log.Close()
	p.log = nil
	return err
}

// ReadLog reads a send log and returns how many times each key was handed
// over (duplicates included), for checks from outside the process.
func ReadLog(path string) (map[string]int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var l logLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return out, errors.New("sim log: a damaged line before the end")
		}
		if l.Key != "" {
			out[l.Key]++
		}
	}
	return out, sc.Err()
}
