package mirror

import (
	"context"
	"errors"
	"fmt"
	"os"

	"golang.org/x/mod/sumdb/tlog"

	"stele/checkpoint"
	"stele/layout"
	"stele/store"
	"stele/tiles"
	"stele/verify"
)

// checkLocal compares the checkpoint just verified, note, with the one the
// destination already holds for the log, if any, before anything replaces
// it. The source must extend the local copy: a smaller tree (a rollback),
// the same size with another root, or a larger tree that does not contain
// the local one (checked from the tiles just verified, not from anything
// the source says about it) is a failure naming both checkpoints, and the
// local copy is left as it is. A local checkpoint that is not signed by a
// trusted key for the same origin is refused too: the destination holds
// another log. The hash tiles of the proof are read from tilesFrom and
// authenticated against the new checkpoint.
func (r *run) checkLocal(ctx context.Context, prefix string, note []byte, tilesFrom store.Store) error {
	obj, err := r.dst.Get(ctx, prefix+layout.Checkpoint)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading the local checkpoint: %w", err)
	}
	cur, err := checkpoint.OpenWithOrigin(note, r.opts.Verifiers...)
	if err != nil {
		return &verify.Failure{Object: layout.Checkpoint, Err: err}
	}
	old, err := checkpoint.OpenWithOrigin(obj.Data, r.opts.Verifiers...)
	if err != nil {
		return &verify.Failure{Object: layout.Checkpoint, Err: fmt.Errorf("the local copy's checkpoint does not verify (another log or key is mirrored there): %w", err)}
	}
	fork := func(what string) error {
		return &verify.Failure{Object: layout.Checkpoint, Err: fmt.Errorf("%s: the local copy has %s, the source %s\nlocal checkpoint:\n%s\nsource checkpoint:\n%s",
			what, old, cur, obj.Data, note)}
	}
	switch {
	case old.Origin != cur.Origin:
		return fork("the local copy holds another log")
	case old.Size > cur.Size:
		return fork("the source's tree is smaller than the local copy's (a rollback)")
	case old.Size == cur.Size && old.Hash != cur.Hash:
		return fork("the source and the local copy have different trees of the same size (a split view)")
	case old.Size == cur.Size || old.Size == 0:
		return nil
	}
	f := tiles.FetcherFunc(func(ctx context.Context, path string) ([]byte, error) {
		o, err := tilesFrom.Get(ctx, prefix+path)
		if err != nil {
			return nil, err
		}
		if o, err = Normalize(prefix+path, o); err != nil {
			return nil, err
		}
		return o.Data, nil
	})
	h, err := tlog.TreeHash(old.Size, tiles.HashReader(ctx, tlog.Tree{N: cur.Size, Hash: cur.Hash}, f))
	if err != nil {
		return fmt.Errorf("proving the local checkpoint's tree is contained in the source's: %w", err)
	}
	if h != old.Hash {
		return fork(fmt.Sprintf("the source's tree does not contain the local copy's (its first %d entries hash to %s)", old.Size, h))
	}
	return nil
}
