package archive

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"stele/store"
	"stele/tiles"
)

// OpenStore opens archives as a read-only store:
//
//   - a zip file: the log it holds, keys "checkpoint", "tile/...";
//   - a directory of NNN.zip files: one log split as [Pack] splits it;
//   - a directory of such directories: a site, each subdirectory the log
//     of the namespace it is named after, keys "logs/<namespace>/...".
//
// Every zip is opened and its entry names checked up front (an unsafe name
// fails with an error wrapping [ErrUnsafeEntry]); the zips of one log must
// hold the same checkpoint. Get of an absent key wraps os.ErrNotExist.
// Writes fail with store.ErrReadOnly. The store holds the zip files open:
// it implements io.Closer.
func OpenStore(path string) (store.Store, error) {
	return layout{level: DefaultLevel}.open(path)
}

// IsArchive reports whether path looks like something OpenStore opens: a
// file named *.zip, or a directory holding NNN.zip files or
// subdirectories that do.
func IsArchive(path string) bool {
	fi, err := os.Stat(path)
	if err != nil {
		return false
	}
	if !fi.IsDir() {
		return strings.HasSuffix(strings.ToLower(path), ".zip")
	}
	if zips, _ := zipFiles(path); len(zips) > 0 {
		return true
	}
	subs, _ := os.ReadDir(path)
	for _, s := range subs {
		if s.IsDir() {
			if zips, _ := zipFiles(filepath.Join(path, s.Name())); len(zips) > 0 {
				return true
			}
		}
	}
	return false
}

// Held returns the entries [start, end) whose subtree the zip holds, when
// st is what OpenStore made of one zip file and size is the size of the
// log (its checkpoint's): [k·256³, (k+1)·256³) for zip k, cut at size, so
// the whole log when it fits in one zip. ok is false for other stores: a
// directory of zips must hold every zip of its log.
//
// Which subtree a zip holds is read from its content (the full tiles it
// owns, the lowest subtree if they disagree), not from its file name; a
// zip that owns no full tile is the last one, holding only the right edge.
func Held(st store.Store, size int64) (start, end int64, ok bool) {
	l, isLog := st.(*logStore)
	if !isLog || !l.single {
		return 0, 0, false
	}
	k := l.lo.zips(size) - 1
	for name := range l.zips[0].files {
		if t, err := tiles.ParsePath(name); err == nil {
			if owner, shared := l.lo.owner(t); !shared {
				k = min(k, owner) // the same answer whatever the order
			}
		}
	}
	per := l.lo.span(-1) * tiles.Width
	start, end = k*per, min((k+1)*per, size)
	if start >= end {
		return 0, 0, false
	}
	return start, end, true
}

func (lo layout) open(path string) (store.Store, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	if !fi.IsDir() {
		z, err := openZip(path)
		if err != nil {
			return nil, err
		}
		return &logStore{lo: lo, zips: map[int64]*zipFile{0: z}, single: true}, nil
	}
	zips, err := zipFiles(path)
	if err != nil {
		return nil, err
	}
	if len(zips) > 0 {
		return lo.openLog(path, zips)
	}
	subs, err := os.ReadDir(path)
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	s := &siteStore{logs: map[string]*logStore{}}
	for _, d := range subs {
		if !d.IsDir() || !validNamespace(d.Name()) {
			continue
		}
		dir := filepath.Join(path, d.Name())
		zips, err := zipFiles(dir)
		if err != nil {
			s.Close()
			return nil, err
		}
		if len(zips) == 0 {
			continue
		}
		l, err := lo.openLog(dir, zips)
		if err != nil {
			s.Close()
			return nil, err
		}
		s.logs[d.Name()] = l
	}
	if len(s.logs) == 0 {
		return nil, fmt.Errorf("archive: %s holds no NNN.zip files, nor directories of them: %w", path, os.ErrNotExist)
	}
	return s, nil
}

var zipNamePattern = regexp.MustCompile(`^[0-9]{3,}\.zip$`)

// zipFiles returns the NNN.zip files in dir by index.
func zipFiles(dir string) (map[int64]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	out := map[int64]string{}
	for _, e := range entries {
		if e.IsDir() || !zipNamePattern.MatchString(e.Name()) {
			continue
		}
		k, err := strconv.ParseInt(strings.TrimSuffix(e.Name(), ".zip"), 10, 64)
		if err != nil || ZipName(k) != e.Name() {
			continue
		}
		out[k] = filepath.Join(dir, e.Name())
	}
	return out, nil
}

func (lo layout) openLog(dir string, paths map[int64]string) (*logStore, error) {
	l := &logStore{lo: lo, zips: map[int64]*zipFile{}}
	var first []byte
	for k, p := range paths {
		z, err := openZip(p)
		if err != nil {
			l.Close()
			return nil, err
		}
		l.zips[k] = z
	}
	l.first = l.indexes()[0]
	for _, k := range l.indexes() {
		cp, err := l.zips[k].read("checkpoint")
		if err != nil {
			l.Close()
			return nil, err
		}
		if first == nil {
			first = cp
		} else if !bytes.Equal(cp, first) {
			l.Close()
			return nil, fmt.Errorf("archive: %s: %s holds another checkpoint than %s", dir, ZipName(k), ZipName(l.first))
		}
	}
	return l, nil
}

func validNamespace(name string) bool {
	return store.CheckKey(name) == nil && !strings.Contains(name, "/")
}

// logStore is one log's zips.
type logStore struct {
	lo     layout
	zips   map[int64]*zipFile
	first  int64 // the lowest index: where shared entries are read
	single bool  // one zip holding the whole log: no routing
}

var _ store.Store = (*logStore)(nil)

func (l *logStore) indexes() []int64 {
	var ks []int64
	for k := range l.zips {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool { return ks[i] < ks[j] })
	return ks
}

// zipFor returns the zip that holds key.
func (l *logStore) zipFor(key string) (*zipFile, error) {
	if l.single {
		return l.zips[0], nil
	}
	k := l.first
	if t, err := tiles.ParsePath(key); err == nil {
		if owner, shared := l.lo.owner(t); !shared {
			k = owner
		}
	}
	z, ok := l.zips[k]
	if !ok {
		return nil, fmt.Errorf("archive: %s is in %s, which is missing: %w", key, ZipName(k), os.ErrNotExist)
	}
	return z, nil
}

func (l *logStore) Get(ctx context.Context, key string) (store.Object, error) {
	if err := store.CheckKey(key); err != nil {
		return store.Object{}, err
	}
	if err := ctx.Err(); err != nil {
		return store.Object{}, fmt.Errorf("archive: reading %s: %w", key, err)
	}
	z, err := l.zipFor(key)
	if err != nil {
		return store.Object{}, err
	}
	data, err := z.read(key)
	if err != nil {
		return store.Object{}, err
	}
	return store.Object{Data: data}, nil
}

func (l *logStore) List(ctx context.Context, prefix string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, z := range l.zips {
		for name := range z.files {
			if strings.HasPrefix(name, prefix) && !seen[name] {
				seen[name] = true
				out = append(out, name)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

func (l *logStore) Create(ctx context.Context, key string, data []byte, md store.Metadata) error {
	return readOnly(key)
}

func (l *logStore) Put(ctx context.Context, key string, data []byte, md store.Metadata) error {
	return readOnly(key)
}

func (l *logStore) Swap(ctx context.Context, key, etag string, data []byte, md store.Metadata) error {
	return readOnly(key)
}

func (l *logStore) Sync(ctx context.Context) error { return nil }

func (l *logStore) Close() error {
	var errs []error
	for _, z := range l.zips {
		errs = append(errs, z.Close())
	}
	return errors.Join(errs...)
}

func readOnly(key string) error {
	return fmt.Errorf("archive: writing %q: %w", key, store.ErrReadOnly)
}

// siteStore is a directory of logs' archives: keys logs/<ns>/<key>.
type siteStore struct {
	logs map[string]*logStore
}

var _ store.Store = (*siteStore)(nil)
var _ io.Closer = (*siteStore)(nil)

func (s *siteStore) split(key string) (*logStore, string, bool) {
	rest, ok := strings.CutPrefix(key, "logs/")
	if !ok {
		return nil, "", false
	}
	ns, k, ok := strings.Cut(rest, "/")
	if !ok {
		return nil, "", false
	}
	l, ok := s.logs[ns]
	return l, k, ok
}

func (s *siteStore) Get(ctx context.Context, key string) (store.Object, error) {
	if err := store.CheckKey(key); err != nil {
		return store.Object{}, err
	}
	l, k, ok := s.split(key)
	if !ok {
		return store.Object{}, fmt.Errorf("archive: no object %q: %w", key, os.ErrNotExist)
	}
	return l.Get(ctx, k)
}

func (s *siteStore) List(ctx context.Context, prefix string) ([]string, error) {
	var out []string
	for ns, l := range s.logs {
		p := "logs/" + ns + "/"
		keys, err := l.List(ctx, "")
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			if strings.HasPrefix(p+k, prefix) {
				out = append(out, p+k)
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

func (s *siteStore) Create(ctx context.Context, key string, data []byte, md store.Metadata) error {
	return readOnly(key)
}

func (s *siteStore) Put(ctx context.Context, key string, data []byte, md store.Metadata) error {
	return readOnly(key)
}

func (s *siteStore) Swap(ctx context.Context, key, etag string, data []byte, md store.Metadata) error {
	return readOnly(key)
}

func (s *siteStore) Sync(ctx context.Context) error { return nil }

func (s *siteStore) Close() error {
	var errs []error
	for _, l := range s.logs {
		errs = append(errs, l.Close())
	}
	return errors.Join(errs...)
}
