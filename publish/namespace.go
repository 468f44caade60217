package publish

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"time"

	"stele/akd"
	"stele/layout"
	"stele/record"
	"stele/source"
	"stele/store"
)

// nsRun is one run over one namespace.
type nsRun struct {
	j      *Job
	ns     *Namespace
	sum    *NamespaceSummary
	st     store.Store // the log's root: logs/<ns>/
	origin string
	cfg    akd.Config
	src    source.Source
	log    *Log

	first, last *record.Record   // entry 0 and the last entry, as appended so far
	added       []*record.Record // appended by this run, in order
	pending     [][]byte         // encoded records not yet handed to the log
	// heldBack is an unsigned leftover record (a violation) that was not
	// adopted, at the index the next record takes: nothing shows that this
	// publisher wrote it, so its epoch is verified again (appendRecord).
	heldBack *record.Record
	lease    *lease // held while the run writes
	stopErr  error  // why the walk stopped early (unchecked)
}

// appendBatch is how many records are handed to the log at a time: one
// partial tile per batch, so batches keep the object count down.
const appendBatch = 256

func (j *Job) runNamespace(ctx, budget context.Context, ns *Namespace) (s NamespaceSummary) {
	wall := time.Now()
	req0, w0 := j.site.snapshot()
	real0, counted := requestsOf(j.site.Store)
	s.Name = ns.Name
	r := &nsRun{j: j, ns: ns, sum: &s, st: store.Sub(j.site, layout.LogPrefix(ns.Name)), origin: j.cfg.Origin + "/" + ns.Name}
	err := r.run(ctx, budget)
	switch {
	case err == nil:
		s.Result = ResultOK
	case errors.Is(err, ErrConfig):
		s.Result = ResultConfig
	case errors.Is(err, errViolation), errors.Is(err, ErrCorrupt), errors.Is(err, errSplitView):
		s.Result = ResultViolation
	default:
		s.Result = ResultUnchecked
	}
	if err != nil {
		s.Error = err.Error()
		j.log.Warn("namespace not complete", "namespace", ns.Name, "result", s.Result, "err", err)
	}
	s.Status = r.status()
	if r.log != nil {
		s.LogSize = r.log.Published().Size
	}
	req, w := j.site.snapshot()
	s.Requests, s.ObjectsWritten = req.sub(req0), w-w0
	if real, ok := requestsOf(j.site.Store); ok && counted {
		s.Requests = real.sub(real0) // namespaces run one at a time, each ending synced
	}
	if r.src != nil {
		if sr, ok := requestsOf(r.src); ok {
			s.SourceRequests = sr
		}
	}
	s.DurationMS = float64(time.Since(wall).Microseconds()) / 1000
	return s
}

// errViolation marks a namespace that holds (or just received) evidence
// of a violation: exit 1.
var errViolation = errors.New("violation")

func (r *nsRun) run(ctx, budget context.Context) error {
	var err error
	if r.cfg, err = akd.ParseConfig(r.ns.Configuration, r.ns.Domain); err != nil {
		return fmt.Errorf("%w: %v", ErrConfig, err)
	}
	anchor, err := ParseAnchor(r.ns.Root)
	if err != nil {
		return fmt.Errorf("%w: root: %v", ErrConfig, err)
	}
	if r.src, err = r.j.opts.OpenSource(r.ns.Source); err != nil {
		return fmt.Errorf("%w: source %q: %v", ErrConfig, r.ns.Source, err)
	}
	if r.log, err = OpenLog(ctx, r.st, r.j.signer.WithName(r.origin), r.origin); err != nil {
		return err
	}
	// An empty log's anchor is checked against the source before anything
	// is written, the lease included: a wrong root writes nothing.
	startable := true
	if r.log.Size() == 0 {
		if startable, err = r.checkAnchor(ctx, anchor, "root"); err != nil {
			return err
		}
	}
	l, err := acquireLease(ctx, r.st, r.j.opts.Now(), r.j.cfg.LeaseTTL.Duration)
	if err != nil {
		return err
	}
	r.lease = l
	defer func() {
		if err := l.release(context.WithoutCancel(ctx)); err != nil {
			r.j.log.Warn("lease", "namespace", r.ns.Name, "err", err)
		}
	}()
	// The log as it stands now that the lease is ours (a publisher that
	// held it may have moved it on; the checkpoint swap catches any other
	// change).
	if r.log, err = OpenLog(ctx, r.st, r.j.signer.WithName(r.origin), r.origin); err != nil {
		return err
	}
	if err := r.archive(ctx); err != nil {
		return err
	}
	if err := r.loadEnds(ctx, anchor); err != nil {
		return err
	}
	if err := r.adoptLeftovers(ctx); err != nil {
		return err
	}
	if r.last == nil {
		if !startable {
			return nil // not yet: the source has no proof after the anchor
		}
		if err := r.appendAnchor(ctx, anchor); err != nil {
			return err
		}
	}
	if r.last.Kind == record.KindViolation {
		if r.ns.Resume == "" {
			if len(r.added) > 0 {
				// Adopted leftovers ending in a violation: publish them.
				return errors.Join(r.publish(ctx), r.haltedErr())
			}
			return r.haltedErr()
		}
		resumed, err := r.resume(ctx)
		if err != nil {
			return err
		}
		if !resumed {
			return nil // not yet: the source has no proof after the new anchor
		}
	}
	walkErr := r.walk(ctx, budget)
	if len(r.added) == 0 {
		return walkErr // nothing new: write nothing but the lease
	}
	pubCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	defer cancel()
	if err := r.publish(pubCtx); err != nil {
		return err
	}
	if r.last.Kind == record.KindViolation {
		return fmt.Errorf("%w at epoch %d: %s", errViolation, r.last.Epoch, r.last.Reason)
	}
	return walkErr
}

func (r *nsRun) haltedErr() error {
	return fmt.Errorf("%w: namespace halted by the violation at epoch %d (%s); set resume: <epoch>/<digest> to continue from a new anchor",
		errViolation, r.last.Epoch, r.last.Reason)
}

// status is the namespace's state for the summary and the site.
func (r *nsRun) status() string {
	switch {
	case r.last == nil:
		return "initialization"
	case r.last.Kind == record.KindViolation:
		return "halted"
	default:
		return "online"
	}
}

// loadEnds reads entry 0 and the last entry of the published log and checks
// entry 0 against the configured root.
func (r *nsRun) loadEnds(ctx context.Context, anchor Anchor) error {
	size := r.log.Published().Size
	if size == 0 {
		return nil
	}
	var err error
	if r.first, err = r.readRecord(ctx, 0); err != nil {
		return err
	}
	r.last = r.first
	if size > 1 {
		if r.last, err = r.readRecord(ctx, size-1); err != nil {
			return err
		}
	}
	// The last record is read first so that the summary shows the log's
	// status even when the configuration is refused.
	if r.first.Kind != record.KindAnchor || r.first.Epoch != anchor.Epoch || r.first.Digest != hex.EncodeToString(anchor.Digest[:]) {
		return fmt.Errorf("%w: root %s differs from the log's entry 0 (%s %d/%s)", ErrConfig, anchor, r.first.Kind, r.first.Epoch, r.first.Digest)
	}
	return nil
}

func (r *nsRun) readRecord(ctx context.Context, i int64) (*record.Record, error) {
	e, err := r.log.Entry(ctx, i)
	if err != nil {
		return nil, fmt.Errorf("reading entry %d: %w", i, err)
	}
	rec, err := record.Parse(e)
	if err != nil {
		return nil, fmt.Errorf("%w: entry %d: %v", ErrCorrupt, i, err)
	}
	if rec.Namespace != r.ns.Name {
		return nil, fmt.Errorf("%w: entry %d is for namespace %q", ErrCorrupt, i, rec.Namespace)
	}
	return rec, nil
}

// adoptLeftovers appends, unchanged, the records an interrupted run wrote
// beyond the checkpoint, when they are ours and continue the log; anything
// else there stops the run (exit 3) rather than be overwritten.
func (r *nsRun) adoptLeftovers(ctx context.Context) error {
	lines, err := r.log.Leftovers(ctx)
	if err != nil {
		return err
	}
	for i, line := range lines {
		at := r.log.Size() + int64(i)
		rec, err := record.Parse(line)
		if err == nil {
			err = r.continues(rec)
		}
		if err != nil {
			return fmt.Errorf("%w: entry %d beyond the checkpoint, left by an interrupted run, cannot be adopted: %v", ErrLeftover, at, err)
		}
		if rec.Signature == nil {
			// A violation is unsigned: anyone who can write to the site
			// could have left it. Its epoch is verified again; finding the
			// same violation writes the same bytes (appendRecord).
			r.heldBack = rec
			r.j.log.Info("verifying again the epoch of an unsigned leftover record", "namespace", r.ns.Name, "entry", at, "epoch", rec.Epoch)
			lines = lines[:i]
			break
		}
		r.pending = append(r.pending, line)
		r.accept(rec)
	}
	if len(lines) > 0 {
		r.j.log.Info("adopted records of an interrupted run", "namespace", r.ns.Name, "records", len(lines))
	}
	return r.flush(ctx, true)
}

// continues checks that rec is a record this publisher could have
// appended next: signed by our key where signed, for the next epoch,
// chained to the last record.
func (r *nsRun) continues(rec *record.Record) error {
	if rec.Namespace != r.ns.Name {
		return fmt.Errorf("namespace %q", rec.Namespace)
	}
	if rec.Signature != nil {
		if err := rec.VerifySignature(r.j.signer.PublicKey()); err != nil {
			return err
		}
	}
	switch {
	case r.last == nil:
		a := r.anchorOrZero()
		if rec.Kind != record.KindAnchor || rec.Epoch != a.Epoch || rec.Digest != hex.EncodeToString(a.Digest[:]) {
			return fmt.Errorf("entry 0 must be the configured anchor")
		}
	case rec.Kind == record.KindAnchor:
		if r.last.Kind != record.KindViolation {
			return fmt.Errorf("an anchor may only follow a violation")
		}
	case r.last.Kind == record.KindViolation:
		return fmt.Errorf("only an anchor may follow a violation")
	case rec.Epoch != r.last.Epoch+1:
		return fmt.Errorf("epoch %d does not follow %d", rec.Epoch, r.last.Epoch)
	case rec.Kind == record.KindVerified && rec.PreviousDigest != r.last.Digest:
		return fmt.Errorf("epoch %d does not chain from %d's digest", rec.Epoch, r.last.Epoch)
	}
	return nil
}

func (r *nsRun) anchorOrZero() Anchor {
	a, _ := ParseAnchor(r.ns.Root)
	return a
}

// accept makes rec the log's last record.
func (r *nsRun) accept(rec *record.Record) {
	if r.first == nil {
		r.first = rec
	}
	r.last = rec
	r.added = append(r.added, rec)
	if rec.Kind == record.KindVerified {
		r.sum.EpochsVerified++
		e := rec.Epoch
		if r.sum.FirstEpoch == nil {
			r.sum.FirstEpoch = &e
		}
		r.sum.LastEpoch = &e
	}
	if rec.Kind == record.KindViolation {
		r.sum.Violations++
	}
}

// appendRecord queues a complete (signed where it must be) record.
func (r *nsRun) appendRecord(ctx context.Context, rec *record.Record) error {
	if hb := r.heldBack; hb != nil {
		r.heldBack = nil
		if rec.Kind == record.KindViolation && sameButTime(hb, rec) {
			// The leftover is confirmed: keep its bytes, its time included.
			rec.VerifiedAt = hb.VerifiedAt
		}
	}
	line, err := rec.Marshal()
	if err != nil {
		return fmt.Errorf("encoding the record of epoch %d: %w", rec.Epoch, err)
	}
	r.pending = append(r.pending, line)
	r.accept(rec)
	if r.j.opts.Progress != nil {
		r.j.opts.Progress(Progress{Namespace: r.ns.Name, Epochs: len(r.added), Last: rec.Epoch, BytesRead: r.sum.BytesRead})
	}
	return r.flush(ctx, false)
}

// flush hands pending records to the log: all of them when force is set,
// else only once a batch is full.
func (r *nsRun) flush(ctx context.Context, force bool) error {
	if len(r.pending) == 0 || (!force && len(r.pending) < appendBatch) {
		return nil
	}
	if err := r.log.Append(ctx, r.pending); err != nil {
		return err
	}
	r.pending = nil
	return nil
}

// checkAnchor checks that an anchor about to be appended (the configured
// root of an empty log, or resume: what names it in messages) is where the
// next epoch's proof starts. It reports false when the source has no proof
// for that epoch and none after it yet (nothing is written until it does);
// a later epoch without that one is a gap: unchecked.
func (r *nsRun) checkAnchor(ctx context.Context, anchor Anchor, what string) (bool, error) {
	e := anchor.Epoch + 1
	objs, err := r.src.List(ctx, e)
	if err != nil {
		return false, fmt.Errorf("listing epoch %d: %w", e, err)
	}
	if len(objs) == 0 {
		later, err := r.src.List(ctx, e+1)
		if err != nil {
			return false, fmt.Errorf("listing epoch %d: %w", e+1, err)
		}
		if len(later) > 0 {
			r.sum.Unchecked++
			return false, fmt.Errorf("no proof object for epoch %d, though epoch %d has one: %w", e, e+1, os.ErrNotExist)
		}
		r.j.log.Info("waiting for the first proof after the anchor", "namespace", r.ns.Name, "epoch", e)
		return false, nil
	}
	for _, o := range objs {
		if o.Prev == anchor.Digest {
			return true, nil
		}
	}
	return false, fmt.Errorf("%w: %s %s does not match the source: the proof of epoch %d starts from %x",
		ErrConfig, what, anchor, e, objs[0].Prev)
}

// resume appends the operator's new anchor after a violation, once the
// source's proof of the next epoch starts from it: like root for an empty
// log, a resume that does not match the source is a configuration error
// (exit 2, nothing written), not a violation to record against the
// directory. It reports false, with nothing written, while the source has
// no proof after the anchor yet.
func (r *nsRun) resume(ctx context.Context) (bool, error) {
	a, err := ParseAnchor(r.ns.Resume)
	if err != nil {
		return false, fmt.Errorf("%w: resume: %v", ErrConfig, err)
	}
	if a.Epoch < r.last.Epoch {
		return false, fmt.Errorf("%w: resume epoch %d is before the violation at epoch %d", ErrConfig, a.Epoch, r.last.Epoch)
	}
	if ok, err := r.checkAnchor(ctx, a, "resume"); !ok || err != nil {
		return false, err
	}
	r.j.log.Info("resuming after a violation", "namespace", r.ns.Name, "anchor", a)
	return true, r.appendAnchor(ctx, a)
}

func (r *nsRun) appendAnchor(ctx context.Context, a Anchor) error {
	rec := &record.Record{
		Kind:          record.KindAnchor,
		Namespace:     r.ns.Name,
		Epoch:         a.Epoch,
		Digest:        hex.EncodeToString(a.Digest[:]),
		Configuration: r.ns.Configuration,
		Domain:        r.ns.Domain,
	}
	if err := r.sign(rec); err != nil {
		return err
	}
	return r.appendRecord(ctx, rec)
}

func (r *nsRun) sign(rec *record.Record) error {
	if err := rec.Sign(r.ns.Ciphersuite, r.j.opts.Now().UnixMilli(), r.j.signer.PublicKey(), r.j.signer.Sign); err != nil {
		return fmt.Errorf("signing epoch %d: %w", rec.Epoch, err)
	}
	return nil
}

// sameButTime reports whether two records are the same but for when they
// were made.
func sameButTime(a, b *record.Record) bool {
	c := *a
	c.VerifiedAt = b.VerifiedAt
	x, err1 := c.Marshal()
	y, err2 := b.Marshal()
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}
