package verify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"

	"golang.org/x/mod/sumdb/tlog"

	"stele/checkpoint"
	"stele/layout"
	"stele/store"
	"stele/tiles"
)

// archivedRecheck is how many archived checkpoints checked by earlier runs
// are checked again, picked at random, on each run.
const archivedRecheck = 4

// checkArchived checks the archived checkpoints that a log lists in its
// "history" object (none when it has no such object): each must be signed
// by one of verifiers for the log's origin, and its tree must be a prefix
// of the current tree of c (read through hr, authenticated against c).
// One that is not is a split view: the archived checkpoint and the current
// one disagree, and so would any two archived ones that disagree, since
// both are checked against the one current tree. Sizes in seen were
// checked before and are skipped, but for a few of them (archivedRecheck,
// distinct, picked at random when there are more), so that an archived
// checkpoint replaced after it was checked is caught in time without fetching them all on every run; sizes
// beyond the current tree are left for a later run (the publisher may
// have stopped between writing one and the checkpoint). It returns the
// sizes checked so far, seen included, in order, and the listed sizes
// beyond the current tree.
func checkArchived(ctx context.Context, st store.Store, c checkpoint.Checkpoint, note []byte, hr tlog.HashReader, verifiers []*checkpoint.Verifier, seen []int64) (done, beyond []int64, err error) {
	done = slices.Clone(seen)
	checked := make(map[int64]bool, len(seen))
	for _, size := range seen {
		checked[size] = true
	}
	recheck := map[int64]bool{}
	for _, i := range rand.Perm(len(seen))[:min(archivedRecheck, len(seen))] {
		recheck[seen[i]] = true
	}
	obj, err := st.Get(ctx, layout.History)
	if errors.Is(err, os.ErrNotExist) {
		return done, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("fetching %s: %w", layout.History, err)
	}
	var sizes []int64
	if err := json.Unmarshal(obj.Data, &sizes); err != nil {
		return nil, nil, failf(layout.History, "not a JSON list of sizes: %v", err)
	}
	for _, size := range sizes {
		if size > c.Size {
			beyond = append(beyond, size)
			continue
		}
		if checked[size] && !recheck[size] {
			continue
		}
		if err := checkArchivedOne(ctx, st, c, note, hr, verifiers, size); err != nil {
			return nil, nil, err
		}
		if !checked[size] {
			checked[size] = true
			done = append(done, size)
		}
	}
	slices.Sort(done)
	return done, beyond, nil
}

// checkArchivedOne checks the archived checkpoint of size (at most c's)
// against the tree of c, read through hr.
func checkArchivedOne(ctx context.Context, st store.Store, c checkpoint.Checkpoint, note []byte, hr tlog.HashReader, verifiers []*checkpoint.Verifier, size int64) error {
	key := layout.ArchivedCheckpoint(size)
	a, err := st.Get(ctx, key)
	if err != nil {
		return fmt.Errorf("fetching %s: %w", key, err)
	}
	ac, err := checkpoint.OpenWithOrigin(a.Data, verifiers...)
	if err != nil {
		return &Failure{Object: key, Err: err}
	}
	if ac.Origin != c.Origin || ac.Size != size {
		return failf(key, "is the checkpoint of %q at size %d", ac.Origin, ac.Size)
	}
	if size == c.Size {
		if ac.Hash != c.Hash {
			return splitView(key, c.Origin, a.Data, note, "two roots for size %d: %s archived, %s current", size, ac.Hash, c.Hash)
		}
		return nil
	}
	if err := checkPrefix(c, note, size, ac.Hash, a.Data, hr); err != nil {
		var f *Failure
		if errors.As(err, &f) {
			f.Object = key
		}
		return err
	}
	return nil
}

// CheckArchived checks the archived checkpoints of the given sizes, read
// from st (keys checkpoints/<size>), against the tree of note, a signed
// checkpoint whose tiles st holds: each must open with one of verifiers,
// be of the log's origin and its size, and be a prefix of the tree, else
// it is a failure (a split view when signed by a trusted key). Sizes
// beyond the tree are skipped. This is what Log does with Options
// SkipArchived unset, for a caller that knows the sizes itself (the
// mirror, whose copy's history is written last).
func CheckArchived(ctx context.Context, st store.Store, note []byte, sizes []int64, verifiers []*checkpoint.Verifier) error {
	c, err := checkpoint.OpenWithOrigin(note, verifiers...)
	if err != nil {
		return &Failure{Object: "checkpoint", Err: err}
	}
	hr := tiles.HashReader(ctx, tlog.Tree{N: c.Size, Hash: c.Hash}, store.Fetcher(st))
	for _, size := range sizes {
		if size > c.Size {
			continue
		}
		if err := checkArchivedOne(ctx, st, c, note, hr, verifiers, size); err != nil {
			return err
		}
	}
	return nil
}
