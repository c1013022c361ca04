package auth

import (
	"fmt"
	"strings"
)

// Role is what an operator is trusted with.
type Role string

// The roles.
const (
	Admin     Role = "admin"     // everything, including the roster and accounts
	Commander Role = "commander" // sends and cancels bulletins, works call tasks
	Approver  Role = "approver"  // approves bulletins (two-person rule), reads
	Caller    Role = "caller"    // works call tasks and records acks, reads
	Viewer    Role = "viewer"    // reads
)

// Roles lists every role.
var Roles = []Role{Admin, Commander, Approver, Caller, Viewer}

// ParseRole reads a role name.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == strings.ToLower(s) {
			return r, nil
		}
	}
	return "", fmt.Errorf("unknown role %q (want admin, commander, approver, caller or viewer)", s)
}

// Permission is one thing a route does.
type Permission uint8

// The permissions.
const (
	Read         Permission = iota // see bulletins, the tree, recipients, call tasks
	WorkCalls                      // mark people reached, record acks, open and close call tasks
	Send                           // send and cancel bulletins
	Approve                        // approve a bulletin under the two-person rule
	ManageRoster                   // import roster versions
)

var permissionNames = [...]string{"read", "work calls", "send", "approve", "manage roster"}

func (p Permission) String() string { return permissionNames[p] }

var grants = map[Role][]Permission{
	Admin:     {Read, WorkCalls, Send, Approve, ManageRoster},
	Commander: {Read, WorkCalls, Send},
	Approver:  {Read, Approve},
	Caller:    {Read, WorkCalls},
	Viewer:    {Read},
}

// Can reports whether role r has permission p.
func (r Role) Can(p Permission) bool {
	for _, g := range grants[r] {
		if g == p {
			return true
		}
	}
	return false
}
