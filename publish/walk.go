package publish

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"sort"
	"sync"

	"stele/record"
	"stele/source"
)

// walk follows the source's chain from the epoch after the last record:
// listing epoch by epoch (by number and name linkage, never by listing
// order), verifying proofs in parallel, and appending records in epoch
// order. It stops at the first epoch with no object (unchecked when the
// next epoch has one: a gap in the chain), at a violation
// (appended as evidence), at anything it could not check (nothing from
// that epoch on is appended; the error is returned), at
// max_epochs_per_run, or when the time budget runs out.
func (r *nsRun) walk(ctx, budget context.Context) error {
	wctx, cancel := context.WithCancel(budget)
	defer cancel()
	workers := r.j.cfg.Workers
	sem := newWeighted(r.j.cfg.MaxBytesInFlight)
	slots := make(chan struct{}, workers)
	queue := make(chan chan verdict, 2*workers)

	next := r.last.Epoch + 1
	prev, err := hex.DecodeString(r.last.Digest)
	if err != nil || len(prev) != 32 {
		return fmt.Errorf("%w: last record's digest %q", ErrCorrupt, r.last.Digest)
	}
	go func() {
		defer close(queue)
		var want [32]byte
		copy(want[:], prev)
		for n := 0; r.ns.MaxEpochsPerRun == 0 || n < r.ns.MaxEpochsPerRun; n++ {
			e := next + uint64(n)
			if wctx.Err() != nil {
				return
			}
			ch := make(chan verdict, 1)
			objs, err := r.src.List(wctx, e)
			end := true // whether the chain ends here for this run
			switch {
			case err != nil:
				ch <- verdict{kind: verdictUnchecked, epoch: e, err: fmt.Errorf("listing epoch %d: %w", e, err)}
			case len(objs) == 0:
				// A gap, not the end, when the epoch after it is there:
				// e is missing (or its listing is stale), so the run could
				// not check it and must say so (exit 3).
				later, lerr := r.src.List(wctx, e+1)
				switch {
				case lerr != nil:
					ch <- verdict{kind: verdictUnchecked, epoch: e, err: fmt.Errorf("listing epoch %d: %w", e+1, lerr)}
				case len(later) == 0:
					return // nothing newer published yet
				default:
					ch <- verdict{kind: verdictUnchecked, epoch: e, err: fmt.Errorf("no proof object for epoch %d, though epoch %d has one: %w", e, e+1, os.ErrNotExist)}
				}
			case len(objs) > 1:
				go func() { ch <- r.twoObjects(wctx, e, objs) }()
			case objs[0].Prev != want:
				go func() { ch <- r.chainBreak(wctx, objs[0], want) }()
			default:
				end = false
				obj := objs[0]
				want = obj.Cur
				weight := obj.Size
				if weight < 0 || weight > r.ns.MaxProofBytes {
					weight = r.ns.MaxProofBytes
				}
				weight = min(weight, r.j.cfg.MaxBytesInFlight)
				if !sem.acquire(wctx, weight) {
					return
				}
				select {
				case slots <- struct{}{}:
				case <-wctx.Done():
					sem.release(weight)
					return
				}
				// Read no more than listed: the bytes in flight are what
				// the semaphore counted, and an object that grew since
				// the listing ends unchecked (retried), not verified.
				limit := r.ns.MaxProofBytes
				if obj.Size >= 0 {
					limit = min(limit, obj.Size)
				}
				go func() {
					defer func() { <-slots; sem.release(weight) }()
					ch <- checkProof(wctx, r.src, r.cfg, obj, limit, workers)
				}()
			}
			select {
			case queue <- ch:
			case <-wctx.Done():
				return
			}
			if end {
				return
			}
		}
	}()

	var stop error
	for ch := range queue {
		if stop != nil {
			continue // drain: the producer has been cancelled
		}
		v := <-ch
		r.sum.BytesRead += v.size
		if v.err != nil && budget.Err() != nil {
			cancel() // the budget ran out, or the run was stopped: not a verdict
			stop = errBudget
			if ctx.Err() != nil {
				stop = ctx.Err() // stopped (a signal): exit 3, not a finished run
			}
			continue
		}
		if err := r.take(ctx, v); err != nil {
			stop = err
			cancel()
		}
	}
	if stop == errBudget {
		r.j.log.Info("time budget reached; publishing what was done", "namespace", r.ns.Name)
		return nil
	}
	if stop == nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return stop
}

var errBudget = fmt.Errorf("time budget reached")

// take turns one verdict into a record, in epoch order. It returns an
// error to stop the walk: errViolation after appending evidence, the
// unchecked cause otherwise.
func (r *nsRun) take(ctx context.Context, v verdict) error {
	switch v.kind {
	case verdictVerified:
		obj := v.objs[0]
		rec := &record.Record{
			Kind:           record.KindVerified,
			Namespace:      r.ns.Name,
			Epoch:          v.epoch,
			PreviousDigest: hex.EncodeToString(obj.Prev[:]),
			Digest:         hex.EncodeToString(obj.Cur[:]),
			Proofs:         []record.Proof{proofOf(obj, v.sums[obj.Name])},
			Configuration:  r.ns.Configuration,
			Domain:         r.ns.Domain,
		}
		if err := r.sign(rec); err != nil {
			return err
		}
		return r.appendRecord(ctx, rec)
	case verdictViolation:
		rec := &record.Record{
			Kind:          record.KindViolation,
			Namespace:     r.ns.Name,
			Epoch:         v.epoch,
			Configuration: r.ns.Configuration,
			Domain:        r.ns.Domain,
			VerifiedAt:    r.j.opts.Now().UnixMilli(),
			Reason:        v.reason,
		}
		obj := v.objs[0]
		rec.PreviousDigest = hex.EncodeToString(obj.Prev[:])
		rec.Digest = hex.EncodeToString(obj.Cur[:])
		for _, o := range v.objs {
			rec.Proofs = append(rec.Proofs, proofOf(o, v.sums[o.Name]))
		}
		if v.computedPrev != nil {
			rec.ComputedPrevious = hex.EncodeToString(v.computedPrev[:])
			rec.ComputedDigest = hex.EncodeToString(v.compCur[:])
		}
		r.j.log.Error("violation", "namespace", r.ns.Name, "epoch", v.epoch, "reason", v.reason)
		if err := r.appendRecord(ctx, rec); err != nil {
			return err
		}
		return fmt.Errorf("%w at epoch %d", errViolation, v.epoch)
	default:
		r.sum.Unchecked++
		return fmt.Errorf("epoch %d unchecked (the next run retries): %w", v.epoch, v.err)
	}
}

// twoObjects is the verdict on an epoch that two objects claim: a
// contradiction, once both have been read in full for the evidence.
func (r *nsRun) twoObjects(ctx context.Context, e uint64, objs []source.Object) verdict {
	sort.Slice(objs, func(i, j int) bool { return objs[i].Name < objs[j].Name })
	v := verdict{kind: verdictViolation, epoch: e, objs: objs[:2],
		reason: fmt.Sprintf("two proof objects claim epoch %d: %s and %s", e, objs[0].Name, objs[1].Name)}
	return r.evidence(ctx, v)
}

// chainBreak is the verdict on an epoch whose proof does not start where
// the previous epoch ended.
func (r *nsRun) chainBreak(ctx context.Context, obj source.Object, want [32]byte) verdict {
	v := verdict{kind: verdictViolation, epoch: obj.Epoch, objs: []source.Object{obj},
		reason: fmt.Sprintf("the proof of epoch %d starts from %x, but epoch %d ended at %x", obj.Epoch, obj.Prev, obj.Epoch-1, want)}
	return r.evidence(ctx, v)
}

// evidence reads the objects of a violation in full and records their
// sizes and hashes; an object that cannot be read makes the epoch
// unchecked instead (no accusation without complete bytes).
func (r *nsRun) evidence(ctx context.Context, v verdict) verdict {
	v.sums = map[string][32]byte{}
	for i, o := range v.objs {
		rc, err := r.src.Open(ctx, o.Name)
		if err != nil {
			return verdict{kind: verdictUnchecked, epoch: v.epoch, err: fmt.Errorf("fetching %s: %w", o.Name, err)}
		}
		h := sha256.New()
		n, err := io.Copy(h, source.LimitReader(rc, r.ns.MaxProofBytes))
		rc.Close()
		if err != nil {
			return verdict{kind: verdictUnchecked, epoch: v.epoch, err: fmt.Errorf("reading %s: %w", o.Name, err)}
		}
		var sum [32]byte
		copy(sum[:], h.Sum(nil))
		v.sums[o.Name] = sum
		v.objs[i].Size = n
		v.size += n
	}
	return v
}

// weighted is a counting semaphore over bytes.
type weighted struct {
	mu   sync.Mutex
	cond *sync.Cond
	free int64
}

func newWeighted(n int64) *weighted {
	w := &weighted{free: n}
	w.cond = sync.NewCond(&w.mu)
	return w
}

// acquire takes n (at most the capacity is ever asked) and reports false if
// ctx ended first.
func (w *weighted) acquire(ctx context.Context, n int64) bool {
	stop := context.AfterFunc(ctx, func() {
		w.mu.Lock()
		w.cond.Broadcast()
		w.mu.Unlock()
	})
	defer stop()
	w.mu.Lock()
	defer w.mu.Unlock()
	for w.free < n && ctx.Err() == nil {
		w.cond.Wait()
	}
	if ctx.Err() != nil {
		return false
	}
	w.free -= n
	return true
}

func (w *weighted) release(n int64) {
	w.mu.Lock()
	w.free += n
	w.cond.Broadcast()
	w.mu.Unlock()
}
