package mirror

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"

	"stele/layout"
	"stele/store"
	"stele/tiles"
	"stele/verify"
)

// history is a log's fetched history object, written after the archived
// checkpoints it lists.
type history struct {
	obj   *store.Object
	sizes []int64
}

// archivedCheckpoints fetches the log's history and every archived
// checkpoint it lists up to the size of note (the mirrored checkpoint),
// and checks them as stele verify does: each signed by a trusted key for
// the log's origin, of its size, and a prefix of the mirrored tree (read
// from the verified copy). Sizes beyond it (the source published while
// the mirror ran) are left out of the copy's history, so that the copy
// never lists a checkpoint newer than its own; the next mirror run copies
// them. A log without history (any log not written by stele) has none:
// the result is nil.
func (r *run) archivedCheckpoints(ctx context.Context, prefix string, note []byte, size int64) (*history, error) {
	key := prefix + layout.History
	obj, err := r.src.Get(ctx, key)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", key, err)
	}
	if obj, err = Normalize(key, obj); err != nil {
		return nil, err
	}
	r.c.gotRemote(len(obj.Data))
	sizes, err := ParseHistory(obj.Data)
	if err != nil {
		return nil, &verify.Failure{Object: layout.History, Err: err}
	}
	if n := len(sizes); n > 0 && sizes[n-1] > size {
		for n > 0 && sizes[n-1] > size {
			n--
		}
		sizes = sizes[:n]
		obj.Data = append(FormatHistory(sizes), '\n') // as the publisher writes it
	}
	r.c.expected.Add(int64(len(sizes)))
	keys := make([]string, len(sizes))
	for i, s := range sizes {
		keys[i] = prefix + layout.ArchivedCheckpoint(s)
	}
	found := make([]bool, len(sizes))
	err = r.eachIndex(ctx, len(keys), func(ctx context.Context, i int) error {
		_, ok, err := r.fetchOptional(ctx, keys[i])
		found[i] = ok
		return err
	})
	if err != nil {
		return nil, err
	}
	var present []int64
	for i, ok := range found {
		if ok {
			present = append(present, sizes[i])
		}
	}
	var copied store.Store = r.dst
	if prefix != "" {
		copied = store.Sub(r.dst, prefix)
	}
	if err := verify.CheckArchived(ctx, copied, note, present, r.opts.Verifiers); err != nil {
		return nil, err
	}
	return &history{obj: &obj, sizes: sizes}, nil
}

// namespaceObjects fetches a namespace's Plexi objects (its info, its
// last-verified-epoch, the audit of every signed epoch) and its pages.
func (r *run) namespaceObjects(ctx context.Context, ns string, size int64, au *audits, h *history) error {
	keys := []string{
		layout.Namespace(ns),
		layout.LastVerifiedEpoch(ns),
		layout.NamespacePage(ns),
		layout.EpochList(ns),
		layout.EpochIndex(ns),
		layout.HistoryIndex(ns),
	}
	for k := int64(0); k*tiles.Width < size; k++ {
		keys = append(keys, layout.EpochPage(ns, k))
	}
	if h != nil {
		pages := (len(h.sizes)-1)/layout.HistoryPageSize + 1
		for p := 0; p < pages-1; p++ {
			keys = append(keys, layout.HistoryPage(ns, p))
		}
	}
	r.c.expected.Add(int64(len(keys)))
	if err := r.each(ctx, keys, func(ctx context.Context, key string) error {
		_, _, err := r.fetchOptional(ctx, key)
		return err
	}); err != nil {
		return err
	}
	r.c.expected.Add(int64(len(au.list)))
	return r.eachIndex(ctx, len(au.list), func(ctx context.Context, i int) error {
		a := au.list[i]
		key := layout.Audit(ns, a.Epoch)
		obj, found, err := r.fetchOptional(ctx, key)
		if err != nil || !found {
			return err
		}
		data, err := obj.Decoded()
		if err != nil {
			return &verify.Failure{Object: key, Err: err}
		}
		return verify.CheckAuditObject(key, a, data)
	})
}

// siteObjects fetches the site-wide objects: Plexi's info and namespace
// list, the index page, and the assets the pages load.
func (r *run) siteObjects(ctx context.Context, prefixes []string) error {
	keys := []string{layout.Info, layout.Namespaces, layout.IndexPage}
	r.c.expected.Add(int64(len(keys)))
	if err := r.each(ctx, keys, func(ctx context.Context, key string) error {
		_, _, err := r.fetchOptional(ctx, key)
		return err
	}); err != nil {
		return err
	}
	pages := []string{layout.IndexPage}
	for _, p := range prefixes {
		pages = append(pages, p+"index.html")
	}
	seen := map[string]bool{}
	var assets []string
	for _, p := range pages {
		obj, err := r.dst.Get(ctx, p)
		if err != nil {
			continue // not mirrored: the source has no such page
		}
		data, err := obj.Decoded()
		if err != nil {
			continue
		}
		for _, a := range AssetRefs(data) {
			if !seen[a] {
				seen[a] = true
				assets = append(assets, a)
			}
		}
	}
	r.c.expected.Add(int64(len(assets)))
	return r.each(ctx, assets, func(ctx context.Context, key string) error {
		_, _, err := r.fetchOptional(ctx, key)
		return err
	})
}

var assetRef = regexp.MustCompile(`(?:^|[^A-Za-z0-9._/-])/?(?:\.\./|\./)*(` + regexp.QuoteMeta(layout.AssetPrefix) + `[A-Za-z0-9][A-Za-z0-9._-]{0,127})`)

// AssetRefs returns the keys of the site assets (layout.AssetPrefix) that
// an HTML page refers to by a relative path (or one from the host's root),
// each once, in order of
// appearance. Only valid store keys are returned.
func AssetRefs(page []byte) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range assetRef.FindAllSubmatch(page, -1) {
		k := string(m[1])
		if seen[k] || store.CheckKey(k) != nil {
			continue
		}
		seen[k] = true
		out = append(out, k)
	}
	return out
}
