package publish

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"

	"golang.org/x/mod/sumdb/tlog"

	"stele/checkpoint"
	"stele/store"
	"stele/tiles"
)

// ErrLostSwap means another publisher replaced the checkpoint between this
// run's read and its swap. Nothing more was written; it is safe to run again.
var ErrLostSwap = errors.New("another publisher updated the checkpoint first")

// ErrCorrupt means the published log does not verify under the signing
// key: its checkpoint, origin or right edge is not what we would have
// written. Nothing is appended to such a log.
var ErrCorrupt = errors.New("published log does not verify")

// ErrLeftover means an object beyond the published checkpoint holds bytes
// other than the ones this run would write there: an interrupted run, or a
// concurrent publisher, left it. Nothing was overwritten.
var ErrLeftover = errors.New("object beyond the checkpoint holds different bytes")

// Log is one tlog-tiles log in a store, opened at its published checkpoint.
// Append adds entries and writes their tiles and bundles; Commit publishes
// a signed checkpoint for everything appended. A Log is not safe for
// concurrent use.
type Log struct {
	st     store.Store // rooted at the log: keys are "checkpoint", "tile/..."
	signer *checkpoint.Signer
	origin string

	published checkpoint.Checkpoint // what the store holds now
	note      []byte                // its signed note
	etag      string                // its version, "" when the log is new

	// The tree as appended so far. Stored hashes with index below base come
	// from the published tree's tiles, authenticated against its root; the
	// rest were computed by this Log and are held in fresh.
	size    int64
	base    int64
	old     tlog.HashReader
	fresh   []tlog.Hash
	partial [][]byte // entries of the rightmost, incomplete bundle
}

// OpenLog reads the log's checkpoint from st (a log that does not exist yet
// is empty), checks it against signer, which must be named for origin, and
// loads the right edge the next append extends: the partial entry bundle,
// authenticated against the checkpoint's root.
func OpenLog(ctx context.Context, st store.Store, signer *checkpoint.Signer, origin string) (*Log, error) {
	if signer.Name() != origin {
		return nil, fmt.Errorf("signing key is named %q, log origin is %q: they must be equal", signer.Name(), origin)
	}
	l := &Log{st: st, signer: signer, origin: origin}
	obj, err := st.Get(ctx, CheckpointKey)
	switch {
	case errors.Is(err, os.ErrNotExist):
		l.published = checkpoint.Checkpoint{Origin: origin}
		l.old = tlog.HashReaderFunc(func([]int64) ([]tlog.Hash, error) {
			return nil, errors.New("empty log has no stored hashes")
		})
		return l, nil
	case err != nil:
		return nil, fmt.Errorf("reading checkpoint: %w", err)
	}
	verifier, err := checkpoint.NewVerifier(signer.VerifierKey())
	if err != nil {
		return nil, fmt.Errorf("deriving verifier from signing key: %w", err)
	}
	c, err := checkpoint.Open(obj.Data, verifier)
	if err != nil {
		return nil, fmt.Errorf("%w: opening the checkpoint with our key: %w", ErrCorrupt, err)
	}
	if c.Origin != origin {
		return nil, fmt.Errorf("%w: checkpoint has origin %q, want %q", ErrCorrupt, c.Origin, origin)
	}
	l.published, l.note, l.etag = c, obj.Data, obj.ETag
	l.size = c.Size
	l.base = tlog.StoredHashCount(c.Size)
	l.old = tiles.HashReader(ctx, tlog.Tree{N: c.Size, Hash: c.Hash}, store.Fetcher(st))
	if err := l.loadPartial(ctx); err != nil {
		return nil, err
	}
	return l, nil
}

// Size is the number of entries appended so far, published or not.
func (l *Log) Size() int64 { return l.size }

// Published is the checkpoint the store held when the log was opened, or
// the last one this Log committed.
func (l *Log) Published() checkpoint.Checkpoint { return l.published }

// PublishedNote is the signed checkpoint the store holds (nil for a log
// that has none yet).
func (l *Log) PublishedNote() []byte { return l.note }

// loadPartial reads the rightmost partial entry bundle and checks each of
// its entries against the authenticated tree.
func (l *Log) loadPartial(ctx context.Context) error {
	w := int(l.size % tiles.Width)
	if w == 0 {
		return nil
	}
	t := tlog.Tile{H: tiles.Height, L: -1, N: l.size / tiles.Width, W: w}
	entries, err := readCovered(ctx, l.st, t)
	if err != nil {
		return err
	}
	first := t.N * tiles.Width
	idx := make([]int64, w)
	for i := range idx {
		idx[i] = tlog.StoredHashIndex(0, first+int64(i))
	}
	want, err := l.old.ReadHashes(idx)
	if err != nil {
		return fmt.Errorf("reading leaf hashes of %s: %w", tiles.Path(t), coveredHashErr(err))
	}
	for i, e := range entries {
		if tlog.RecordHash(e) != want[i] {
			return fmt.Errorf("%w: %s: entry %d does not match the tree", ErrCorrupt, tiles.Path(t), first+int64(i))
		}
	}
	l.partial = entries
	return nil
}

// ReadHashes implements tlog.HashReader over the tree appended so far.
func (l *Log) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	var oldIdx []int64
	var oldPos []int
	for i, x := range indexes {
		if x < l.base {
			oldIdx = append(oldIdx, x)
			oldPos = append(oldPos, i)
			continue
		}
		if x-l.base >= int64(len(l.fresh)) {
			return nil, fmt.Errorf("stored hash %d not yet computed", x)
		}
		out[i] = l.fresh[x-l.base]
	}
	if len(oldIdx) > 0 {
		hs, err := l.old.ReadHashes(oldIdx)
		if err != nil {
			return nil, err
		}
		for j, h := range hs {
			out[oldPos[j]] = h
		}
	}
	return out, nil
}

// Append adds entries to the log and writes the hash tiles and entry
// bundles that cover them. Nothing is visible to readers of the checkpoint
// until Commit.
func (l *Log) Append(ctx context.Context, entries [][]byte) error {
	if len(entries) == 0 {
		return nil
	}
	oldSize := l.size
	for i, e := range entries {
		if len(e) > tiles.MaxEntrySize {
			return fmt.Errorf("entry %d is %d bytes, over the %d-byte limit", oldSize+int64(i), len(e), tiles.MaxEntrySize)
		}
	}
	for _, e := range entries {
		hs, err := tlog.StoredHashes(l.size, e, l)
		if err != nil {
			return fmt.Errorf("hashing entry %d: %w", l.size, err)
		}
		l.fresh = append(l.fresh, hs...)
		l.size++
	}
	if err := l.writeBundles(ctx, oldSize, entries); err != nil {
		return err
	}
	// The bundles are durable before anything derived from their entries
	// (hash tiles here, a publisher's audit objects later) is written.
	// Otherwise a lost bundle could leave those behind, and the next run,
	// which cannot adopt entries it cannot read, would write entries that
	// differ (a record's signing time) and meet them as immutable
	// objects of other bytes: stuck for good.
	if err := l.st.Sync(ctx); err != nil {
		return fmt.Errorf("making the entry bundles durable: %w", err)
	}
	ts, err := tiles.HashTiles(oldSize, l.size, l)
	if err != nil {
		return fmt.Errorf("building hash tiles: %w", err)
	}
	for _, t := range ts {
		if err := l.create(ctx, tiles.Path(t.Tile), t.Data, mdHashTile); err != nil {
			return err
		}
	}
	return nil
}

// writeBundles writes every entry bundle that growing from oldSize to
// l.size creates: full bundles and the new rightmost partial one.
func (l *Log) writeBundles(ctx context.Context, oldSize int64, entries [][]byte) error {
	pending := append(l.partial, entries...)
	start := oldSize - int64(len(l.partial)) // index of pending[0]
	for _, t := range tiles.BundleTiles(oldSize, l.size) {
		lo := t.N*tiles.Width - start
		var b []byte
		for _, e := range pending[lo : lo+int64(t.W)] {
			var err error
			if b, err = tiles.AppendEntry(b, e); err != nil {
				return err
			}
		}
		z, err := gzipBytes(b)
		if err != nil {
			return err
		}
		if err := l.create(ctx, tiles.Path(t), z, mdEntryBundle); err != nil {
			return err
		}
	}
	w := int(l.size % tiles.Width)
	l.partial = append([][]byte(nil), pending[int64(len(pending))-int64(w):]...)
	return nil
}

// create writes an immutable object beyond the published checkpoint.
func (l *Log) create(ctx context.Context, key string, data []byte, md store.Metadata) error {
	err := l.st.Create(ctx, key, data, md)
	if errors.Is(err, store.ErrImmutable) {
		return fmt.Errorf("%s: %w (an interrupted or concurrent run wrote it; rerun with the same input, or remove it if no other publisher runs)", key, ErrLeftover)
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", key, err)
	}
	return nil
}

// Root is the tree hash of everything appended so far.
func (l *Log) Root() (tlog.Hash, error) {
	if l.size == 0 {
		return sha256.Sum256(nil), nil // RFC 6962: the empty tree
	}
	return tlog.TreeHash(l.size, l)
}

// Commit signs a checkpoint for everything appended and swaps it in for the
// one the Log was opened at. Every earlier write through the store is made
// durable first (the store's Swap contract). If another publisher changed
// the checkpoint meanwhile, Commit returns an error wrapping ErrLostSwap.
// extensions are extra checkpoint lines. Committing an unchanged log is a
// no-op.
func (l *Log) Commit(ctx context.Context, extensions ...string) (checkpoint.Checkpoint, error) {
	if l.size == l.published.Size && l.etag != "" {
		return l.published, nil
	}
	root, err := l.Root()
	if err != nil {
		return checkpoint.Checkpoint{}, err
	}
	c := checkpoint.Checkpoint{Origin: l.origin, Size: l.size, Hash: root, Extensions: extensions}
	note, err := checkpoint.Sign(c, l.signer)
	if err != nil {
		return checkpoint.Checkpoint{}, fmt.Errorf("signing checkpoint: %w", err)
	}
	if err := l.st.Swap(ctx, CheckpointKey, l.etag, note, mdCheckpoint); err != nil {
		// The stored checkpoint says what happened. Ours: the swap landed
		// (its answer was lost, or a retried request saw its own first
		// attempt). Another one: another publisher won, which a store that
		// defers visibility may report as conflicts of the objects this run
		// wrote, found when the swap synced them; not evidence of anything
		// (ErrImmutable is deliberately not wrapped). The one we opened at:
		// the swap failed.
		cur, gerr := l.st.Get(ctx, CheckpointKey)
		switch {
		case gerr == nil && bytes.Equal(cur.Data, note):
		case errors.Is(err, store.ErrPrecondition), gerr == nil && cur.ETag != l.etag:
			return checkpoint.Checkpoint{}, fmt.Errorf("swapping checkpoint at size %d: %w (%v)", l.size, ErrLostSwap, err)
		default:
			return checkpoint.Checkpoint{}, fmt.Errorf("swapping checkpoint: %w", err)
		}
	}
	cur, err := l.st.Get(ctx, CheckpointKey)
	if err != nil {
		return checkpoint.Checkpoint{}, fmt.Errorf("reading back checkpoint: %w", err)
	}
	l.published, l.note, l.etag = c, note, cur.ETag
	return c, nil
}
