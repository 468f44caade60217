package publish_test

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"stele/layout"
	"stele/publish"
	"stele/store"
	"stele/store/storefault"
)

// The crash-safety test of the design's "Writing safely": a run that fails
// at any write, before or after the write persisted, or dies there, leaves
// a site that the next clean run completes, with every record exactly once.

// faultSite is the state every case starts from: a site where a first
// run published 6 epochs of each namespace, and sources that have 6 more.
type faultSite struct {
	*jobSite
	// fresh copies the base site for one case; the function it returns
	// opens the copy as a new process would, and the closer it returns
	// ends that process (losing the writes it did not sync).
	fresh func(t *testing.T) opener
	want  map[string]string   // the records the second run must leave
	ref   map[string][][]byte // the records of a clean second run, byte for byte
	// writes and reads are the store calls a clean second run makes.
	writes, reads int64
}

type opener func() (st store.Store, end func())

// Backends of the fault cases: "mem" is an object store where every write
// is durable when it returns, as on S3, and copies cost nothing; "dir" is
// the local directory store, with its deferred visibility and its syncs.
const (
	backendMem = "mem"
	backendDir = "dir"
)

func newFaultSite(t *testing.T, backend string) *faultSite {
	t.Helper()
	s := newJobSite(t, 6, specWA, specEX)
	s.logger = nil // hundreds of runs
	f := &faultSite{jobSite: s, want: map[string]string{}, ref: map[string][][]byte{}}
	var sum publish.Summary
	switch backend {
	case backendMem:
		base := storefault.NewMem()
		sum = s.runOn(base, s.now, publish.Options{})
		f.fresh = func(t *testing.T) opener {
			m := base.Clone()
			return func() (store.Store, func()) { return m, func() {} }
		}
	case backendDir:
		sum = s.run()
		f.fresh = func(t *testing.T) opener {
			dir := copySite(t, s.dir)
			return func() (store.Store, func()) {
				d := openDirStore(t, dir)
				return d, func() { d.Close() }
			}
		}
	}
	if sum.ExitCode != 0 {
		t.Fatalf("first run: %+v", sum)
	}
	s.extend(6)

	// A clean second run, counting its calls.
	open := f.fresh(t)
	st, end := open()
	fst := storefault.New(st, nil)
	sum = s.runOn(fst, s.now, publish.Options{})
	end()
	if sum.ExitCode != 0 {
		t.Fatalf("clean second run: %+v", sum)
	}
	f.writes, f.reads = fst.Writes(), fst.Reads()
	st, end = open()
	defer end()
	for _, sp := range s.specs {
		a := s.rootOf(sp.name)
		f.want[sp.name] = chain(a.Epoch, a.Epoch+12)
		f.ref[sp.name] = s.wantLog(st, sp.name, f.want[sp.name]).raw
	}
	t.Logf("%s: a clean second run makes %d writes and %d reads", backend, f.writes, f.reads)
	return f
}

// copySite copies a site directory, store bookkeeping included, to a new
// temporary directory.
func copySite(t testing.TB, from string) string {
	t.Helper()
	to := t.TempDir()
	if err := os.CopyFS(to, os.DirFS(from)); err != nil {
		t.Fatalf("copying the site: %v", err)
	}
	return to
}

// forTest is the fixture with t as its test.
func (f *faultSite) forTest(t *testing.T) *jobSite {
	s := *f.jobSite
	s.t = t
	return &s
}

// runAt runs the job once on a store opened by open, at time now.
func (s *jobSite) runAt(open opener, now time.Time) publish.Summary {
	st, end := open()
	defer end()
	return s.runOn(st, now, publish.Options{})
}

// faultCase runs the second run on a copy of the base site with plan, then
// what an operator's next runs would do, and checks the outcome.
func (f *faultSite) faultCase(t *testing.T, plan storefault.Plan, crash bool) {
	s := f.forTest(t)
	open := f.fresh(t)

	st, end := open()
	fst := storefault.New(st, plan)
	s.runOn(fst, s.now, publish.Options{}) // any outcome but a panic
	end()
	faults := fst.Faults()
	if len(faults) == 0 {
		t.Fatalf("no fault injected (the run made %d writes, %d reads)", fst.Writes(), fst.Reads())
	}

	// The next scheduled run, at the same time.
	sum := s.runAt(open, s.now)
	sameClock := true
	for _, n := range sum.Namespaces {
		switch {
		case n.Result == publish.ResultOK:
		case n.Result == publish.ResultUnchecked && strings.Contains(n.Error, publish.ErrLeaseHeld.Error()):
			// The failed run left its lease: only a dead process, or a
			// failure on the lease itself, may do that.
			if !crash && !onLease(faults[0], n.Name) {
				t.Errorf("%s: the lease is still held after %v", n.Name, faults[0])
			}
			sameClock = false
			t.Logf("%s: the lease outlived the run that failed at %v", n.Name, faults[0])
		default:
			t.Fatalf("%s after %v: next run %s: %s", n.Name, faults[0], n.Result, n.Error)
		}
	}
	if !sameClock {
		// The lease expires: a run after its TTL completes the work.
		sum = s.runAt(open, s.now.Add(s.config().LeaseTTL.Duration+time.Minute))
		for _, n := range sum.Namespaces {
			if n.Result != publish.ResultOK {
				t.Fatalf("%s after %v, once the lease expired: %s: %s", n.Name, faults[0], n.Result, n.Error)
			}
		}
	}

	st, end = open()
	defer end()
	for _, sp := range s.specs {
		p := s.wantLog(st, sp.name, f.want[sp.name])
		// At the same clock the records are the clean run's, byte for
		// byte: leftovers were adopted, never re-signed differently.
		if sameClock && !slices.EqualFunc(p.raw, f.ref[sp.name], slices.Equal) {
			t.Errorf("%s: the records differ from a clean run's", sp.name)
		}
		if _, err := st.Get(t.Context(), layout.LogPrefix(sp.name)+layout.ArchivedCheckpoint(13)); err != nil {
			t.Errorf("%s: the final checkpoint is not archived: %v", sp.name, err)
		}
	}
}

// onLease reports whether a fault struck the lease of namespace ns.
func onLease(f storefault.Fault, ns string) bool {
	return f.Key == layout.LogPrefix(ns)+layout.Lock
}

// strides say which crash points a loop runs: point k runs when
// k % stride == 1 (stride 1: every point; 0: none).
type strides struct{ fail, crash int64 }

func (st strides) pick(k, stride int64) bool {
	return stride == 1 || (stride > 1 && k%stride == 1)
}

// writeStrides: on the object store every write fails once in each mode,
// and the process dies at every other one; the directory store (whose
// copies and syncs cost a few hundred milliseconds a case) runs a sample;
// -short runs fewer.
var writeStrides = map[string][2]strides{ // full, -short
	backendMem: {{fail: 1, crash: 2}, {fail: 3, crash: 5}},
	backendDir: {{fail: 6, crash: 3}, {fail: 0, crash: 10}},
}

// TestFaultAtEveryWrite fails the second run at each of its writes, in
// each mode, once as a transient error and once as the death of the
// process.
func TestFaultAtEveryWrite(t *testing.T) {
	for _, backend := range []string{backendMem, backendDir} {
		t.Run(backend, func(t *testing.T) {
			f := newFaultSite(t, backend)
			sample := writeStrides[backend][0]
			if testing.Short() {
				sample = writeStrides[backend][1]
			}
			for k := int64(1); k <= f.writes; k++ {
				for _, mode := range []storefault.Mode{storefault.Before, storefault.After} {
					if sample.pick(k, sample.fail) {
						t.Run(fmt.Sprintf("fail/%s/%d", mode, k), func(t *testing.T) {
							f.faultCase(t, storefault.FailWrite(k, mode), false)
						})
					}
					if sample.pick(k, sample.crash) {
						t.Run(fmt.Sprintf("crash/%s/%d", mode, k), func(t *testing.T) {
							f.faultCase(t, storefault.CrashAt(k, mode), true)
						})
					}
				}
			}
		})
	}
}

// TestFaultAtEveryRead fails each read of the second run once (every
// third under -short).
func TestFaultAtEveryRead(t *testing.T) {
	f := newFaultSite(t, backendMem)
	for k := int64(1); k <= f.reads; k++ {
		if testing.Short() && k%3 != 1 {
			continue
		}
		t.Run(fmt.Sprint(k), func(t *testing.T) {
			f.faultCase(t, storefault.FailRead(k), false)
		})
	}
}

// swapLanded fails the first Swap of key after it lands and, when
// blind, every later Get of key too: the run cannot learn that its
// checkpoint is published.
func swapLanded(key string, blind bool) storefault.Plan {
	swapped := false
	return func(c storefault.Call) storefault.Mode {
		switch {
		case c.Op == storefault.OpSwap && c.Key == key && !swapped:
			swapped = true
			return storefault.After
		case c.Op == storefault.OpGet && c.Key == key && swapped && blind:
			return storefault.Before
		}
		return storefault.None
	}
}

// A checkpoint swap that lands but whose answer is lost: the run finds
// its own checkpoint stored and completes; if it cannot read it back, it
// reports it could not complete, and the next run finds the checkpoint
// already published. No record is appended twice.
func TestFaultCheckpointSwapLanded(t *testing.T) {
	for _, backend := range []string{backendMem, backendDir} {
		if backend == backendDir && testing.Short() {
			continue
		}
		f := newFaultSite(t, backend)
		for _, sp := range f.specs {
			for _, blind := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/%s/blind=%v", backend, sp.name, blind), func(t *testing.T) {
					s := f.forTest(t)
					open := f.fresh(t)
					st, end := open()
					fst := storefault.New(st, swapLanded(layout.LogPrefix(sp.name)+publish.CheckpointKey, blind))
					sum := s.runOn(fst, s.now, publish.Options{})
					end()
					if !blind {
						wantResult(t, sum, sp.name, publish.ResultOK, 0)
					} else {
						n := wantResult(t, sum, sp.name, publish.ResultUnchecked, 3)
						if !strings.Contains(n.Error, storefault.ErrInjected.Error()) {
							t.Errorf("error %q does not name the failure", n.Error)
						}
					}
					// The swap landed: the log already has every record.
					st, end = open()
					s.wantLog(st, sp.name, f.want[sp.name])
					end()

					n := wantResult(t, s.runAt(open, s.now), sp.name, publish.ResultOK, 0)
					if n.EpochsVerified != 0 {
						t.Errorf("the next run verified %d epochs again", n.EpochsVerified)
					}
					st, end = open()
					defer end()
					p := s.wantLog(st, sp.name, f.want[sp.name])
					if !slices.EqualFunc(p.raw, f.ref[sp.name], slices.Equal) {
						t.Errorf("the records differ from a clean run's")
					}
					if _, err := st.Get(t.Context(), layout.LogPrefix(sp.name)+layout.ArchivedCheckpoint(13)); err != nil {
						t.Errorf("the checkpoint is not archived: %v", err)
					}
				})
			}
		}
	}
}

// The fault cases are not vacuous: a run that fails at its first write
// publishes nothing and says so, and the log stays the first run's.
func TestFaultControl(t *testing.T) {
	f := newFaultSite(t, backendMem)
	s := f.forTest(t)
	open := f.fresh(t)
	st, end := open()
	defer end()
	sum := s.runOn(storefault.New(st, storefault.CrashAt(1, storefault.Before)), s.now, publish.Options{})
	if sum.ExitCode != 3 {
		t.Errorf("a run that could write nothing: exit %d", sum.ExitCode)
	}
	for _, n := range sum.Namespaces {
		if n.Result != publish.ResultUnchecked || n.EpochsVerified != 0 {
			t.Errorf("%s: a run that could write nothing: %+v", n.Name, n)
		}
	}
	for _, sp := range s.specs {
		a := s.rootOf(sp.name)
		if got := shape(s.check(st, sp.name).recs); got != chain(a.Epoch, a.Epoch+6) {
			t.Errorf("%s after a failed run: %s", sp.name, got)
		}
	}
}

// A lease swap that lands but whose answer is lost leaves the lease
// taken by this run: the run goes on rather than block the namespace
// until the lease expires.
func TestFaultLeaseSwapLanded(t *testing.T) {
	f := newFaultSite(t, backendMem)
	s := f.forTest(t)
	open := f.fresh(t)
	st, end := open()
	defer end()
	plan := storefault.Once(storefault.FailKey(storefault.OpSwap, layout.LogPrefix("wa")+layout.Lock, storefault.After))
	fst := storefault.New(st, plan)
	sum := s.runOn(fst, s.now, publish.Options{})
	if len(fst.Faults()) != 1 {
		t.Fatalf("faults: %v", fst.Faults())
	}
	for _, sp := range s.specs {
		wantResult(t, sum, sp.name, publish.ResultOK, 0)
		s.wantLog(st, sp.name, f.want[sp.name])
	}
	// The lease was released: the next run is not blocked.
	wantResult(t, s.runOn(st, s.now, publish.Options{}), "wa", publish.ResultOK, 0)
}
