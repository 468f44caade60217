package mirror

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"stele/checkpoint"
	"stele/layout"
	"stele/store"
	"stele/verify"
)

// Options tune a mirror.
type Options struct {
	// Verifiers are the keys a log's checkpoint must be signed with (a
	// base key covers its <name>/<namespace> logs, as in verify). At least
	// one is required.
	Verifiers []*checkpoint.Verifier
	// Concurrency bounds the objects fetched at once (default 16).
	Concurrency int
	// Logger receives progress messages; nil discards them.
	Logger *slog.Logger
	// Progress, when set, is called after every object with the counters
	// so far. Calls are serialised; it must return quickly.
	Progress func(Progress)
}

// LogResult is the outcome of mirroring one log.
type LogResult struct {
	// Prefix is where the log is under the site root: "" for a log at the
	// root, otherwise "logs/<namespace>/".
	Prefix string
	// Result is the verification of the log as it was downloaded. The
	// local checkpoint was written only if Result.Err is nil.
	verify.Result
	// Retried reports that local copies failed to verify and the log was
	// downloaded again from the source alone.
	Retried bool
}

// Result is the outcome of a mirror.
type Result struct {
	Logs []LogResult
	// Progress holds the final counters.
	Progress Progress
	// Missing lists the objects the mirror expected but the source does
	// not have (pages or API objects of an older publisher, a log with no
	// history). They are not errors.
	Missing []string
	// Err is a problem outside any one log: the site's logs could not be
	// found, a site object could not be fetched or written.
	Err error
}

// Outcome is the result of the whole mirror as a verify result string:
// verify.ResultFailed if a log failed to verify, else
// verify.ResultUnchecked if anything could not be fetched or written, else
// verify.ResultOK.
func (r Result) Outcome() string {
	out := verify.Classify(r.Err)
	for _, l := range r.Logs {
		switch verify.Classify(l.Err) {
		case verify.ResultFailed:
			return verify.ResultFailed
		case verify.ResultUnchecked:
			if out == verify.ResultOK {
				out = verify.ResultUnchecked
			}
		}
	}
	return out
}

// Sync policy: the destination is synced after this many writes or this
// much time, so that an interrupted mirror keeps most of what it fetched.
const (
	syncEvery    = 1024
	syncInterval = 5 * time.Second
)

// Mirror copies the site or log in src into dst, verifying each log as it
// is downloaded (see the package documentation). src is read only; dst
// must be writable (a [store.Dir]). Mirror syncs dst before it returns,
// whatever the outcome.
func Mirror(ctx context.Context, src, dst store.Store, opts Options) (res Result) {
	r := &run{src: src, dst: dst, opts: opts, c: &counters{start: time.Now(), report: opts.Progress}, lastSync: time.Now()}
	if r.opts.Concurrency <= 0 {
		r.opts.Concurrency = 16
	}
	r.log = opts.Logger
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	defer func() {
		if err := r.dst.Sync(context.WithoutCancel(ctx)); err != nil && res.Err == nil {
			res.Err = fmt.Errorf("mirror: syncing the copy: %w", err)
		}
		res.Progress = r.c.snapshot()
		res.Missing = r.missingKeys()
	}()
	if len(opts.Verifiers) == 0 {
		res.Err = errors.New("mirror: no verifier keys")
		return res
	}
	prefixes, err := verify.FindLogs(ctx, src)
	if err != nil {
		res.Err = fmt.Errorf("mirror: finding the logs: %w", err)
		return res
	}
	r.c.expected.Add(int64(len(prefixes)))
	for _, p := range prefixes {
		res.Logs = append(res.Logs, r.mirrorLog(ctx, p))
		if ctx.Err() != nil {
			break
		}
	}
	if len(prefixes) > 0 && prefixes[0] != "" && ctx.Err() == nil {
		if err := r.siteObjects(ctx, prefixes); err != nil {
			res.Err = fmt.Errorf("mirror: %w", err)
		}
	}
	return res
}

// run is the state of one Mirror call.
type run struct {
	src, dst store.Store
	opts     Options
	c        *counters
	log      *slog.Logger

	unsynced atomic.Int64
	syncMu   sync.Mutex
	lastSync time.Time

	missMu  sync.Mutex
	missing []string
}

// fetch reads key from the source and writes it to the destination.
func (r *run) fetch(ctx context.Context, key string) (store.Object, error) {
	obj, err := r.src.Get(ctx, key)
	if err != nil {
		return store.Object{}, err
	}
	if obj, err = Normalize(key, obj); err != nil {
		return store.Object{}, err
	}
	if err := r.put(ctx, key, obj); err != nil {
		return store.Object{}, err
	}
	r.c.gotRemote(len(obj.Data))
	return obj, nil
}

// put writes an object to the destination, syncing now and then.
func (r *run) put(ctx context.Context, key string, obj store.Object) error {
	if err := r.dst.Put(ctx, key, obj.Data, obj.Metadata); err != nil {
		return fmt.Errorf("writing the local copy of %s: %w", key, err)
	}
	if r.unsynced.Add(1) >= syncEvery {
		return r.sync(ctx)
	}
	r.syncMu.Lock()
	due := time.Since(r.lastSync) >= syncInterval
	r.syncMu.Unlock()
	if due {
		return r.sync(ctx)
	}
	return nil
}

func (r *run) sync(ctx context.Context) error {
	r.syncMu.Lock()
	defer r.syncMu.Unlock()
	r.unsynced.Store(0)
	r.lastSync = time.Now()
	if err := r.dst.Sync(ctx); err != nil {
		return fmt.Errorf("syncing the copy: %w", err)
	}
	return nil
}

// fetchOptional fetches an object the site may lack: absent, it is noted
// as missing and found is false. An immutable object (by its local
// metadata) already in the destination is reused.
func (r *run) fetchOptional(ctx context.Context, key string) (obj store.Object, found bool, err error) {
	if local, err := r.dst.Get(ctx, key); err == nil && strings.Contains(local.CacheControl, "immutable") {
		r.c.gotLocal()
		return local, true, nil
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return store.Object{}, false, fmt.Errorf("reading the local copy of %s: %w", key, err)
	}
	obj, err = r.fetch(ctx, key)
	if errors.Is(err, os.ErrNotExist) {
		r.missMu.Lock()
		r.missing = append(r.missing, key)
		r.missMu.Unlock()
		r.c.expected.Add(-1)
		return store.Object{}, false, nil
	}
	if err != nil {
		return store.Object{}, false, err
	}
	return obj, true, nil
}

func (r *run) missingKeys() []string {
	r.missMu.Lock()
	defer r.missMu.Unlock()
	return append([]string(nil), r.missing...)
}

// each calls fn for every key with at most Concurrency calls at once,
// and returns the first error.
func (r *run) each(ctx context.Context, keys []string, fn func(ctx context.Context, key string) error) error {
	return r.eachIndex(ctx, len(keys), func(ctx context.Context, i int) error { return fn(ctx, keys[i]) })
}

// eachIndex calls fn for 0 to n-1 with at most Concurrency calls at once,
// and returns the first error.
func (r *run) eachIndex(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sem := make(chan struct{}, r.opts.Concurrency)
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for i := range n {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := fn(ctx, i); err != nil {
				once.Do(func() { first = err; cancel() })
			}
		}()
	}
	wg.Wait()
	if first != nil {
		return first
	}
	return ctx.Err()
}

// mirrorLog downloads and verifies one log, then its archived checkpoints
// and, on a site, its API objects and pages; the checkpoint comes last.
func (r *run) mirrorLog(ctx context.Context, prefix string) LogResult {
	lr, t, ep := r.verifyLog(ctx, prefix, true)
	if lr.Err != nil && verify.IsFailure(lr.Err) && t.usedLocal.Load() && ctx.Err() == nil {
		r.log.Warn("local copy failed to verify; downloading the log again", "log", prefix, "err", lr.Err)
		lr, t, ep = r.verifyLog(ctx, prefix, false)
		lr.Retried = true
	}
	if lr.Err != nil {
		return lr
	}
	fail := func(err error) LogResult {
		lr.Err = err
		return lr
	}
	// The tiles to prove the local checkpoint contained in the new one are
	// read from where the verified copy is: the destination, or, after a
	// second pass, the source (local copies may be what was damaged).
	tilesFrom := r.dst
	if lr.Retried {
		tilesFrom = r.src
	}
	if err := r.checkLocal(ctx, prefix, t.cp.Data, tilesFrom); err != nil {
		return fail(err)
	}
	if err := t.repair(ctx); err != nil {
		return fail(err)
	}
	history, err := r.archivedCheckpoints(ctx, prefix, t.cp.Data, lr.Size)
	if err != nil {
		return fail(err)
	}
	if history != nil {
		if err := r.stalePartials(ctx, prefix, lr.Size, history); err != nil {
			return fail(err)
		}
	}
	if prefix != "" {
		ns := layout.NamespaceOf(prefix)
		if err := r.namespaceObjects(ctx, ns, lr.Size, ep, history); err != nil {
			return fail(err)
		}
	}
	if err := r.sync(ctx); err != nil {
		return fail(err)
	}
	if history != nil {
		if err := r.put(ctx, prefix+layout.History, *history.obj); err != nil {
			return fail(err)
		}
	}
	if err := r.put(ctx, prefix+layout.Checkpoint, *t.cp); err != nil {
		return fail(err)
	}
	if err := r.sync(ctx); err != nil {
		return fail(err)
	}
	r.log.Info("mirrored log", "log", prefix, "origin", lr.Origin, "size", lr.Size)
	return lr
}

// verifyLog runs the verifier over a tee of the log, collecting what its
// audit objects must state.
func (r *run) verifyLog(ctx context.Context, prefix string, reuse bool) (LogResult, *tee, *audits) {
	t := &tee{r: r, prefix: prefix, reuse: reuse}
	au := &audits{}
	opts := verify.Options{
		Logger:      r.opts.Logger,
		Concurrency: r.opts.Concurrency,
		Records:     true,
		Entry:       au.add,
		// The mirror checks and copies the archived checkpoints itself.
		SkipArchived: true,
	}
	res := verify.Log(ctx, t, r.opts.Verifiers, opts)
	return LogResult{Prefix: prefix, Result: res}, t, au
}
