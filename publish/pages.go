package publish

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"stele/checkpoint"
	"stele/layout"
	"stele/record"
	"stele/site"
	"stele/tiles"
)

// The website's pages. publish writes them after the entry bundles and
// tiles and before the checkpoint (writePages), and archive writes the
// checkpoint history after the archived copy it lists (writeHistoryPages),
// so no page links to an object that is not there yet. site renders; this
// file gathers the data and writes only the pages a run changed: the pages
// of the entry bundles it appended to, and the short-lived pages that
// summarise the log, each skipped when the store already holds its bytes.

// writePages writes the pages of the entries this run appended and the
// namespace's and site's summary pages, for the log as it will be once the
// checkpoint is swapped in.
func (r *nsRun) writePages(ctx context.Context) error {
	key, script := site.Script()
	if _, err := r.j.site.Get(ctx, key); isNotExist(err) {
		err = r.j.site.Create(ctx, key, site.Gzip(script), md(layout.MDScript))
		if err != nil {
			return fmt.Errorf("writing %s: %w", key, err)
		}
	} else if err != nil {
		return fmt.Errorf("reading %s: %w", key, err)
	}
	pub, size := r.log.Published().Size, r.log.Size()
	idx, err := r.loadEpochIndex(ctx)
	if err != nil {
		return err
	}
	from := pub // the first entry whose page may change
	if idx == nil || idx.Size < pub {
		// No usable index (a site published before pages existed, or a
		// damaged one): rebuild every page from the log.
		idx, from = &site.EpochIndex{}, 0
	}
	meta, ref := r.j.siteMeta(), r.logRef()
	idx.TruncatePages(site.PageOf(from))
	for k := site.PageOf(from); k*tiles.Width < size; k++ {
		entries, err := r.bundleEntries(ctx, k, pub, size)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if err := idx.Add(e.Index, e.Record); err != nil {
				return err
			}
		}
		b, err := site.RenderEpochs(site.Epochs{Meta: meta, Log: ref, Bundle: k, Entries: entries})
		if err != nil {
			return err
		}
		m := layout.MDPage
		if len(entries) == tiles.Width {
			m = layout.MDPageImmutable
		}
		if err := r.j.putPage(ctx, layout.EpochPage(r.ns.Name, k), b, m, k*tiles.Width < pub); err != nil {
			return err
		}
	}
	b, err := idx.Marshal()
	if err != nil {
		return err
	}
	if err := r.j.putPage(ctx, layout.EpochIndex(r.ns.Name), b, layout.MDPageIndex, true); err != nil {
		return err
	}
	if b, err = site.RenderEpochList(site.EpochList{Meta: meta, Log: ref, Pages: idx}); err != nil {
		return err
	}
	if err := r.j.putPage(ctx, layout.EpochList(r.ns.Name), b, layout.MDPage, true); err != nil {
		return err
	}
	logs, err := r.j.pageLogs(ctx, r, idx)
	if err != nil {
		return err
	}
	for _, l := range logs {
		if l.Name != r.ns.Name {
			continue
		}
		if b, err = site.RenderOverview(site.Overview{Meta: meta, Log: l, Pages: idx}); err != nil {
			return err
		}
		if err := r.j.putPage(ctx, layout.NamespacePage(r.ns.Name), b, layout.MDPage, true); err != nil {
			return err
		}
	}
	if b, err = site.RenderIndex(site.Index{Meta: meta, Logs: logs}); err != nil {
		return err
	}
	return r.j.putPage(ctx, layout.IndexPage, b, layout.MDPage, true)
}

// writeHistoryPages writes the checkpoint-history pages for the archived
// sizes: the newest page, and the one before it (which a new newest page
// turns from the index into a numbered page). When the history was rebuilt
// from a listing (all false) every page is written.
func (r *nsRun) writeHistoryPages(ctx context.Context, sizes []int64, all bool) error {
	meta, ref := r.j.siteMeta(), r.logRef()
	last := site.HistoryPages(len(sizes)) - 1
	first := max(last-1, 0)
	if all {
		first = 0
	}
	for p := last; p >= first; p-- {
		b, err := site.RenderHistory(site.History{Meta: meta, Log: ref, Sizes: sizes, Page: p})
		if err != nil {
			return err
		}
		if err := r.j.putPage(ctx, site.HistoryKey(r.ns.Name, len(sizes), p), b, layout.MDPage, true); err != nil {
			return err
		}
	}
	return nil
}

// putPage stores a page (or the pages' JSON index) gzip-compressed, unless
// mayExist and the store already holds the same bytes with the same
// metadata.
func (j *Job) putPage(ctx context.Context, key string, data []byte, m layout.Metadata, mayExist bool) error {
	body := data
	if m.ContentEncoding == "gzip" {
		body = site.Gzip(data)
	}
	if mayExist {
		obj, err := j.site.Get(ctx, key)
		switch {
		case err == nil && obj.ContentType == m.ContentType && obj.CacheControl == m.CacheControl:
			if bytes.Equal(obj.Data, body) {
				return nil
			}
			if old, err := obj.Decoded(); err == nil && bytes.Equal(old, data) {
				return nil
			}
		case err != nil && !isNotExist(err):
			return fmt.Errorf("reading %s: %w", key, err)
		}
	}
	if err := j.site.Put(ctx, key, body, md(m)); err != nil {
		return fmt.Errorf("writing %s: %w", key, err)
	}
	return nil
}

// loadEpochIndex reads the namespace's epoch-page index; nil when there is
// none or it does not parse (then the pages are rebuilt).
func (r *nsRun) loadEpochIndex(ctx context.Context) (*site.EpochIndex, error) {
	obj, err := r.j.site.Get(ctx, layout.EpochIndex(r.ns.Name))
	if isNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the epoch index: %w", err)
	}
	data, err := obj.Decoded()
	if err == nil {
		var idx *site.EpochIndex
		if idx, err = site.ParseEpochIndex(data); err == nil {
			return idx, nil
		}
	}
	r.j.log.Warn("rebuilding the epoch pages", "namespace", r.ns.Name, "err", err)
	return nil, nil
}

// bundleEntries returns the records of entry bundle k of the log grown to
// size: those before pub (the published size) read from the bundle and
// checked against the tree, the rest from this run.
func (r *nsRun) bundleEntries(ctx context.Context, k, pub, size int64) ([]site.Entry, error) {
	lo, hi := k*tiles.Width, min(size, (k+1)*tiles.Width)
	var lines [][]byte
	if lo < pub {
		old, err := r.publishedLines(ctx, k, min(hi, pub)-lo, hi-lo)
		if err != nil {
			return nil, err
		}
		lines = old
	}
	for i := max(lo, pub); i < hi; i++ {
		line, err := r.added[i-pub].Marshal()
		if err != nil {
			return nil, fmt.Errorf("encoding the record of entry %d: %w", i, err)
		}
		lines = append(lines, line)
	}
	entries := make([]site.Entry, len(lines))
	for j, line := range lines {
		rec, err := record.Parse(line)
		if err != nil {
			return nil, fmt.Errorf("%w: entry %d: %v", ErrCorrupt, lo+int64(j), err)
		}
		e := site.Entry{Index: lo + int64(j), Line: line, Record: rec}
		for _, p := range rec.Proofs {
			e.ProofURLs = append(e.ProofURLs, r.src.URL(p.Name))
		}
		entries[j] = e
	}
	return entries, nil
}

// publishedLines reads the first w entries of bundle k, published before
// this run, from the bundle of width w or, failing that, of width now (the
// one this run wrote), and checks them against the log's tree.
func (r *nsRun) publishedLines(ctx context.Context, k int64, w, now int64) ([][]byte, error) {
	t := tlog.Tile{H: tiles.Height, L: -1, N: k, W: int(w)}
	lines, err := readCovered(ctx, r.st, t)
	if isNotExist(err) && now > w {
		t.W = int(now)
		lines, err = readCovered(ctx, r.st, t)
	}
	if err != nil {
		return nil, err
	}
	lines = lines[:w]
	idx := make([]int64, len(lines))
	for j := range lines {
		idx[j] = tlog.StoredHashIndex(0, k*tiles.Width+int64(j))
	}
	want, err := r.log.ReadHashes(idx)
	if err != nil {
		return nil, fmt.Errorf("reading the leaf hashes of bundle %d: %w", k, err)
	}
	for j, line := range lines {
		if tlog.RecordHash(line) != want[j] {
			return nil, fmt.Errorf("%w: %s: entry %d does not match the tree", ErrCorrupt, tiles.Path(t), k*tiles.Width+int64(j))
		}
	}
	return lines, nil
}

// siteMeta is what every page says about the site.
func (j *Job) siteMeta() site.Meta {
	return site.Meta{
		Title:       j.cfg.Title,
		Origin:      j.cfg.Origin,
		VerifierKey: j.signer.VerifierKey(),
		PlexiKey:    hex.EncodeToString(j.signer.PublicKey()),
	}
}

func (r *nsRun) logRef() site.LogRef {
	return site.LogRef{Name: r.ns.Name, Origin: r.origin, VerifierKey: r.j.signer.WithName(r.origin).VerifierKey()}
}

// pageLogs describes every configured namespace for the front page: the
// one this run publishes from its state (idx is its epoch index), the
// others from what the site holds.
func (j *Job) pageLogs(ctx context.Context, cur *nsRun, idx *site.EpochIndex) ([]site.Log, error) {
	var logs []site.Log
	for i := range j.cfg.Namespaces {
		ns := &j.cfg.Namespaces[i]
		origin := j.cfg.Origin + "/" + ns.Name
		l := site.Log{
			LogRef:        site.LogRef{Name: ns.Name, Origin: origin, VerifierKey: j.signer.WithName(origin).VerifierKey()},
			Configuration: ns.Configuration,
			Domain:        ns.Domain,
			Anchor:        ns.Root,
		}
		info := j.infos[ns.Name]
		if info.LogDirectory != nil && strings.HasPrefix(*info.LogDirectory, "http") {
			l.SourceURL = *info.LogDirectory
		}
		var err error
		if ns.Name == cur.ns.Name {
			err = cur.describe(ctx, &l, idx)
		} else {
			err = j.describeStored(ctx, &l, info)
		}
		if err != nil {
			return nil, err
		}
		logs = append(logs, l)
	}
	return logs, nil
}

// describe fills in the log's state as this run leaves it.
func (r *nsRun) describe(ctx context.Context, l *site.Log, idx *site.EpochIndex) error {
	l.Status = r.status()
	l.Size = r.log.Size()
	root, err := r.log.Root()
	if err != nil {
		return err
	}
	l.RootHash = base64.StdEncoding.EncodeToString(root[:])
	if r.last != nil && r.last.Kind == record.KindViolation {
		l.Halt = &site.Violation{Entry: l.Size - 1, Epoch: r.last.Epoch, Reason: r.last.Reason}
	}
	for i := len(r.added) - 1; i >= 0; i-- {
		if rec := r.added[i]; rec.Signature != nil {
			e := rec.Epoch
			l.LastEpoch, l.LastVerifiedAt = &e, rec.VerifiedAt
			return nil
		}
	}
	return r.j.describeLastSigned(ctx, l, r.j.infos[r.ns.Name])
}

// describeStored fills in a log this run does not publish from its
// checkpoint and Plexi objects.
func (j *Job) describeStored(ctx context.Context, l *site.Log, info site.NamespaceInfo) error {
	switch info.Status {
	case site.StatusOnline:
		l.Status = site.LogOnline
	case site.StatusDisabled:
		l.Status = site.LogHalted
	default:
		l.Status = site.LogInitialization
	}
	obj, err := j.site.Get(ctx, layout.LogPrefix(l.Name)+layout.Checkpoint)
	switch {
	case isNotExist(err):
	case err != nil:
		return fmt.Errorf("reading the checkpoint of %s: %w", l.Name, err)
	default:
		v, err := checkpoint.NewVerifier(l.VerifierKey)
		if err != nil {
			return err
		}
		if c, err := checkpoint.Open(obj.Data, v); err == nil {
			l.Size, l.RootHash = c.Size, base64.StdEncoding.EncodeToString(c.Hash[:])
		} else {
			j.log.Warn("the checkpoint does not verify; the front page omits it", "namespace", l.Name, "err", err)
		}
	}
	if l.Status == site.LogHalted {
		if obj, err := j.site.Get(ctx, layout.EpochIndex(l.Name)); err == nil {
			if idx, err := site.ParseEpochIndex(obj.Data); err == nil && len(idx.Violations) > 0 {
				v := idx.Violations[len(idx.Violations)-1]
				l.Halt = &v
			}
		}
	}
	return j.describeLastSigned(ctx, l, info)
}

// describeLastSigned takes the last signed epoch from the namespace's
// Plexi info and its time from that epoch's published signature.
func (j *Job) describeLastSigned(ctx context.Context, l *site.Log, info site.NamespaceInfo) error {
	if info.LastVerifiedEpoch == nil {
		return nil
	}
	e := *info.LastVerifiedEpoch
	l.LastEpoch = &e
	obj, err := j.site.Get(ctx, layout.Audit(l.Name, e))
	if isNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("reading the audit of epoch %d of %s: %w", e, l.Name, err)
	}
	if resp, err := record.ParseSignatureResponse(bytes.TrimSuffix(obj.Data, []byte("\n"))); err == nil {
		l.LastVerifiedAt = resp.Timestamp
	}
	return nil
}
