package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"stele/checkpoint"
	"stele/store"
	"stele/tiles"
)

// Options tune a verification. The zero value is ready to use.
type Options struct {
	// Logger receives progress; nil discards it.
	Logger *slog.Logger
	// Concurrency bounds the entry bundles fetched ahead (default 16).
	Concurrency int
	// Entry, when set, is called with every entry in index order after its
	// hash has been checked. An error it returns stops the verification; a
	// *Failure (see Failf) marks the log failed.
	Entry func(index int64, entry []byte) error
	// Records checks the entries as stele audit records when entry 0 is
	// one (see Result.Status): fields, chain, and Plexi signatures under
	// the public keys of the verifiers.
	Records bool
}

// Result is the outcome of verifying one log.
type Result struct {
	Origin         string
	Size           int64
	Root           tlog.Hash
	EntriesChecked int64
	// Status is StatusOpaque, or for a stele audit log checked with
	// Options.Records, StatusOnline or StatusHalted.
	Status   string
	Duration time.Duration
	Err            error // nil when the log verified
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
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	logger.Info("verifying log", "origin", c.Origin, "size", c.Size)

	r.Status = StatusOpaque
	if opts.Records {
		var keys [][]byte
		for _, v := range verifiers {
			keys = append(keys, v.PublicKey())
		}
		rc := newRecordCheck(c.Origin, keys)
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
		}()
	}
	t := &treeCheck{ctx: ctx, st: st, size: c.Size}
	t.b.onTileNode = t.checkTileNode
	if err := t.run(opts); err != nil {
		r.EntriesChecked = t.b.n
		return err
	}
	r.EntriesChecked = t.b.n
	root := t.b.root()
	r.Root = root
	if root != c.Hash {
		return failf("checkpoint", "root hash %s does not match the tree rebuilt from the tiles, %s", c.Hash, root)
	}
	return nil
}

// treeCheck is one pass over a log's entries and tiles.
type treeCheck struct {
	ctx  context.Context
	st   store.Store
	size int64
	b    treeBuilder
	// upper[k] collects the hashes of tile level k (k >= 1) until a tile's
	// worth is complete.
	upper [][]tlog.Hash
}

// bundle is one prefetched entry bundle with its level-0 hash tile.
type bundle struct {
	t       tlog.Tile // the entry bundle tile (L = -1)
	path    string    // the path it was read from
	entries [][]byte
	hashes  []byte // the level-0 tile's bytes, W*32
	tpath   string
	err     error
}

func (t *treeCheck) run(opts Options) error {
	ctx, cancel := context.WithCancel(t.ctx)
	defer cancel()
	conc := opts.Concurrency
	if conc <= 0 {
		conc = 16
	}
	n := (t.size + tiles.Width - 1) / tiles.Width
	queue := make(chan chan bundle, conc)
	go func() {
		defer close(queue)
		for k := int64(0); k < n; k++ {
			w := tiles.Width
			if k == n-1 && t.size%tiles.Width != 0 {
				w = int(t.size % tiles.Width)
			}
			ch := make(chan bundle, 1)
			select {
			case queue <- ch:
			case <-ctx.Done():
				return
			}
			go func() { ch <- fetchBundle(ctx, t.st, k, w) }()
		}
	}()
	lh := newLeafHasher()
	for ch := range queue {
		bd := <-ch
		if bd.err != nil {
			return bd.err
		}
		first := bd.t.N * tiles.Width
		for i, e := range bd.entries {
			h := lh.sum(e)
			if !bytes.Equal(h[:], bd.hashes[i*tlog.HashSize:(i+1)*tlog.HashSize]) {
				return failf(bd.tpath, "entry %d (in %s) hashes to %s, the tile holds %s",
					first+int64(i), bd.path, h, hashAt(bd.hashes, i))
			}
			if err := t.b.add(h); err != nil {
				return err
			}
			if opts.Entry != nil {
				if err := opts.Entry(first+int64(i), e); err != nil {
					return err
				}
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	// The rightmost partial tiles of the upper levels.
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
	data, path, err := fetchTile(t.ctx, t.st, tile)
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

// fetchBundle reads entry bundle k of width w and its level-0 hash tile.
func fetchBundle(ctx context.Context, st store.Store, k int64, w int) bundle {
	bd := bundle{t: tlog.Tile{H: tiles.Height, L: -1, N: k, W: w}}
	var data []byte
	var obj store.Object
	obj, bd.path, bd.err = getTile(ctx, st, bd.t)
	if bd.err != nil {
		return bd
	}
	data, err := tiles.DecodeBundleBytes(obj.Data, obj.ContentEncoding)
	if err != nil {
		bd.err = &Failure{Object: bd.path, Err: err}
		return bd
	}
	want := w
	if bd.path != tiles.Path(bd.t) { // fell back to the full bundle
		want = tiles.Width
	}
	entries, err := tiles.ParseBundleN(data, want)
	if err != nil {
		bd.err = &Failure{Object: bd.path, Err: err}
		return bd
	}
	bd.entries = entries[:w]
	bd.hashes, bd.tpath, bd.err = fetchTile(ctx, st, tlog.Tile{H: tiles.Height, L: 0, N: k, W: w})
	return bd
}

// fetchTile reads a hash tile and checks its length. A missing partial tile
// falls back to the full tile, truncated.
func fetchTile(ctx context.Context, st store.Store, t tlog.Tile) ([]byte, string, error) {
	obj, path, err := getTile(ctx, st, t)
	if err != nil {
		return nil, path, err
	}
	want := t.W * tlog.HashSize
	if path != tiles.Path(t) {
		want = tiles.Width * tlog.HashSize
	}
	if len(obj.Data) != want {
		return nil, path, failf(path, "tile is %d bytes, want %d", len(obj.Data), want)
	}
	return obj.Data[:t.W*tlog.HashSize], path, nil
}

// getTile fetches t, or the full tile when t is a missing partial one
// (C2SP: a client may find the full tile in place of an outdated partial).
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
