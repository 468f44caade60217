package akd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
)

// Options tune a verification. The zero Options (or nil) uses all cores
// and the default limits.
type Options struct {
	// Workers bounds the goroutines decoding and hashing at once (while
	// decoding, the calling goroutine also reads the stream and finds the
	// elements' boundaries); 0 means GOMAXPROCS, 1 verifies on the
	// calling goroutine only (for callers that run many verifications in
	// parallel themselves).
	Workers int
	// Limits bound the proof Verify decodes.
	Limits Limits
}

func (o *Options) workers() int {
	if o == nil || o.Workers <= 0 {
		return runtime.GOMAXPROCS(0)
	}
	return o.Workers
}

func (o *Options) limits() Limits {
	if o == nil {
		return Limits{}
	}
	return o.Limits
}

// Result describes a verification that ran to the comparison of the roots.
type Result struct {
	// Previous and Current are the roots rebuilt for epochs E-1 and E.
	Previous, Current [32]byte
	// Inserted and Unchanged count the proof's elements.
	Inserted, Unchanged int
	// Bytes is the size of the decoded proof (Verify only).
	Bytes int64
	// Compressions counts the BLAKE3 compressions run (one per 64-byte
	// block of every hash input).
	Compressions uint64
}

// ErrEpoch is returned for a target epoch of 0: the first step is 0 -> 1.
var ErrEpoch = errors.New("akd: the target epoch of a step must be at least 1")

// VerifyStep verifies that p proves the step from root prev at epoch E-1
// to root cur at epoch E = epoch. It returns a *ViolationError when it
// does not, with the rebuilt roots in the Result as well when they were
// rebuilt. p is not modified.
func VerifyStep(cfg Config, p *Proof, epoch uint64, prev, cur [32]byte, opts *Options) (Result, error) {
	if err := checkArgs(cfg, epoch); err != nil {
		return Result{}, err
	}
	s := new(store)
	for i := range p.Inserted {
		s.add(&p.Inserted[i], true)
	}
	for i := range p.Unchanged {
		s.add(&p.Unchanged[i], false)
	}
	res := Result{Inserted: len(p.Inserted), Unchanged: len(p.Unchanged)}
	d := newDigester(cfg, epoch, opts.workers())
	for c := 0; c*chunkLen < s.n; c++ {
		d.submit(s.chunks[c])
	}
	res.Compressions = d.wait()
	return finish(context.Background(), cfg, s, prev, cur, opts.workers(), res)
}

// Verify decodes a proof from r as it arrives and verifies it as
// VerifyStep does. The per-element hashes are computed while the rest of
// the proof is still being read; with more than one worker the workers
// also parse the elements (see decodeParallel). Besides *ViolationError
// and *MalformedError it returns ctx's error, or r's, wrapped.
func Verify(ctx context.Context, r io.Reader, cfg Config, epoch uint64, prev, cur [32]byte, opts *Options) (Result, error) {
	if err := checkArgs(cfg, epoch); err != nil {
		return Result{}, err
	}
	s := new(store)
	var res Result
	if w := opts.workers(); w > 1 {
		n, sinks, ins, err := decodeParallel(ctx, r, opts.limits(), s, w, decodeBlockSize, func() itemSink { return newElementHasher(cfg, epoch) })
		res.Bytes, res.Inserted, res.Unchanged = n, ins, s.n-ins
		for _, sink := range sinks {
			res.Compressions += sink.(*elementHasher).compressions()
		}
		if err != nil {
			return res, err
		}
		return finish(ctx, cfg, s, prev, cur, w, res)
	}
	d := newDigester(cfg, epoch, opts.workers())
	submitted := 0
	n, err := decodeStream(r, opts.limits(), func(inserted bool, e *Element) error {
		s.add(e, inserted)
		if inserted {
			res.Inserted++
		} else {
			res.Unchanged++
		}
		if s.n%chunkLen == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			d.submit(s.chunks[submitted])
			submitted++
		}
		return nil
	})
	if submitted*chunkLen < s.n {
		d.submit(s.chunks[submitted])
	}
	res.Compressions = d.wait()
	res.Bytes = n
	if err != nil {
		return res, err
	}
	return finish(ctx, cfg, s, prev, cur, opts.workers(), res)
}

func checkArgs(cfg Config, epoch uint64) error {
	if !cfg.valid() {
		return errors.New("akd: invalid configuration")
	}
	if epoch == 0 {
		return ErrEpoch
	}
	return nil
}

// digester computes element digests on a pool of goroutines (or inline,
// for one worker).
type digester struct {
	cfg    Config
	epoch  uint64
	jobs   chan []item
	wg     sync.WaitGroup
	mu     sync.Mutex
	blocks uint64
	inline *elementHasher
}

func newDigester(cfg Config, epoch uint64, workers int) *digester {
	d := &digester{cfg: cfg, epoch: epoch}
	if workers <= 1 {
		d.inline = newElementHasher(cfg, epoch)
		return d
	}
	d.jobs = make(chan []item, 2*workers)
	for w := 0; w < workers; w++ {
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			eh := newElementHasher(cfg, epoch)
			for items := range d.jobs {
				eh.digest(items)
			}
			d.mu.Lock()
			d.blocks += eh.compressions()
			d.mu.Unlock()
		}()
	}
	return d
}

func (d *digester) submit(items []item) {
	if d.inline != nil {
		d.inline.digest(items)
		return
	}
	d.jobs <- items
}

// wait waits for every submitted job and returns the compressions run.
func (d *digester) wait() uint64 {
	if d.inline != nil {
		return d.inline.compressions()
	}
	close(d.jobs)
	d.wg.Wait()
	return d.blocks
}

// finish orders the elements, rebuilds both roots and compares them.
func finish(ctx context.Context, cfg Config, s *store, prev, cur [32]byte, workers int, res Result) (Result, error) {
	if err := ctx.Err(); err != nil {
		return res, err
	}
	k := newConstants(cfg)
	perm := labelOrderN(s, workers)
	pb := &parallelBuild{s: s, perm: perm, cfg: cfg, k: k, minTask: max(s.n/(8*workers), 1024)}
	if workers > 1 {
		pb.sem = make(chan struct{}, workers-1)
	}
	var top pairResult
	if s.n > 0 {
		var err error
		top, err = pb.solve(0, s.n)
		if err != nil {
			return res, err
		}
	}
	b := pb.get()
	res.Previous = b.root(&top.r1)
	res.Current = b.root(&top.r2)
	pb.put(b)
	res.Compressions += pb.compressions()
	switch {
	case res.Previous != prev && res.Current != cur:
		return res, rootMismatch("neither root rebuilds", res)
	case res.Previous != prev:
		return res, rootMismatch("the previous root does not rebuild", res)
	case res.Current != cur:
		return res, rootMismatch("the current root does not rebuild", res)
	}
	return res, nil
}

func rootMismatch(reason string, res Result) error {
	return &ViolationError{Kind: RootMismatch, Reason: reason, Roots: true,
		ComputedPrevious: res.Previous, ComputedCurrent: res.Current}
}

// String formats a result for people.
func (r Result) String() string {
	return fmt.Sprintf("%d inserted, %d unchanged, previous root %x, current root %x",
		r.Inserted, r.Unchanged, r.Previous, r.Current)
}
