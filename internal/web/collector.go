package web

import (
	"context"
	"errors"

	"phonetree/internal/provider"
)

// collector records link acks in batches: requests that arrive while one
// batch commits form the next, so under load one engine transaction records
// hundreds of acks, and at rest an ack is recorded at once. A request is
// answered only after its batch has committed: a 200 means the ack is durable.
type collector struct {
	s       *Server
	in      chan *ackRequest
	stopped chan struct{}
}

// ackRequest is one ack waiting to be recorded.
type ackRequest struct {
	attempt  int64
	response int
	reply    chan ackOutcome
}

// ackOutcome is what became of an ack.
type ackOutcome uint8

const (
	ackRecorded  ackOutcome = iota
	ackAlready              // the recipient had acked already: the link is used up
	ackCancelled            // the bulletin was cancelled
	ackUnknown              // no such recipient
	ackFailed               // the batch did not commit
)

const maxAckBatch = 1000

var errShuttingDown = errors.New("shutting down")

func newCollector(s *Server) *collector {
	return &collector{s: s, in: make(chan *ackRequest, 4*maxAckBatch), stopped: make(chan struct{})}
}

// submit queues an ack and waits until its batch is recorded.
func (c *collector) submit(ctx context.Context, req *ackRequest) (ackOutcome, error) {
	req.reply = make(chan ackOutcome, 1)
	select {
	case c.in <- req:
	case <-c.stopped:
		return ackFailed, errShuttingDown
	case <-ctx.Done():
		return ackFailed, ctx.Err()
	}
	select {
	case o := <-req.reply:
		return o, nil
	case <-c.stopped:
		select {
		case o := <-req.reply:
			return o, nil
		default:
			return ackFailed, errShuttingDown
		}
	}
}

// run records batches until ctx ends, then records what is still queued.
func (c *collector) run(ctx context.Context) error {
	defer close(c.stopped)
	work := context.WithoutCancel(ctx)
	for {
		select {
		case req := <-c.in:
			c.record(work, c.gather(req))
		case <-ctx.Done():
			for {
				select {
				case req := <-c.in:
					c.record(work, c.gather(req))
				default:
					return nil
				}
			}
		}
	}
}

// gather takes first and whatever else is already waiting.
func (c *collector) gather(first *ackRequest) []*ackRequest {
	batch := []*ackRequest{first}
	for len(batch) < maxAckBatch {
		select {
		case req := <-c.in:
			batch = append(batch, req)
		default:
			return batch
		}
	}
	return batch
}

// record delivers a batch to the engine in one call, which records each
// ack only if its recipient has not acked yet (a link works once), and
// answers everyone.
func (c *collector) record(ctx context.Context, batch []*ackRequest) {
	reports := make([]provider.Report, len(batch))
	for i, req := range batch {
		reports[i] = provider.Report{Kind: provider.Acked, AttemptID: req.attempt, Response: req.response, Source: "link"}
	}
	outs, err := c.s.cfg.Engine.DeliverAcks(ctx, reports)
	if err != nil {
		c.s.cfg.Log.Error("record link acks", "acks", len(batch), "err", err)
	}
	recorded := 0
	for i, req := range batch {
		o := ackFailed
		if err == nil {
			o = [...]ackOutcome{ackRecorded, ackAlready, ackCancelled, ackUnknown}[outs[i]]
		}
		if o == ackRecorded {
			recorded++
		}
		req.reply <- o
	}
	if recorded > 0 {
		c.s.metrics.Add("phonetree_acks_total", float64(recorded), "source", "link")
	}
	c.s.metrics.Add("phonetree_ack_batches_total", 1)
}
