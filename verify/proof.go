package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"stele/checkpoint"
	"stele/layout"
	"stele/record"
	"stele/store"
	"stele/tiles"
	"stele/tlogproof"
)

// Prove builds the C2SP tlog-proof of the audit record of one epoch in a
// namespace's log at a site root: the record's bytes as the extra data,
// its index, the inclusion proof from the tiles, and the checkpoint
// verbatim. The tiles are authenticated against the checkpoint's root; the
// checkpoint's signature is for the proof's reader to check (VerifyProof).
func Prove(ctx context.Context, site store.Store, namespace string, epoch uint64) ([]byte, error) {
	st := store.Sub(site, layout.LogPrefix(namespace))
	obj, err := st.Get(ctx, layout.Checkpoint)
	if err != nil {
		return nil, fmt.Errorf("fetching the checkpoint of %s: %w", namespace, err)
	}
	body, _, ok := bytes.Cut(obj.Data, []byte("\n\n"))
	if !ok {
		return nil, failf(layout.Checkpoint, "not a signed note")
	}
	c, err := checkpoint.Parse(append(body, '\n'))
	if err != nil {
		return nil, &Failure{Object: layout.Checkpoint, Err: err}
	}
	tree := tlog.Tree{N: c.Size, Hash: c.Hash}
	lr := &logReader{ctx: ctx, st: st, tree: tree, hashes: tiles.HashReader(ctx, tree, store.Fetcher(st))}
	i, line, err := lr.findEpoch(epoch)
	if err != nil {
		return nil, err
	}
	p, err := tlog.ProveRecord(c.Size, i, lr.hashes)
	if err != nil {
		return nil, fmt.Errorf("proving entry %d: %w", i, err)
	}
	return tlogproof.Format(tlogproof.Proof{Extra: line, Index: i, Hashes: p, Checkpoint: obj.Data}), nil
}

// VerifyProof checks a tlog-proof offline: the checkpoint's signature
// under one of verifiers (derived for its origin), the inclusion of the
// extra data as the entry at the index, and, since stele puts the audit
// record there, the record's Plexi signature under the same key. It
// returns the record.
func VerifyProof(doc []byte, verifiers []*checkpoint.Verifier) (*record.Record, checkpoint.Checkpoint, error) {
	p, err := tlogproof.Parse(doc)
	if err != nil {
		return nil, checkpoint.Checkpoint{}, &Failure{Object: "proof", Err: err}
	}
	c, err := checkpoint.OpenWithOrigin(p.Checkpoint, verifiers...)
	if err != nil {
		return nil, c, &Failure{Object: "proof checkpoint", Err: err}
	}
	if p.Extra == nil {
		return nil, c, failf("proof", "no extra line: a stele proof carries the audit record there")
	}
	if err := tlog.CheckRecord(p.Hashes, c.Size, c.Hash, p.Index, tlog.RecordHash(p.Extra)); err != nil {
		return nil, c, failf("proof", "entry %d is not in the tree of %s: %v", p.Index, c, err)
	}
	rec, err := record.Parse(p.Extra)
	if err != nil {
		return nil, c, failf("proof", "the extra data is not an audit record: %v", err)
	}
	if c.Origin != rec.Namespace && !strings.HasSuffix(c.Origin, "/"+rec.Namespace) {
		return rec, c, failf("proof", "a record of namespace %q in the log of %q", rec.Namespace, c.Origin)
	}
	if rec.Signature != nil {
		var sigErr error
		for _, v := range verifiers {
			if sigErr = rec.VerifySignature(v.PublicKey()); sigErr == nil {
				break
			}
		}
		if sigErr != nil {
			return rec, c, failf("proof", "the record's Plexi signature: %v", sigErr)
		}
	}
	return rec, c, nil
}

// logReader reads authenticated entries of one log.
type logReader struct {
	ctx    context.Context
	st     store.Store
	tree   tlog.Tree
	hashes tlog.HashReader
}

// entry reads entry i and checks it against the tree.
func (lr *logReader) entry(i int64) ([]byte, error) {
	t := tiles.TileOf(-1, i, lr.tree.N)
	obj, path, err := getTile(lr.ctx, lr.st, t)
	if err != nil {
		return nil, err
	}
	data, err := tiles.DecodeBundleBytes(obj.Data, obj.ContentEncoding)
	if err != nil {
		return nil, &Failure{Object: path, Err: err}
	}
	want := t.W
	if path != tiles.Path(t) {
		want = tiles.Width
	}
	entries, err := tiles.ParseBundleN(data, want)
	if err != nil {
		return nil, &Failure{Object: path, Err: err}
	}
	e := entries[i-t.N*tiles.Width]
	h, err := lr.hashes.ReadHashes([]int64{tlog.StoredHashIndex(0, i)})
	if err != nil {
		if errors.Is(err, tiles.ErrInconsistentTile) {
			return nil, failf(path, "tiles do not match the checkpoint: %v", err)
		}
		return nil, fmt.Errorf("reading the leaf hash of entry %d: %w", i, err)
	}
	if tlog.RecordHash(e) != h[0] {
		return nil, failf(path, "entry %d does not match the tree", i)
	}
	return e, nil
}

func (lr *logReader) record(i int64) (*record.Record, []byte, error) {
	e, err := lr.entry(i)
	if err != nil {
		return nil, nil, err
	}
	rec, err := record.Parse(e)
	if err != nil {
		return nil, nil, failf(tiles.Path(tiles.TileOf(-1, i, lr.tree.N)), "entry %d: %v", i, err)
	}
	return rec, e, nil
}

// findEpoch finds the record of an epoch: entry epoch-anchor when no
// operator's anchor shifted the numbering, else by binary search (epochs
// never decrease along the log). When two records share the epoch (a
// violation and the anchor that resumed after it), the later one wins.
func (lr *logReader) findEpoch(epoch uint64) (int64, []byte, error) {
	if lr.tree.N == 0 {
		return 0, nil, fmt.Errorf("the log is empty: %w", errNoEpoch)
	}
	first, _, err := lr.record(0)
	if err != nil {
		return 0, nil, err
	}
	if epoch < first.Epoch {
		return 0, nil, fmt.Errorf("epoch %d is before the anchor %d: %w", epoch, first.Epoch, errNoEpoch)
	}
	if guess := int64(epoch - first.Epoch); guess < lr.tree.N {
		rec, line, err := lr.record(guess)
		if err != nil {
			return 0, nil, err
		}
		if rec.Epoch == epoch && (guess+1 == lr.tree.N || !lr.sameEpoch(guess+1, epoch)) {
			return guess, line, nil
		}
	}
	lo, hi := int64(0), lr.tree.N // the last index with Epoch <= epoch
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		rec, _, err := lr.record(mid)
		if err != nil {
			return 0, nil, err
		}
		if rec.Epoch <= epoch {
			lo = mid
		} else {
			hi = mid
		}
	}
	rec, line, err := lr.record(lo)
	if err != nil {
		return 0, nil, err
	}
	if rec.Epoch != epoch {
		return 0, nil, fmt.Errorf("epoch %d is not in the log (size %d): %w", epoch, lr.tree.N, errNoEpoch)
	}
	return lo, line, nil
}

func (lr *logReader) sameEpoch(i int64, epoch uint64) bool {
	rec, _, err := lr.record(i)
	return err == nil && rec.Epoch == epoch
}

// errNoEpoch: the asked epoch is not in the log.
var errNoEpoch = errors.New("no such epoch")

// IsNoEpoch reports whether err means the epoch is not logged.
func IsNoEpoch(err error) bool { return errors.Is(err, errNoEpoch) }
