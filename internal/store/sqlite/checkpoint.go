package sqlite

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// The writer's commits do not copy the write-ahead log back into the
// database file: a checkpointer does, from a reading connection, while the
// writer goes on (a passive checkpoint never blocks a writer), so that copy
// and its fsync run beside the engine instead of inside its commits. The
// writer's own automatic checkpoint stays as a backstop, at a log size the
// checkpointer should never let it reach.

const (
	checkpointEvery = 100 * time.Millisecond // at most this often: a page rewritten meanwhile is copied once
	backstopPages   = 65536                  // the writer checkpoints itself past this (256 MB of log)
)

type checkpointer struct {
	db       *sql.DB
	kick     chan struct{}
	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once
}

func startCheckpointer(db *sql.DB) *checkpointer {
	c := &checkpointer{db: db, kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go c.loop()
	return c
}

func (c *checkpointer) loop() {
	defer close(c.done)
	pause := time.NewTimer(0)
	for {
		select {
		case <-c.stop:
			return
		case <-c.kick:
		}
		// A failed checkpoint (a reader holding an old snapshot, say) is
		// retried at the next kick; the backstop bounds the log meanwhile.
		c.db.ExecContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)")
		pause.Reset(checkpointEvery)
		select {
		case <-c.stop:
			return
		case <-pause.C:
		}
	}
}

// wrote tells the checkpointer that a commit added to the log.
func (c *checkpointer) wrote() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *checkpointer) close() {
	c.stopOnce.Do(func() { close(c.stop) })
	<-c.done
}
