package storefault

import (
	"errors"
	"fmt"
)

// ErrInjected is wrapped by every error this package injects.
var ErrInjected = errors.New("storefault: injected failure")

// Fault is an injected failure: the call it struck and how. Its Unwrap
// returns ErrInjected.
type Fault struct {
	Call
	Mode Mode
}

func (f *Fault) Error() string {
	what := "read"
	if f.Op.IsWrite() {
		what = "write"
	}
	key := ""
	if f.Key != "" || f.Op == OpList {
		key = fmt.Sprintf(" %q", f.Key)
	}
	return fmt.Sprintf("storefault: injected failure %s %s%s (%s %d)", f.Mode, f.Op, key, what, f.Seq)
}

func (f *Fault) Unwrap() error { return ErrInjected }
