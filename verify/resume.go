package verify

import (
	"crypto/sha256"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/tlog"

	"stele/checkpoint"
	"stele/record"
	"stele/tiles"
)

// checkResume checks that the tree of c, whose authenticated hashes hr
// reads, contains the remembered tree of prev, and returns the remembered
// size. A smaller tree, the same size with another root, or a tree whose
// prefix of the remembered size has another root is a split view.
func checkResume(c checkpoint.Checkpoint, note []byte, prev *State, hr tlog.HashReader, verifiers []*checkpoint.Verifier) (int64, error) {
	old, err := checkpoint.OpenWithOrigin(prev.Checkpoint, verifiers...)
	if err != nil {
		return 0, fmt.Errorf("the remembered checkpoint does not verify with these keys (verify with -full, or another state): %w", err)
	}
	if old.Origin != c.Origin {
		return 0, fmt.Errorf("the remembered checkpoint is of %q, not %q", old.Origin, c.Origin)
	}
	switch {
	case c.Size < old.Size:
		return 0, splitView("checkpoint", c.Origin, prev.Checkpoint, note,
			"the checkpoint's tree (size %d) is smaller than the one verified before (size %d): a rollback", c.Size, old.Size)
	case c.Size == old.Size && c.Hash != old.Hash:
		return 0, splitView("checkpoint", c.Origin, prev.Checkpoint, note,
			"two roots for size %d: %s verified before, %s now", c.Size, old.Hash, c.Hash)
	case c.Size == old.Size:
		return old.Size, nil
	}
	if err := checkPrefix(c, note, old.Size, old.Hash, prev.Checkpoint, hr); err != nil {
		return 0, err
	}
	return old.Size, nil
}

// checkPrefix checks that the first size entries of the tree of c (read
// through hr, authenticated against c) have the root want, as the signed
// note first says; otherwise that is a split view.
func checkPrefix(c checkpoint.Checkpoint, note []byte, size int64, want tlog.Hash, first []byte, hr tlog.HashReader) error {
	h, err := tlog.TreeHash(size, hr)
	if size == 0 {
		h, err = sha256.Sum256(nil), nil // RFC 6962's empty tree; tlog has none
	}
	if err != nil {
		return tileErr(fmt.Sprintf("computing the root of the first %d entries", size), err)
	}
	if h != want {
		return splitView("checkpoint", c.Origin, first, note,
			"the tree of size %d does not contain the tree of size %d seen before: its first %d entries have root %s, not %s",
			c.Size, size, size, h, want)
	}
	return nil
}

// tileErr classifies an error of a tiles.HashReader: tiles that do not
// authenticate against the checkpoint are a failure, the rest could not
// be read.
func tileErr(doing string, err error) error {
	if errors.Is(err, tiles.ErrInconsistentTile) || errors.Is(err, tiles.ErrMalformedTile) {
		return failf("tiles", "%s: %v", doing, err)
	}
	return fmt.Errorf("%s: %w", doing, err)
}

// seed sets the tree builder to the tree of the first base entries (a
// multiple of tiles.Width) from authenticated hashes: the roots of its
// complete subtrees, and the hashes of the upper tiles' partial rows on its
// right edge, so that the pass continues at entry base as if it had built
// the tree itself.
func (t *treeCheck) seed(hr tlog.HashReader, base int64) error {
	if base == 0 {
		return nil
	}
	var idx []int64
	var levels []int
	var start int64
	for l := 62; l >= 0; l-- {
		if base&(1<<l) != 0 {
			idx = append(idx, tlog.StoredHashIndex(l, start>>l))
			levels = append(levels, l)
			start += 1 << l
		}
	}
	stack, err := hr.ReadHashes(idx)
	if err != nil {
		return tileErr(fmt.Sprintf("reading the subtree roots of the first %d entries", base), err)
	}
	for k := 1; base>>(tiles.Height*k) > 0; k++ {
		m := base >> (tiles.Height * k)
		var row []int64
		for j := m &^ (tiles.Width - 1); j < m; j++ {
			row = append(row, tlog.StoredHashIndex(tiles.Height*k, j))
		}
		hs, err := hr.ReadHashes(row)
		if err != nil {
			return tileErr(fmt.Sprintf("reading the level-%d tile at entry %d", k, base), err)
		}
		for len(t.upper) <= k {
			t.upper = append(t.upper, nil)
		}
		t.upper[k] = append(t.upper[k][:0], hs...)
	}
	t.b.n, t.b.stack, t.b.levels = base, stack, levels
	return nil
}

// resume continues the record checks after prev's last entry.
func (c *recordCheck) resume(prev *State) error {
	c.verifiedAt = prev.VerifiedAt
	if prev.Status == StatusOpaque || prev.LastEntry == nil {
		c.status = StatusOpaque
		return nil
	}
	rec, err := record.Parse(prev.LastEntry)
	if err != nil {
		return fmt.Errorf("the remembered last record does not parse (verify with -full): %w", err)
	}
	c.last = rec
	return nil
}
