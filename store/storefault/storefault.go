package storefault

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"stele/store"
)

// Store is a store.Store that passes calls to an inner store unless its
// Plan fails them. It is safe for concurrent use; calls are numbered in the
// order they take its lock. With a nil Plan it behaves exactly as the
// inner store (and passes its conformance suite), counting calls.
type Store struct {
	inner store.Store

	mu     sync.Mutex
	plan   Plan
	writes int64
	reads  int64
	faults []Fault
}

var _ store.Store = (*Store)(nil)

// New wraps inner with plan (nil: fail nothing).
func New(inner store.Store, plan Plan) *Store {
	return &Store{inner: inner, plan: plan}
}

// Writes is the number of write calls (Create, Put, Swap, Sync) made so far,
// failed ones included.
func (s *Store) Writes() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writes
}

// Reads is the number of read calls (Get, List) made so far, failed ones
// included.
func (s *Store) Reads() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reads
}

// Faults returns the failures injected so far, in order.
func (s *Store) Faults() []Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.faults)
}

// decide numbers a call and asks the plan about it.
func (s *Store) decide(op Op, key string) (Call, Mode) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := Call{Op: op, Key: key}
	if op.IsWrite() {
		s.writes++
		c.Seq = s.writes
	} else {
		s.reads++
		c.Seq = s.reads
	}
	m := None
	if s.plan != nil {
		m = s.plan(c)
	}
	if m != None {
		s.faults = append(s.faults, Fault{Call: c, Mode: m})
	}
	return c, m
}

// write runs one write call under the plan.
func (s *Store) write(ctx context.Context, op Op, key string, do func() error) error {
	c, m := s.decide(op, key)
	if m == Before {
		return &Fault{Call: c, Mode: m}
	}
	if err := do(); err != nil || m == None {
		return err // an inner failure persisted nothing: report it as it is
	}
	// After: make the write durable, then lose the answer. Swap and Sync
	// are durable when they return.
	if op == OpCreate || op == OpPut {
		if err := s.inner.Sync(ctx); err != nil {
			return fmt.Errorf("%w (and syncing it failed: %w)", &Fault{Call: c, Mode: m}, err)
		}
	}
	return &Fault{Call: c, Mode: m}
}

// Get implements store.Store.
func (s *Store) Get(ctx context.Context, key string) (store.Object, error) {
	c, m := s.decide(OpGet, key)
	if m == Before {
		return store.Object{}, &Fault{Call: c, Mode: m}
	}
	o, err := s.inner.Get(ctx, key)
	if m == After && err == nil {
		return store.Object{}, &Fault{Call: c, Mode: m}
	}
	return o, err
}

// List implements store.Store.
func (s *Store) List(ctx context.Context, prefix string) ([]string, error) {
	c, m := s.decide(OpList, prefix)
	if m == Before {
		return nil, &Fault{Call: c, Mode: m}
	}
	keys, err := s.inner.List(ctx, prefix)
	if m == After && err == nil {
		return nil, &Fault{Call: c, Mode: m}
	}
	return keys, err
}

// Create implements store.Store.
func (s *Store) Create(ctx context.Context, key string, data []byte, md store.Metadata) error {
	return s.write(ctx, OpCreate, key, func() error { return s.inner.Create(ctx, key, data, md) })
}

// Put implements store.Store.
func (s *Store) Put(ctx context.Context, key string, data []byte, md store.Metadata) error {
	return s.write(ctx, OpPut, key, func() error { return s.inner.Put(ctx, key, data, md) })
}

// Swap implements store.Store.
func (s *Store) Swap(ctx context.Context, key, etag string, data []byte, md store.Metadata) error {
	return s.write(ctx, OpSwap, key, func() error { return s.inner.Swap(ctx, key, etag, data, md) })
}

// Sync implements store.Store.
func (s *Store) Sync(ctx context.Context) error {
	return s.write(ctx, OpSync, "", func() error { return s.inner.Sync(ctx) })
}
