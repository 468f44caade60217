package storefault

import "fmt"

// Op is the kind of a store call.
type Op int

// The calls of store.Store.
const (
	OpGet Op = iota + 1
	OpList
	OpCreate
	OpPut
	OpSwap
	OpSync
)

var opNames = [...]string{OpGet: "Get", OpList: "List", OpCreate: "Create", OpPut: "Put", OpSwap: "Swap", OpSync: "Sync"}

func (o Op) String() string {
	if o > 0 && int(o) < len(opNames) {
		return opNames[o]
	}
	return fmt.Sprintf("Op(%d)", int(o))
}

// IsWrite reports whether o is a write call (Create, Put, Swap or Sync).
func (o Op) IsWrite() bool { return o >= OpCreate && o <= OpSync }

// Mode says whether and when a call fails.
type Mode int

const (
	// None lets the call through.
	None Mode = iota
	// Before fails the call without calling the inner store: nothing is
	// persisted.
	Before
	// After calls the inner store and, if that succeeds, syncs it so the
	// write is durable, then fails the call anyway. For a read, the inner
	// store is called and its answer dropped.
	After
)

func (m Mode) String() string {
	switch m {
	case None:
		return "none"
	case Before:
		return "before"
	case After:
		return "after"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// Call describes one call as a Plan sees it.
type Call struct {
	Op  Op
	Key string // the key, or List's prefix; "" for Sync
	// Seq is the call's number among the writes (for a write) or among the
	// reads (for a read), counted from 1.
	Seq int64
}

// A Plan decides, for each call, whether it fails and how. It is called
// once per call, in the order the calls reach the Store, with the Store's
// lock held: it must not call the Store. A nil Plan fails nothing.
type Plan func(c Call) Mode

// FailWrite fails write number k with mode m, and nothing else: a
// transient error, after which the store works again.
func FailWrite(k int64, m Mode) Plan {
	return func(c Call) Mode {
		if c.Op.IsWrite() && c.Seq == k {
			return m
		}
		return None
	}
}

// CrashAt fails write number k with mode m and every later write Before:
// the process died at write k, and nothing it tried afterwards reached the
// store. Reads keep working, so the code under test can run to its end.
func CrashAt(k int64, m Mode) Plan {
	return func(c Call) Mode {
		switch {
		case !c.Op.IsWrite() || c.Seq < k:
			return None
		case c.Seq == k:
			return m
		default:
			return Before
		}
	}
}

// FailRead fails read number k (a Get or a List) without its result.
func FailRead(k int64) Plan {
	return func(c Call) Mode {
		if !c.Op.IsWrite() && c.Seq == k {
			return Before
		}
		return None
	}
}

// FailKey fails every call op on key with mode m, such as every Swap of a
// checkpoint.
func FailKey(op Op, key string, m Mode) Plan {
	return func(c Call) Mode {
		if c.Op == op && c.Key == key {
			return m
		}
		return None
	}
}

// Once lets p fail at most one call: the first it fails. Later calls go
// through.
func Once(p Plan) Plan {
	done := false
	return func(c Call) Mode {
		if done || p == nil {
			return None
		}
		m := p(c)
		if m != None {
			done = true
		}
		return m
	}
}
