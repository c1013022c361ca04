package web

import (
	"context"
	"errors"

	"phonetree/internal/cascade"
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
	bulletin int64
	idx      int32
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

// record checks each ack against its recipient's state (a link works
// once), delivers the rest to the engine in one call, and answers everyone.
func (c *collector) record(ctx context.Context, batch []*ackRequest) {
	outcomes := make([]ackOutcome, len(batch))
	states, err := c.states(ctx, batch)
	var reports []provider.Report
	if err == nil {
		seen := map[int64]bool{}
		for i, req := range batch {
			k := req.bulletin<<32 | int64(req.idx)
			st, ok := states[k]
			switch {
			case !ok:
				outcomes[i] = ackUnknown
			case seen[k] || st == cascade.Acked:
				outcomes[i] = ackAlready
			case st == cascade.Cancelled:
				outcomes[i] = ackCancelled
			default:
				seen[k] = true
				reports = append(reports, provider.Report{Kind: provider.Acked, AttemptID: req.attempt, Response: req.response, Source: "link"})
			}
		}
		if len(reports) > 0 {
			err = c.s.cfg.Engine.Deliver(ctx, reports)
		}
	}
	if err != nil {
		c.s.cfg.Log.Error("record link acks", "acks", len(batch), "err", err)
	}
	for i, req := range batch {
		if err != nil && outcomes[i] == ackRecorded {
			outcomes[i] = ackFailed
		}
		req.reply <- outcomes[i]
	}
	if err == nil {
		c.s.metrics.Add("phonetree_acks_total", float64(len(reports)), "source", "link")
		c.s.metrics.Add("phonetree_ack_batches_total", 1)
	}
}

// states reads the batch's recipients' states.
func (c *collector) states(ctx context.Context, batch []*ackRequest) (map[int64]cascade.State, error) {
	per := map[int64][]int32{}
	for _, req := range batch {
		per[req.bulletin] = append(per[req.bulletin], req.idx)
	}
	out := make(map[int64]cascade.State, len(batch))
	for b, idxs := range per {
		rs, err := c.s.cfg.Store.ReadRecipients(ctx, b, idxs)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			out[b<<32|int64(r.Idx)] = cascade.State(r.State)
		}
	}
	return out, nil
}
