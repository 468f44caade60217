package storefault_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"stele/store"
	"stele/store/storefault"
)

var md = store.Metadata{ContentType: "application/octet-stream"}

func newDir(t *testing.T, root string) *store.Dir {
	t.Helper()
	d, err := store.NewDir(root)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// writes is a fixed sequence of write calls, one of each kind, and the
// key each one concerns.
var writes = []struct {
	op  storefault.Op
	key string
	do  func(ctx context.Context, s store.Store) error
}{
	{storefault.OpCreate, "tile/0/000", func(ctx context.Context, s store.Store) error {
		return s.Create(ctx, "tile/0/000", []byte("tile"), md)
	}},
	{storefault.OpPut, "history", func(ctx context.Context, s store.Store) error {
		return s.Put(ctx, "history", []byte("[1]"), md)
	}},
	{storefault.OpSync, "", func(ctx context.Context, s store.Store) error { return s.Sync(ctx) }},
	{storefault.OpSwap, "checkpoint", func(ctx context.Context, s store.Store) error {
		return s.Swap(ctx, "checkpoint", "", []byte("checkpoint 1"), md)
	}},
	{storefault.OpPut, "history", func(ctx context.Context, s store.Store) error {
		return s.Put(ctx, "history", []byte("[1,2]"), md)
	}},
}

// run makes every call of writes through s and returns their errors.
func run(t *testing.T, s store.Store) []error {
	t.Helper()
	errs := make([]error, len(writes))
	for i, w := range writes {
		errs[i] = w.do(t.Context(), s)
	}
	return errs
}

func TestFailWriteStrikesWriteK(t *testing.T) {
	for _, mode := range []storefault.Mode{storefault.Before, storefault.After} {
		for k := range writes {
			t.Run(fmt.Sprintf("%s/%d", mode, k+1), func(t *testing.T) {
				s := storefault.New(newDir(t, t.TempDir()), storefault.FailWrite(int64(k+1), mode))
				errs := run(t, s)
				for i, err := range errs {
					if i != k {
						if err != nil {
							t.Errorf("write %d (%s): %v, want no failure", i+1, writes[i].op, err)
						}
						continue
					}
					if !errors.Is(err, storefault.ErrInjected) {
						t.Fatalf("write %d (%s): %v, want an injected failure", i+1, writes[i].op, err)
					}
					var f *storefault.Fault
					if !errors.As(err, &f) {
						t.Fatalf("write %d: %T is not a *Fault", i+1, err)
					}
					want := storefault.Fault{Call: storefault.Call{Op: writes[k].op, Key: writes[k].key, Seq: int64(k + 1)}, Mode: mode}
					if *f != want {
						t.Errorf("fault = %+v, want %+v", *f, want)
					}
					if !strings.Contains(err.Error(), writes[k].op.String()) || !strings.Contains(err.Error(), mode.String()) {
						t.Errorf("error %q does not say what failed", err)
					}
				}
				if got := s.Writes(); got != int64(len(writes)) {
					t.Errorf("Writes() = %d, want %d", got, len(writes))
				}
				if got := s.Faults(); len(got) != 1 {
					t.Errorf("Faults() = %+v, want one", got)
				}
			})
		}
	}
}

// objectIn reads key from a fresh Dir on root: what survived the writer.
func objectIn(t *testing.T, root, key string) (string, bool) {
	t.Helper()
	o, err := newDir(t, root).Get(t.Context(), key)
	if errors.Is(err, os.ErrNotExist) {
		return "", false
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(o.Data), true
}

// crashed ends a Dir as a killed process would: writes it did not sync
// are lost.
func crashed(t *testing.T, d *store.Dir) {
	t.Helper()
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
}

// An After failure persists the write durably; a Before failure persists
// nothing. Each write is then followed by a crash that loses whatever was
// not synced.
func TestAfterPersistsBeforeDoesNot(t *testing.T) {
	ctx := t.Context()
	cases := []struct {
		name string
		key  string
		do   func(s store.Store) error
		want string
	}{
		{"Create", "a", func(s store.Store) error { return s.Create(ctx, "a", []byte("A"), md) }, "A"},
		{"Put", "b", func(s store.Store) error { return s.Put(ctx, "b", []byte("B"), md) }, "B"},
		{"Swap", "c", func(s store.Store) error { return s.Swap(ctx, "c", "", []byte("C"), md) }, "C"},
	}
	for _, tc := range cases {
		for _, mode := range []storefault.Mode{storefault.None, storefault.Before, storefault.After} {
			t.Run(tc.name+"/"+mode.String(), func(t *testing.T) {
				root := t.TempDir()
				d := newDir(t, root)
				s := storefault.New(d, storefault.FailWrite(1, mode))
				err := tc.do(s)
				if (err != nil) != (mode != storefault.None) || (err != nil && !errors.Is(err, storefault.ErrInjected)) {
					t.Fatalf("error %v with mode %s", err, mode)
				}
				// The writer itself sees the write unless it never happened.
				if _, err := s.Get(ctx, tc.key); (err == nil) == (mode == storefault.Before) {
					t.Errorf("Get after a %s failure: %v", mode, err)
				}
				crashed(t, d)
				got, ok := objectIn(t, root, tc.key)
				// Without a fault, Create and Put are not durable until a
				// Sync: the crash loses them. This is the control that
				// shows After's durability comes from the wrapper.
				wantOK := mode == storefault.After || (mode == storefault.None && tc.name == "Swap")
				if ok != wantOK || (ok && got != tc.want) {
					t.Errorf("after the crash: %q present=%v, want present=%v", got, ok, wantOK)
				}
			})
		}
	}
}

// A Sync failing After has synced; failing Before has not.
func TestSyncFault(t *testing.T) {
	for _, mode := range []storefault.Mode{storefault.Before, storefault.After} {
		t.Run(mode.String(), func(t *testing.T) {
			root := t.TempDir()
			d := newDir(t, root)
			s := storefault.New(d, storefault.FailWrite(2, mode))
			if err := s.Create(t.Context(), "x", []byte("X"), md); err != nil {
				t.Fatal(err)
			}
			if err := s.Sync(t.Context()); !errors.Is(err, storefault.ErrInjected) {
				t.Fatalf("Sync: %v, want an injected failure", err)
			}
			crashed(t, d)
			if _, ok := objectIn(t, root, "x"); ok != (mode == storefault.After) {
				t.Errorf("object present=%v after a Sync failing %s", ok, mode)
			}
		})
	}
}

// An inner failure is reported as it is, never disguised as injected.
func TestInnerErrorPassesThrough(t *testing.T) {
	ctx := t.Context()
	s := storefault.New(newDir(t, t.TempDir()), storefault.FailWrite(2, storefault.After))
	if err := s.Create(ctx, "k", []byte("one"), md); err != nil {
		t.Fatal(err)
	}
	err := s.Create(ctx, "k", []byte("two"), md)
	if !errors.Is(err, store.ErrImmutable) || errors.Is(err, storefault.ErrInjected) {
		t.Errorf("Create of different bytes: %v, want ErrImmutable only", err)
	}
	err = s.Swap(ctx, "c", "\"nope\"", []byte("c"), md)
	if !errors.Is(err, store.ErrPrecondition) || errors.Is(err, storefault.ErrInjected) {
		t.Errorf("Swap with a wrong ETag: %v, want ErrPrecondition only", err)
	}
}

func TestCrashAt(t *testing.T) {
	ctx := t.Context()
	root := t.TempDir()
	d := newDir(t, root)
	s := storefault.New(d, storefault.CrashAt(2, storefault.After))
	errs := run(t, s)
	if errs[0] != nil {
		t.Fatalf("write 1: %v", errs[0])
	}
	for i, err := range errs[1:] {
		if !errors.Is(err, storefault.ErrInjected) {
			t.Errorf("write %d after the crash: %v, want an injected failure", i+2, err)
		}
	}
	faults := s.Faults()
	if len(faults) != len(writes)-1 || faults[0].Mode != storefault.After || faults[1].Mode != storefault.Before {
		t.Errorf("faults = %+v", faults)
	}
	// Reads still work and see the writes that happened.
	if _, err := s.Get(ctx, "history"); err != nil {
		t.Errorf("Get after the crash: %v", err)
	}
	crashed(t, d)
	// Write 2 (Put history) landed, write 4 (Swap) never did; write 1 was
	// made durable by the After sync of write 2.
	if got, ok := objectIn(t, root, "history"); !ok || got != "[1]" {
		t.Errorf("history = %q, %v; want the After write", got, ok)
	}
	if _, ok := objectIn(t, root, "tile/0/000"); !ok {
		t.Errorf("write 1 was lost")
	}
	if _, ok := objectIn(t, root, "checkpoint"); ok {
		t.Errorf("a write after the crash landed")
	}
}

func TestFailRead(t *testing.T) {
	ctx := t.Context()
	s := storefault.New(newDir(t, t.TempDir()), storefault.FailRead(2))
	if err := s.Put(ctx, "a", []byte("A"), md); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "a"); err != nil {
		t.Errorf("read 1: %v", err)
	}
	_, err := s.List(ctx, "")
	var f *storefault.Fault
	if !errors.As(err, &f) || f.Op != storefault.OpList || f.Seq != 2 || errors.Is(err, os.ErrNotExist) {
		t.Errorf("read 2: %v, want an injected List failure that is not a not-found", err)
	}
	if o, err := s.Get(ctx, "a"); err != nil || string(o.Data) != "A" {
		t.Errorf("read 3: %q, %v", o.Data, err)
	}
	if s.Reads() != 3 || s.Writes() != 1 {
		t.Errorf("Reads, Writes = %d, %d; want 3, 1", s.Reads(), s.Writes())
	}
}

// An After read failure drops the answer of a read that happened.
func TestFailReadAfter(t *testing.T) {
	ctx := t.Context()
	s := storefault.New(newDir(t, t.TempDir()), storefault.FailKey(storefault.OpGet, "a", storefault.After))
	if err := s.Put(ctx, "a", []byte("A"), md); err != nil {
		t.Fatal(err)
	}
	if o, err := s.Get(ctx, "a"); !errors.Is(err, storefault.ErrInjected) || o.Data != nil {
		t.Errorf("Get: %q, %v; want no data and an injected failure", o.Data, err)
	}
}

func TestFailKeyOnce(t *testing.T) {
	ctx := t.Context()
	s := storefault.New(newDir(t, t.TempDir()), storefault.Once(storefault.FailKey(storefault.OpPut, "h", storefault.Before)))
	if err := s.Put(ctx, "other", []byte("1"), md); err != nil {
		t.Errorf("Put of another key: %v", err)
	}
	if err := s.Put(ctx, "h", []byte("1"), md); !errors.Is(err, storefault.ErrInjected) {
		t.Errorf("first Put of h: %v, want an injected failure", err)
	}
	if err := s.Put(ctx, "h", []byte("2"), md); err != nil {
		t.Errorf("second Put of h: %v, want none (Once)", err)
	}
	if err := s.Create(ctx, "h2", []byte("1"), md); err != nil {
		t.Errorf("Create: %v", err)
	}
}

func TestStrings(t *testing.T) {
	for _, tc := range []struct{ got, want string }{
		{storefault.OpSwap.String(), "Swap"},
		{storefault.Op(99).String(), "Op(99)"},
		{storefault.After.String(), "after"},
		{storefault.Mode(7).String(), "Mode(7)"},
		{(&storefault.Fault{Call: storefault.Call{Op: storefault.OpSync, Seq: 3}, Mode: storefault.Before}).Error(),
			"storefault: injected failure before Sync (write 3)"},
		{(&storefault.Fault{Call: storefault.Call{Op: storefault.OpGet, Key: "k", Seq: 1}, Mode: storefault.Before}).Error(),
			`storefault: injected failure before Get "k" (read 1)`},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// A clone is independent of its original, both ways.
func TestMemClone(t *testing.T) {
	ctx := t.Context()
	m := storefault.NewMem()
	if err := m.Put(ctx, "a", []byte("1"), md); err != nil {
		t.Fatal(err)
	}
	c := m.Clone()
	if err := m.Put(ctx, "a", []byte("2"), md); err != nil {
		t.Fatal(err)
	}
	if err := c.Create(ctx, "b", []byte("3"), md); err != nil {
		t.Fatal(err)
	}
	if o, err := c.Get(ctx, "a"); err != nil || string(o.Data) != "1" {
		t.Errorf("clone's a = %q, %v; want the value at the time of the clone", o.Data, err)
	}
	if _, err := m.Get(ctx, "b"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("original's b: %v, want not found", err)
	}
	if got := strings.Join(c.Keys(), ","); got != "a,b" {
		t.Errorf("clone's keys %q", got)
	}
	// A Swap against the version cloned works on the clone only.
	oa, err := c.Get(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Swap(ctx, "a", oa.ETag, []byte("4"), md); err != nil {
		t.Errorf("Swap on the clone: %v", err)
	}
	if err := m.Swap(ctx, "a", oa.ETag, []byte("4"), md); !errors.Is(err, store.ErrPrecondition) {
		t.Errorf("Swap on the original with the clone's version: %v, want ErrPrecondition", err)
	}
}

// Mem is durable at every write: a crash (dropping the Mem without a
// Sync) loses nothing, so an After failure and a success leave the same
// state.
func TestMemAfterFault(t *testing.T) {
	m := storefault.NewMem()
	s := storefault.New(m, storefault.FailWrite(1, storefault.After))
	if err := s.Create(t.Context(), "k", []byte("v"), md); !errors.Is(err, storefault.ErrInjected) {
		t.Fatalf("Create: %v", err)
	}
	if o, err := m.Get(t.Context(), "k"); err != nil || string(o.Data) != "v" {
		t.Errorf("after an After failure: %q, %v", o.Data, err)
	}
}
