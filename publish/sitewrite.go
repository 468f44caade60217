package publish

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"

	"stele/layout"
	"stele/record"
	"stele/site"
	"stele/store"
)

// publish writes everything this run appended, in the safe order: the
// remaining tiles and bundles, the Plexi API objects, then the checkpoint
// by compare-and-swap, and after it the archived copy and the history.
func (r *nsRun) publish(ctx context.Context) error {
	if err := r.flush(ctx, true); err != nil {
		return err
	}
	root := r.j.site
	var lastVerified *record.Record
	for _, rec := range r.added {
		if rec.Signature == nil {
			continue
		}
		resp, err := rec.SignatureResponse()
		if err != nil {
			return fmt.Errorf("Plexi response for epoch %d: %w", rec.Epoch, err)
		}
		b, err := resp.Marshal()
		if err != nil {
			return fmt.Errorf("Plexi response for epoch %d: %w", rec.Epoch, err)
		}
		if err := root.Create(ctx, layout.Audit(r.ns.Name, rec.Epoch), append(b, '\n'), md(layout.MDAudit)); err != nil {
			if errors.Is(err, store.ErrImmutable) {
				// Beyond the checkpoint: a leftover, not evidence (exit 3).
				return fmt.Errorf("%w: the audit of epoch %d holds other bytes (%v)", ErrLeftover, rec.Epoch, err)
			}
			return fmt.Errorf("writing the audit of epoch %d: %w", rec.Epoch, err)
		}
		if rec.Kind == record.KindVerified {
			lastVerified = rec
		}
		r.j.noteKeyUse(rec.VerifiedAt)
	}
	if lastVerified != nil {
		lve := site.LastVerifiedEpoch{
			JobID:     site.JobID(r.ns.Name, lastVerified.Epoch),
			Epoch:     lastVerified.Epoch,
			StartHash: lastVerified.PreviousDigest,
			EndHash:   lastVerified.Digest,
			Timestamp: lastVerified.VerifiedAt,
		}
		if err := r.j.putJSON(ctx, layout.LastVerifiedEpoch(r.ns.Name), lve); err != nil {
			return err
		}
	}
	info := r.j.infos[r.ns.Name]
	info.Status = site.StatusOnline
	if r.last.Kind == record.KindViolation {
		info.Status = site.StatusDisabled
	}
	if lastSigned := r.lastSignedEpoch(); lastSigned != nil {
		info.LastVerifiedEpoch = lastSigned
	}
	if u := r.src.URL(""); strings.HasPrefix(u, "http") {
		info.LogDirectory = &u
	}
	r.j.infos[r.ns.Name] = info
	if err := r.j.putJSON(ctx, layout.Namespace(r.ns.Name), info); err != nil {
		return err
	}
	if err := r.j.writeSiteIndex(ctx); err != nil {
		return err
	}
	if err := r.writePages(ctx); err != nil {
		return err
	}
	if r.lease != nil {
		if err := r.lease.renew(ctx, r.j.opts.Now(), r.j.cfg.LeaseTTL.Duration); err != nil {
			return err
		}
	}
	c, err := r.log.Commit(ctx)
	if err != nil {
		return err
	}
	r.j.log.Info("published", "namespace", r.ns.Name, "size", c.Size, "last_epoch", r.last.Epoch)
	return r.archive(ctx)
}

// errSplitView marks two different checkpoints published for one size.
var errSplitView = errors.New("split view")

// lastSignedEpoch is the newest epoch this run signed, if any.
func (r *nsRun) lastSignedEpoch() *uint64 {
	for i := len(r.added) - 1; i >= 0; i-- {
		if r.added[i].Signature != nil {
			e := r.added[i].Epoch
			return &e
		}
	}
	return nil
}

// archive keeps a copy of the published checkpoint at checkpoints/<size>
// and lists its size in history. Every run does it first for the
// checkpoint it found, so a run that died after its swap is completed;
// history is written after the copy, so a size it lists needs nothing.
func (r *nsRun) archive(ctx context.Context) error {
	note := r.log.PublishedNote()
	if note == nil {
		return nil
	}
	size := r.log.Published().Size
	sizes, fromObject, err := r.history(ctx)
	if err != nil {
		return err
	}
	i := sort.Search(len(sizes), func(i int) bool { return sizes[i] >= size })
	listed := i < len(sizes) && sizes[i] == size
	if listed && fromObject {
		return nil
	}
	if err := r.st.Create(ctx, layout.ArchivedCheckpoint(size), note, md(layout.MDArchived)); err != nil {
		if errors.Is(err, store.ErrImmutable) {
			// Another checkpoint of the same size was published: two
			// trees of one size, evidence kept where it is (exit 1).
			return fmt.Errorf("%w: %s holds another checkpoint of size %d: %v", errSplitView, layout.ArchivedCheckpoint(size), size, err)
		}
		return fmt.Errorf("archiving the checkpoint of size %d: %w", size, err)
	}
	if !listed {
		sizes = append(sizes[:i], append([]int64{size}, sizes[i:]...)...)
	}
	b, _ := json.Marshal(sizes)
	if err := r.st.Put(ctx, layout.History, append(b, '\n'), md(layout.MDHistory)); err != nil {
		return fmt.Errorf("writing history: %w", err)
	}
	if err := r.writeHistoryPages(ctx, sizes, !fromObject); err != nil {
		return err
	}
	return r.st.Sync(ctx)
}

// history reads the list of archived sizes; when it is missing or
// unreadable it is rebuilt from a listing (fromObject false).
func (r *nsRun) history(ctx context.Context) (sizes []int64, fromObject bool, err error) {
	obj, err := r.st.Get(ctx, layout.History)
	if err == nil && json.Unmarshal(obj.Data, &sizes) == nil && sort.SliceIsSorted(sizes, func(i, j int) bool { return sizes[i] < sizes[j] }) {
		return sizes, true, nil
	}
	if err != nil && !isNotExist(err) {
		return nil, false, fmt.Errorf("reading history: %w", err)
	}
	keys, err := r.st.List(ctx, "checkpoints/")
	if err != nil {
		return nil, false, fmt.Errorf("listing archived checkpoints: %w", err)
	}
	sizes = sizes[:0]
	for _, k := range keys {
		if n, err := strconv.ParseInt(strings.TrimPrefix(k, "checkpoints/"), 10, 64); err == nil && n >= 0 {
			sizes = append(sizes, n)
		}
	}
	sort.Slice(sizes, func(i, j int) bool { return sizes[i] < sizes[j] })
	return sizes, false, nil
}

// putJSON writes a short-lived API object.
func (j *Job) putJSON(ctx context.Context, key string, v any) error {
	b, err := site.Marshal(v)
	if err != nil {
		return err
	}
	if err := j.site.Put(ctx, key, b, md(layout.MDAPI)); err != nil {
		return fmt.Errorf("writing %s: %w", key, err)
	}
	return nil
}

// writeSiteIndex writes /namespaces and /info from what the run knows.
func (j *Job) writeSiteIndex(ctx context.Context) error {
	var list site.Namespaces
	var logs []string
	for _, ns := range j.cfg.Namespaces {
		list.Namespaces = append(list.Namespaces, j.infos[ns.Name])
		logs = append(logs, "/"+layout.LogPrefix(ns.Name))
	}
	if err := j.putJSON(ctx, layout.Namespaces, list); err != nil {
		return err
	}
	info := site.Info{
		Keys: []site.KeyInfo{{PublicKey: hex.EncodeToString(j.signer.PublicKey()), NotBefore: j.notBefore}},
		Logs: logs,
	}
	return j.putJSON(ctx, layout.Info, info)
}

// noteKeyUse lowers the key's not_before to the earliest signature seen.
func (j *Job) noteKeyUse(ms int64) {
	if j.notBefore == 0 || ms < j.notBefore {
		j.notBefore = ms
	}
}

// loadKeyInfo takes not_before from the published /info, so it stays put.
// Only an absent /info is a new site: another failure to read it is
// returned, as writing /info without what it said would move not_before.
func (j *Job) loadKeyInfo(ctx context.Context) error {
	obj, err := j.site.Get(ctx, layout.Info)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", layout.Info, err)
	}
	var info site.Info
	if json.Unmarshal(obj.Data, &info) != nil {
		return nil // not ours to keep: rewritten from what this run knows
	}
	for _, k := range info.Keys {
		if k.PublicKey == hex.EncodeToString(j.signer.PublicKey()) && k.NotBefore > 0 {
			j.noteKeyUse(k.NotBefore)
		}
	}
	return nil
}
