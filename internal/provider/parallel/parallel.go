// Package parallel hands a batch of messages to their providers at once,
// a bounded number in flight. A carrier's API answers in tens to hundreds
// of milliseconds, so one send at a time caps a run at a few messages a
// second whatever the rate limits allow; in parallel, the rate limits set
// the pace again. Providers must be safe for concurrent use (sim, twilio,
// smtp, webhook and failover are).
package parallel

import (
	"context"
	"fmt"
	"sync"

	"phonetree/internal/provider"
)

// Result is one message's outcome, as Send returned it.
type Result struct {
	ID  string
	Err error
}

// DefaultWorkers is how many sends are in flight at once by default.
const DefaultWorkers = 32

// Send hands each msgs[i] to pick(msgs[i]) with up to workers sends in
// flight, and returns the results in the order of msgs. A nil provider
// yields a permanent error for that message.
func Send(ctx context.Context, msgs []provider.Message, pick func(provider.Message) provider.Provider, workers int) []Result {
	out := make([]Result, len(msgs))
	if workers <= 0 {
		workers = DefaultWorkers
	}
	workers = min(workers, len(msgs))
	if workers <= 1 {
		for i, m := range msgs {
			out[i] = sendOne(ctx, m, pick(m))
		}
		return out
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i] = sendOne(ctx, msgs[i], pick(msgs[i]))
			}
		}()
	}
	for i := range msgs {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

func sendOne(ctx context.Context, m provider.Message, p provider.Provider) Result {
	if p == nil {
		return Result{Err: &provider.Error{Kind: provider.Permanent, Err: fmt.Errorf("no provider configured for %s", m.Method)}}
	}
	if err := ctx.Err(); err != nil {
		return Result{Err: &provider.Error{Kind: provider.Retry, Err: err}}
	}
	id, err := p.Send(ctx, m)
	return Result{ID: id, Err: err}
}
