package verify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"stele/checkpoint"
	"stele/store"
	"stele/tiles"
)

// maxTreeSize bounds the sizes a checkpoint may sign: beyond it, stored
// hash indexes overflow.
const maxTreeSize = 1 << 62

// Options tune a verification. The zero value is ready to use.
type Options struct {
	// Logger receives progress; nil discards it.
	Logger *slog.Logger
	// Concurrency bounds the entry bundles fetched ahead (default 16); it
	// is also how many bundles are decoded and hashed at once.
	Concurrency int
	// Entry, when set, is called with every entry in index order after its
	// hash has been checked. An error it returns stops the verification; a
	// *Failure (see Failf) marks the log failed. The entry's bytes are
	// valid only during the call (their memory is reused for later
	// bundles): copy them to keep them.
	Entry func(index int64, entry []byte) error
	// Records checks the entries as stele audit records when entry 0 is
	// one (see Result.Status): fields, chain, and Plexi signatures under
	// the public keys of the verifiers.
	Records bool
	// Resume, when set, is asked for the remembered state of the log's
	// origin once the checkpoint is open; (nil, nil) means none. With a
	// state, the log must contain the remembered tree (else the result is
	// a [*SplitView] failure), and only the entries after it are checked
	// and handed to Entry. The consistency is computed from the new
	// tree's tiles, never taken from the server.
	Resume func(origin string) (*State, error)
	// Full checks every entry and archived checkpoint again even with a
	// remembered state, which is then used only to detect a split view.
	Full bool
	// Spans, when set, is asked once the checkpoint is open which entries
	// the store holds, for a store that holds only part of a log (one zip
	// of a larger archive). Only the entries in the spans are read and
	// checked; the rest of the tree comes from the authenticated hash
	// tiles above and to the right of them, so the spans are still proven
	// to be part of the signed tree. Nil (the option or its answer), or
	// spans that cover the whole log, mean the whole log. A partial check neither resumes from nor
	// produces a remembered state.
	Spans func(size int64) []Span
	// SkipArchived leaves the archived checkpoints (history and
	// checkpoints/<size>) unchecked, for a caller that checks them itself
	// (the mirror, which copies them too).
	SkipArchived bool
}

// Result is the outcome of verifying one log.
type Result struct {
	Origin         string
	Size           int64
	Root           tlog.Hash
	EntriesChecked int64
	// Status is StatusOpaque, or for a stele audit log checked with
	// Options.Records, StatusOnline or StatusHalted.
	Status string
	// From is the size of the remembered tree the check started from (0
	// for a full check); EntriesChecked counts only the entries after it.
	From int64
	// Spans are the entries checked when Options.Spans limited the check
	// to part of the log; nil when the whole log was checked.
	Spans []Span
	// VerifiedAt is the verified_at (Unix milliseconds) of the newest signed
	// audit record, 0 when there is none.
	VerifiedAt int64
	// Next is the state to remember after a successful verification (nil
	// when Err is set).
	Next *State
	// Warnings are things worth a look that prove nothing wrong.
	Warnings []string
	Duration time.Duration
	Err      error // nil when the log verified
}

// Log verifies the log rooted at st (keys "checkpoint", "tile/..."): the
// checkpoint must open with one of verifiers (each derived for the log's
// origin, so a base key verifies its per-namespace logs), and every tile and
// entry bundle must match the tree it commits to.
func Log(ctx context.Context, st store.Store, verifiers []*checkpoint.Verifier, opts Options) Result {
	start := time.Now()
	r := Result{}
	r.Err = verifyLog(ctx, st, verifiers, opts, &r)
	r.Duration = time.Since(start)
	return r
}

func verifyLog(ctx context.Context, st store.Store, verifiers []*checkpoint.Verifier, opts Options, r *Result) (err error) {
	obj, err := st.Get(ctx, "checkpoint")
	if err != nil {
		return fmt.Errorf("fetching checkpoint: %w", err)
	}
	c, err := checkpoint.OpenWithOrigin(obj.Data, verifiers...)
	if err != nil {
		return &Failure{Object: "checkpoint", Err: err}
	}
	r.Origin, r.Size = c.Origin, c.Size
	switch {
	case c.Size >= maxTreeSize:
		return failf("checkpoint", "size %d: no log holds %d entries or more (tree indexes overflow)", c.Size, int64(maxTreeSize))
	case c.Size == 0 && c.Hash != sha256.Sum256(nil):
		return failf("checkpoint", "the empty tree's root is %s, not %s", tlog.Hash(sha256.Sum256(nil)), c.Hash)
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	spans, err := partialSpans(opts.Spans, c.Size)
	if err != nil {
		return err
	}
	r.Spans = spans
	var prev *State
	if opts.Resume != nil && spans == nil {
		if prev, err = opts.Resume(c.Origin); err != nil && opts.Full {
			logger.Warn("the remembered state cannot be read: checking everything, then replacing it", "origin", c.Origin, "err", err)
			prev = nil
		} else if err != nil {
			return fmt.Errorf("loading the remembered state: %w", err)
		}
	}
	if prev != nil {
		// A state remembered under other keys says nothing about this
		// log as these keys see it.
		if _, err := checkpoint.OpenWithOrigin(prev.Checkpoint, verifiers...); err != nil {
			logger.Warn("the remembered checkpoint does not verify with these keys: checking everything", "origin", c.Origin, "err", err)
			prev = nil
		}
	}
	tree := tlog.Tree{N: c.Size, Hash: c.Hash}
	hr := tiles.HashReader(ctx, tree, store.Fetcher(st))
	var from int64
	if prev != nil {
		if from, err = checkResume(c, obj.Data, prev, hr, verifiers); err != nil {
			return err
		}
		if opts.Full {
			from = 0 // consistent with what was seen: now check it all again
		}
		r.From = from
	}
	logger.Info("verifying log", "origin", c.Origin, "size", c.Size, "from", from)

	next := &State{Checkpoint: obj.Data, Status: StatusOpaque}
	r.Status = StatusOpaque
	var rc *recordCheck
	if opts.Records {
		var keys [][]byte
		for _, v := range verifiers {
			keys = append(keys, v.PublicKey())
		}
		rc = newRecordCheck(c.Origin, c.Size, keys)
		if prev != nil && from > 0 {
			if err := rc.resume(prev); err != nil {
				rc.finish()
				return err
			}
		}
		inner := opts.Entry
		opts.Entry = func(i int64, e []byte) error {
			if err := rc.entry(i, e); err != nil {
				return err
			}
			if inner != nil {
				return inner(i, e)
			}
			return nil
		}
		defer func() {
			if ferr := rc.finish(); ferr != nil && err == nil {
				err = ferr
			}
			r.Status = rc.statusOf()
			r.VerifiedAt = rc.verifiedAt
			if r.Next != nil {
				r.Next.Status, r.Next.VerifiedAt = r.Status, r.VerifiedAt
				if err != nil {
					r.Next = nil
				}
			}
		}()
	}
	if prev != nil && from > 0 {
		next.LastEntry = prev.LastEntry
	}
	if spans == nil && from < c.Size {
		// A resumed pass starts at the bundle holding entry from.
		spans = []Span{{Start: from / tiles.Width * tiles.Width, End: c.Size}}
	}
	if len(spans) > 0 {
		inner := opts.Entry
		last := c.Size - 1
		opts.Entry = func(i int64, e []byte) error {
			if i == last {
				next.LastEntry = bytes.Clone(e)
			}
			if i < from || inner == nil {
				return nil
			}
			return inner(i, e)
		}
		t := &treeCheck{ctx: ctx, obj: newObjects(st), size: c.Size}
		t.b.onTileNode = t.checkTileNode
		if from > 0 {
			if err := t.seed(hr, from/tiles.Width*tiles.Width); err != nil {
				return err
			}
		}
		for _, sp := range spans {
			if sp.Start > t.b.n {
				if err := t.skip(hr, sp.Start); err != nil {
					return err
				}
				if rc != nil {
					rc.gap()
				}
			}
			t.end = sp.End
			n0 := t.b.n
			err := t.run(opts)
			r.EntriesChecked += max(0, t.b.n-max(n0, from))
			if err != nil {
				return err
			}
		}
		if err := t.skip(hr, c.Size); err != nil {
			return err
		}
		if err := t.finishUpper(); err != nil {
			return err
		}
		root := t.b.root()
		r.Root = root
		if root != c.Hash {
			return failf("checkpoint", "root hash %s does not match the tree rebuilt from the tiles, %s", c.Hash, root)
		}
	} else {
		r.Root = c.Hash
	}
	var seen []int64
	if prev != nil && !opts.Full {
		seen = prev.Archived
	}
	if !opts.SkipArchived {
		var beyond []int64
		if next.Archived, beyond, err = checkArchived(ctx, st, c, obj.Data, hr, verifiers, seen); err != nil {
			return err
		}
		if len(beyond) > 0 {
			r.Warnings = append(r.Warnings, fmt.Sprintf(
				"history lists archived checkpoints of sizes %v, beyond this checkpoint's %d: the log published a larger tree before (a rollback, a stale cache, or an interrupted copy); they are left for a later run",
				beyond, c.Size))
		}
	}
	if r.Spans == nil {
		r.Next = next
	}
	return nil
}

// treeCheck is one pass over a log's entries and tiles.
type treeCheck struct {
	ctx  context.Context
	obj  objects
	size int64
	end  int64 // the entry this pass stops at
	b    treeBuilder
	// upper[k] collects the hashes of tile level k (k >= 1) until a tile's
	// worth is complete.
	upper [][]tlog.Hash
	tile  []byte // buffer for the upper tiles
}

func (t *treeCheck) run(opts Options) error {
	ctx, cancel := context.WithCancel(t.ctx)
	conc := opts.Concurrency
	if conc <= 0 {
		conc = 16
	}
	n := (t.end + tiles.Width - 1) / tiles.Width
	k0 := t.b.n / tiles.Width // the first bundle: the tree may be seeded
	// conc slots circulate: free -> producer -> queue (in index order) and
	// work -> a worker fetches -> consumer -> free. The queue and the work
	// channel can hold them all, so the producer only ever waits for a free
	// slot. Long-lived workers, rather than a goroutine per bundle, keep
	// their grown stacks.
	free := make(chan *slot, conc)
	for range conc {
		free <- nil // allocated on first use
	}
	queue := make(chan *slot, conc)
	work := make(chan *slot, conc)
	var workers sync.WaitGroup
	for range min(int64(conc), n-k0) {
		workers.Go(func() {
			for s := range work {
				s.fetch(ctx, t.obj)
				s.ready <- struct{}{}
			}
		})
	}
	produced := make(chan struct{})
	go func() {
		defer close(produced)
		defer close(work)
		defer close(queue)
		for k := k0; k < n; k++ {
			var s *slot
			select {
			case s = <-free:
			case <-ctx.Done():
				return
			}
			if s == nil {
				s = newSlot()
			}
			w := tiles.Width
			if k == n-1 && t.end%tiles.Width != 0 {
				w = int(t.end % tiles.Width)
			}
			s.t = tlog.Tile{H: tiles.Height, L: -1, N: k, W: w}
			queue <- s
			work <- s
		}
	}()
	// Leave nothing running: the store is the caller's again on return.
	defer func() {
		cancel()
		<-produced
		workers.Wait()
	}()

	for s := range queue {
		<-s.ready
		if err := t.consume(s, opts.Entry); err != nil {
			return err
		}
		free <- s
	}
	return ctx.Err()
}

// finishUpper compares the rightmost partial tiles of the upper levels,
// once the whole tree is built.
func (t *treeCheck) finishUpper() error {
	for k := 1; k < len(t.upper); k++ {
		if len(t.upper[k]) > 0 {
			idx := (t.size >> (tiles.Height * k)) / tiles.Width
			if err := t.compareTile(k, idx, t.upper[k]); err != nil {
				return err
			}
		}
	}
	return nil
}

// consume adds a fetched bundle to the tree and hands its entries to
// entry, in order. The entries before a mismatching one are added and
// handed over before the mismatch is reported.
func (t *treeCheck) consume(s *slot, entry func(int64, []byte) error) error {
	if s.err != nil && s.bad < 0 {
		return s.err
	}
	first := s.t.N * tiles.Width
	if s.bad < 0 && s.t.W == tiles.Width {
		// The tree grows by the bundle's subtree at once; the nodes it
		// completes are the ones its last leaf would complete, so they
		// come after every entry but the last, as leaf by leaf.
		last := len(s.entries) - 1
		if entry != nil {
			for i, e := range s.entries[:last] {
				if err := entry(first+int64(i), e); err != nil {
					return err
				}
			}
		}
		if err := t.b.push(s.root, tiles.Height); err != nil {
			return err
		}
		if entry != nil {
			return entry(first+int64(last), s.entries[last])
		}
		return nil
	}
	n := len(s.entries)
	if s.bad >= 0 {
		n = s.bad
	}
	for i, e := range s.entries[:n] {
		if err := t.b.add(hashAt(s.hashes, i)); err != nil {
			return err
		}
		if entry != nil {
			if err := entry(first+int64(i), e); err != nil {
				return err
			}
		}
	}
	return s.err
}

// checkTileNode collects a hash of tile level k and checks a full tile as
// soon as it is complete.
func (t *treeCheck) checkTileNode(k int, index int64, h tlog.Hash) error {
	for len(t.upper) <= k {
		t.upper = append(t.upper, nil)
	}
	t.upper[k] = append(t.upper[k], h)
	if len(t.upper[k]) < tiles.Width {
		return nil
	}
	err := t.compareTile(k, index/tiles.Width, t.upper[k])
	t.upper[k] = t.upper[k][:0]
	return err
}

func (t *treeCheck) compareTile(level int, n int64, want []tlog.Hash) error {
	tile := tlog.Tile{H: tiles.Height, L: level, N: n, W: len(want)}
	data, buf, path, err := t.obj.tileData(t.ctx, tile, t.tile)
	t.tile = buf
	if err != nil {
		return err
	}
	for i, h := range want {
		if !bytes.Equal(h[:], data[i*tlog.HashSize:(i+1)*tlog.HashSize]) {
			return failf(path, "hash %d is %s, the tree rebuilt from the entries has %s", i, hashAt(data, i), h)
		}
	}
	return nil
}

func hashAt(data []byte, i int) tlog.Hash {
	var h tlog.Hash
	copy(h[:], data[i*tlog.HashSize:])
	return h
}

// getTile fetches t with Get, or the full tile when t is a missing partial
// one (C2SP: a client may find the full tile in place of an outdated
// partial), and returns the path it read.
func getTile(ctx context.Context, st store.Store, t tlog.Tile) (store.Object, string, error) {
	path := tiles.Path(t)
	obj, err := st.Get(ctx, path)
	if errors.Is(err, os.ErrNotExist) && t.W < tiles.Width {
		full := t
		full.W = tiles.Width
		fpath := tiles.Path(full)
		if fobj, ferr := st.Get(ctx, fpath); ferr == nil {
			return fobj, fpath, nil
		}
	}
	if err != nil {
		return store.Object{}, path, fmt.Errorf("fetching %s: %w", path, err)
	}
	return obj, path, nil
}
