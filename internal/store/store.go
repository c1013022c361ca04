// Package store defines phonetree's durable state: roster versions, bulletins,
// recipients, the attempt outbox, the event log and call tasks. Backends
// (sqlite, postgres) implement Store; the engine speaks only to this interface.
package store

import (
	"context"
	"errors"

	"phonetree/internal/audit"
)

// ErrNotFound is returned when a requested row does not exist.
var ErrNotFound = errors.New("not found")

// RosterVersion is one imported state of the roster. Chunks hold the sealed,
// encoded roster in pieces (see roster.Encode and seal).
type RosterVersion struct {
	ID        int64
	CreatedAt int64 // unix nanoseconds
	People    int
	Diff      string
	Lint      string
	Chunks    [][]byte
	// Index is the version's blind index, written with it by a backend
	// that keeps one (see ContactIndex); not read back.
	Index []IndexEntry
}

// Bulletin is one message to an audience, with its frozen roster version.
type Bulletin struct {
	ID            int64
	Incident      int64
	Kind          string // alert, update, cancel
	Status        string // actual, exercise
	Title         string
	Body          string
	Mode          string
	Policy        string // JSON of cascade.Policy
	RosterVersion int64
	CreatedAt     int64
	State         string // running, done, cancelled
	Recipients    int
}

// Recipient is a recipient's persisted state; times are unix nanoseconds, 0 for none.
type Recipient struct {
	Bulletin int64
	Idx      int32 // the person's index in the bulletin's roster version
	State    uint8
	Method   int8
	Attempts int16
	Flags    uint8
	MethodAt int64
	HealAt   int64
	AckedAt  int64
	Response int8
}

// Recipient flags.
const (
	FlagCalleesReleased = 1 << iota
	FlagRelay
	FlagEscalated
)

// Attempt statuses.
const (
	AttemptQueued    = 0 // waiting for the rate limiter (DueAt)
	AttemptSending   = 1 // claimed by a worker until LeaseUntil
	AttemptSent      = 2
	AttemptDelivered = 3
	AttemptFailed    = 4
	AttemptWithdrawn = 5
	AttemptUnknown   = 6 // lost in a crash to a non-idempotent provider
)

// Attempt is one try to reach one recipient on one method (or, with Kind
// AttemptCallList, a relay caller's call list).
type Attempt struct {
	ID         int64
	Bulletin   int64
	Idx        int32
	Seq        int16
	Kind       uint8
	Method     string
	Status     uint8
	DueAt      int64
	LeaseUntil int64
	ProviderID string
	CreatedAt  int64
	UpdatedAt  int64
	Error      string
}

// AttemptID packs an attempt's bulletin, recipient and sequence number into
// its id: ids are deterministic (the idempotency key follows from them) and a
// recipient's attempts are one id range.
func AttemptID(bulletin int64, idx int32, seq int) int64 {
	return bulletin<<40 | int64(idx)<<12 | int64(seq)
}

// SplitAttemptID is the inverse of AttemptID.
func SplitAttemptID(id int64) (bulletin int64, idx int32, seq int) {
	return id >> 40, int32(id >> 12 & (1<<28 - 1)), int(id & (1<<12 - 1))
}

// CallListSeq is the sequence number of a relay caller's call list.
const CallListSeq = 2048

// CallTaskSeq is the sequence number of the notice that asks a human to call
// an unreached recipient (the attempt is in the recipient's id range; it goes
// to whoever the call task is assigned).
const CallTaskSeq = 2049

// Attempt kinds.
const (
	AttemptContact  = 0
	AttemptCallList = 1
	AttemptCallTask = 2
)

// Event is one entry of the event log.
type Event struct {
	Bulletin int64
	Idx      int32
	At       int64
	Kind     string
	Attempt  int64
	Detail   string
}

// CallTask is work for a human: call Subject, who has not confirmed.
type CallTask struct {
	ID        int64
	Bulletin  int64
	Assignee  int32 // person index; -1 for the operators
	Subject   int32
	CreatedAt int64
	State     string // open, done
}

// AttemptUpdate changes an attempt's status.
type AttemptUpdate struct {
	ID         int64
	Status     uint8
	ProviderID string
	LeaseUntil int64
	DueAt      int64
	At         int64
	Error      string
}

// Batch is a set of changes the engine applies atomically.
type Batch struct {
	Recipients  []Recipient // upserted by (Bulletin, Idx)
	NewAttempts []Attempt
	Attempts    []AttemptUpdate
	// WithdrawFor withdraws queued and sending attempts of these recipients.
	WithdrawFor []Recipient
	Events      []Event
	CallTasks   []CallTask
	Bulletins   []BulletinState
	// Audit entries are chained to the log's newest entry and appended.
	Audit []audit.Entry
	// Unchanged, if set, makes the batch conditional on no one else having
	// written the store: a ChangeWatcher backend applies it only while
	// ExternalChanges still returns *Unchanged, else returns ErrConflict.
	Unchanged *uint64
}

// ErrConflict is returned by Apply when another writer changed the store
// since the batch's Unchanged value was read.
var ErrConflict = errors.New("the store was changed by another writer meanwhile")

// BulletinState changes a bulletin's state.
type BulletinState struct {
	ID    int64
	State string
}

// Len is the number of changes in the batch.
func (b *Batch) Len() int {
	return len(b.Recipients) + len(b.NewAttempts) + len(b.Attempts) + len(b.WithdrawFor) +
		len(b.Events) + len(b.CallTasks) + len(b.Bulletins) + len(b.Audit)
}

// Store is durable state. All methods are safe for concurrent use.
type Store interface {
	Close() error

	SaveRosterVersion(ctx context.Context, v *RosterVersion) error
	// RosterVersion returns a version by id, or the latest with id 0.
	RosterVersion(ctx context.Context, id int64) (*RosterVersion, error)
	RosterVersions(ctx context.Context) ([]RosterVersion, error)

	// CreateBulletin inserts the bulletin and its recipients in one transaction.
	CreateBulletin(ctx context.Context, b *Bulletin, rs []Recipient) error
	Bulletin(ctx context.Context, id int64) (*Bulletin, error)
	Bulletins(ctx context.Context) ([]Bulletin, error)

	// Due returns up to limit recipients of running bulletins whose next
	// action is at or before now, oldest first.
	Due(ctx context.Context, now int64, limit int) ([]Recipient, error)
	// NextDue returns the earliest next action of any recipient or queued attempt.
	NextDue(ctx context.Context) (int64, bool, error)
	Recipients(ctx context.Context, bulletin int64, idxs []int32) ([]Recipient, error)
	AllRecipients(ctx context.Context, bulletin int64) ([]Recipient, error)
	Attempts(ctx context.Context, ids []int64) ([]Attempt, error)
	BulletinAttempts(ctx context.Context, bulletin int64) ([]Attempt, error)
	// Queued returns queued attempts due at or before now, and sending
	// attempts whose lease expired, oldest first.
	Queued(ctx context.Context, now int64, limit int) ([]Attempt, error)
	// Leased returns sending attempts whose lease expired before now.
	Leased(ctx context.Context, now int64) ([]Attempt, error)
	CallTasks(ctx context.Context, bulletin int64) ([]CallTask, error)
	Events(ctx context.Context, bulletin int64) ([]Event, error)

	Apply(ctx context.Context, b *Batch) error
}

// NextAt is when the recipient next needs the engine (0: never).
func (r *Recipient) NextAt() int64 {
	switch {
	case r.MethodAt == 0:
		return r.HealAt
	case r.HealAt == 0 || r.MethodAt < r.HealAt:
		return r.MethodAt
	}
	return r.HealAt
}

// AuditLog reads the audit log (a backend's optional interface).
type AuditLog interface {
	AuditLog(ctx context.Context, fn func(*audit.Entry) error) error
}

// SigningKey is the instance's Ed25519 key; the private half is sealed with
// the contact-data key.
type SigningKey struct {
	ID            int64
	CreatedAt     int64
	Public        []byte
	PrivateSealed []byte
}

// Signatures stores the signing key and bulletin signatures (a backend's
// optional interface).
type Signatures interface {
	SigningKey(ctx context.Context) (*SigningKey, error)
	SigningKeyByID(ctx context.Context, id int64) (*SigningKey, error)
	AddSigningKey(ctx context.Context, k *SigningKey) error
	SaveSignature(ctx context.Context, bulletin, keyID int64, sig []byte) error
	Signature(ctx context.Context, bulletin int64) (keyID int64, sig []byte, err error)
}

// SendRequest is a bulletin held for a second operator's approval.
type SendRequest struct {
	ID         int64
	CreatedAt  int64
	Requester  string
	Request    string // the bulletin as asked for (engine JSON)
	Recipients int
	State      string // awaiting approval, approving, approved, failed
	DecidedBy  string
	DecidedAt  int64
	Bulletin   int64 // once sent
}

// Approvals holds bulletins waiting for approval (a backend's optional interface).
type Approvals interface {
	AddSendRequest(ctx context.Context, r *SendRequest) error
	SendRequest(ctx context.Context, id int64) (*SendRequest, error)
	SendRequests(ctx context.Context) ([]SendRequest, error)
	DecideSendRequest(ctx context.Context, id int64, from, to, by string, at, bulletin int64) (bool, error)
}

// ChangeWatcher tells whether anyone else wrote the store (a backend's
// optional interface): ExternalChanges returns a value that changes
// whenever another connection or process commits.
type ChangeWatcher interface {
	ExternalChanges(ctx context.Context) (uint64, error)
}
