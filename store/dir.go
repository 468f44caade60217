package store

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
)

// Dir is a [Store] in a local directory that is itself the published site
// tree, so that `stele serve`, `stele verify` and any static web server work
// on it directly.
//
// # Layout
//
// Key a/b/c is the file <root>/a/b/c (mode 0644; directories 0755). Stele's
// bookkeeping lives under <root>/.stele/, which no key can name:
//
//	.stele/meta/<key>   the object's Metadata, as a small JSON file naming
//	                    the SHA-256 of the bytes it describes
//	.stele/tmp/<id>/    temporary files of one live Dir, locked by it
//	.stele/lock         the lock taken to make objects visible and to Swap
//
// A tree written by another program (a Tessera POSIX log, a copy) has no
// sidecars; Get then returns empty Metadata. So does an object whose sidecar
// names other bytes.
//
// # Crash safety
//
// Each Create or Put writes the object and its sidecar to temporary files
// under .stele/tmp and records them as pending; they are not fsynced and
// not visible to other readers yet, while Get and List through the same Dir
// already see them. Sync then
//
//  1. flushes every pending temporary file in one batch (syncfs(2) on Linux,
//     else concurrent fsyncs),
//  2. under the lock, makes each object visible in the order it was written:
//     Create links the temporary file to the key's name (link(2) fails if the
//     name exists: then equal bytes are success and other bytes are
//     ErrImmutable), Put renames it over the name; then the sidecar is renamed
//     into place,
//  3. flushes the directories it changed, in one batch again.
//
// A name only ever comes to point at a file whose bytes were durable before
// the name appeared, and rename and link are atomic, so a crash at any point
// leaves each object either absent (or, for Put, at its old version) or
// complete, and the new objects visible are those of the first writes, in
// the order they were made.
// A crash between an object's rename and its sidecar's leaves a sidecar that
// names other bytes, read as empty Metadata; a later Create of the same bytes
// writes the missing sidecar. After step 3 everything is durable. The cost is
// a few flushes per Sync, not one per object.
//
// Swap first runs Sync, then writes and fsyncs its two temporary files and,
// under the lock, compares the stored object's ETag (the quoted hex SHA-256
// of its bytes), renames, and fsyncs the directories before unlocking.
//
// # Prefixes
//
// A filesystem cannot hold a file at a key that is also a directory on the
// way to other keys ("a" and "a/b"). Dir refuses such a write with an error
// wrapping ErrPrefixConflict that names the key, when the write is made if
// the conflict is already visible, or at Sync if another writer made it
// meanwhile; the existing object is never touched.
//
// # Locking and cleanup
//
// The lock is an exclusive flock(2) on .stele/lock, released by the kernel
// if its holder dies, so two processes (or two Dirs in one process) cannot
// both win a Swap. Each Dir keeps its temporary files in its own directory
// under .stele/tmp, which it holds locked while it lives; the first write of
// a Dir removes the temporary directories of Dirs that are gone (unlocked and
// older than a minute).
//
// A Dir that only reads never writes anything, so it works on a read-only
// tree. Besides Get, it offers a cheaper read for callers that authenticate
// what they read by other means: [Dir.AppendData] (the bytes, no hashing,
// no ETag) and [Dir.RecordedMetadata] (the metadata as recorded, unchecked). Writes that were never synced are discarded by [Dir.Close] or lost
// with the process.
type Dir struct {
	root  string // the site tree
	state string // root/.stele

	mu      sync.RWMutex
	pending map[string]*write   // unsynced Create or Put, by key
	order   []*write            // every unsynced write, in call order
	dirs    map[string]struct{} // proper prefixes of pending keys, as "a/b"
	fixes   map[string]*write   // unsynced sidecar repairs, by key
	touched []string            // existing paths a write relied on: fsync at Sync
	closed  bool

	tmpMu sync.Mutex
	tmp   *tempDir
	seq   atomic.Uint64

	syncMu sync.Mutex // one Sync at a time
	swapMu sync.Mutex // one Swap at a time within this Dir

	noSyncFS atomic.Bool // syncfs failed as unavailable: fsync file by file

	// Test knobs.
	perFileFlush bool             // never use syncfs
	noLink       bool             // behave as on a filesystem without link(2)
	afterPublish func(key string) // called after each object becomes visible in Sync
}

var _ Store = (*Dir)(nil)

// writeKind says how a pending write becomes visible.
type writeKind int

const (
	kindCreate writeKind = iota // link, keep what is there if equal
	kindPut                     // rename over
	kindMeta                    // rename the sidecar only
)

// write is one pending write: temporary files waiting for Sync.
type write struct {
	key     string
	kind    writeKind
	tmp     string // object bytes ("" for kindMeta)
	metaTmp string // sidecar
	sum     [sha256.Size]byte
	md      Metadata
	dead    bool // replaced by a later write of the same key
}

// NewDir returns the store rooted at the directory root, creating it (mode
// 0755) if it does not exist.
func NewDir(root string) (*Dir, error) {
	if root == "" {
		return nil, errors.New("store: empty directory path")
	}
	root = filepath.Clean(root)
	if _, err := mkdirs(root); err != nil {
		return nil, fmt.Errorf("store: creating directory %s: %w", root, err)
	}
	return &Dir{
		root:    root,
		state:   filepath.Join(root, ".stele"),
		pending: make(map[string]*write),
		dirs:    make(map[string]struct{}),
		fixes:   make(map[string]*write),
	}, nil
}

// Root returns the directory holding the site tree.
func (d *Dir) Root() string { return d.root }

// objectPath is the file holding key's object.
func (d *Dir) objectPath(key string) string {
	return filepath.Join(d.root, filepath.FromSlash(key))
}

// metaPath is the sidecar file holding key's metadata.
func (d *Dir) metaPath(key string) string {
	return filepath.Join(d.state, "meta", filepath.FromSlash(key))
}

// Get implements [Store.Get].
func (d *Dir) Get(ctx context.Context, key string) (Object, error) {
	if err := CheckKey(key); err != nil {
		return Object{}, err
	}
	if err := ctx.Err(); err != nil {
		return Object{}, fmt.Errorf("store: reading %q: %w", key, err)
	}
	d.mu.RLock()
	if w := d.pending[key]; w != nil {
		// Read under the lock: Sync moves temporary files away.
		data, err := os.ReadFile(w.tmp)
		d.mu.RUnlock()
		if err != nil {
			return Object{}, fmt.Errorf("store: reading unsynced %q: %w", key, err)
		}
		return Object{Data: data, Metadata: w.md, ETag: etagOf(w.sum)}, nil
	}
	var fix write
	if w := d.fixes[key]; w != nil {
		fix = *w
	}
	d.mu.RUnlock()

	data, err := readObject(d.objectPath(key))
	if err != nil {
		return Object{}, fmt.Errorf("store: reading %q: %w", key, err)
	}
	// The ETag is the hash of the bytes just read, never a recorded one:
	// it must change whenever the bytes do, however they were changed.
	sum := sha256.Sum256(data)
	md, err := d.readMeta(key, sum)
	if err != nil {
		return Object{}, err
	}
	if fix.metaTmp != "" && fix.sum == sum {
		md = fix.md
	}
	return Object{Data: data, Metadata: md, ETag: etagOf(sum)}, nil
}

// AppendData appends the bytes of the object at key to buf and returns the
// extended slice: the bytes [Dir.Get] returns as Object.Data, read without
// hashing them and without looking at their metadata, and so with no ETag.
// It is the read of a caller that authenticates objects by other means (a
// log verifier checks every tile against the tree) and reads many: reusing
// buf, it allocates nothing once buf is large enough. Errors are Get's: an
// error wrapping os.ErrNotExist when key holds no object. On error it
// returns buf as it was.
func (d *Dir) AppendData(ctx context.Context, key string, buf []byte) ([]byte, error) {
	if err := CheckKey(key); err != nil {
		return buf, err
	}
	if err := ctx.Err(); err != nil {
		return buf, fmt.Errorf("store: reading %q: %w", key, err)
	}
	d.mu.RLock()
	if w := d.pending[key]; w != nil {
		out, err := appendObject(buf, w.tmp)
		d.mu.RUnlock()
		if err != nil {
			return buf, fmt.Errorf("store: reading unsynced %q: %w", key, err)
		}
		return out, nil
	}
	d.mu.RUnlock()
	out, err := appendObject(buf, d.objectPath(key))
	if err != nil {
		return buf, fmt.Errorf("store: reading %q: %w", key, err)
	}
	return out, nil
}

// RecordedMetadata returns the Metadata recorded for the object at key
// without checking, as [Dir.Get] does, that the record describes the bytes
// now stored: where it describes other bytes (an object replaced by another
// program, or a crash between an object's rename and its sidecar's), Get
// returns empty Metadata and RecordedMetadata the record. So Get's Metadata
// is always either this one or empty, which is all a caller may rely on: a
// caller that needs the very Metadata of the bytes it read uses Get. No
// record, or an unreadable one, is empty Metadata; a key that holds no
// object is not an error here.
func (d *Dir) RecordedMetadata(ctx context.Context, key string) (Metadata, error) {
	if err := CheckKey(key); err != nil {
		return Metadata{}, err
	}
	if err := ctx.Err(); err != nil {
		return Metadata{}, fmt.Errorf("store: reading metadata of %q: %w", key, err)
	}
	d.mu.RLock()
	w, fixing := d.pending[key], d.fixes[key] != nil
	d.mu.RUnlock()
	switch {
	case w != nil:
		return w.md, nil
	case fixing:
		// An unsynced sidecar repair applies only to the bytes it names:
		// Get knows which record holds.
		obj, err := d.Get(ctx, key)
		if errors.Is(err, fs.ErrNotExist) {
			return Metadata{}, nil
		}
		return obj.Metadata, err
	}
	_, md, ok, err := d.sidecarOf(key)
	if err != nil || !ok {
		return Metadata{}, err
	}
	return md, nil
}

// readObject reads the regular file at p. A missing file, or a directory
// (a key that is only a prefix), is reported as fs.ErrNotExist.
func readObject(p string) ([]byte, error) { return appendObject(nil, p) }

// appendObject appends the bytes of the regular file at p to buf, as
// readObject reads them.
func appendObject(buf []byte, p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		if isNotDir(err) {
			return nil, fs.ErrNotExist
		}
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	switch {
	case fi.IsDir():
		return nil, fs.ErrNotExist
	case !fi.Mode().IsRegular():
		return nil, fmt.Errorf("%s is not a regular file", p)
	}
	// Room for the whole file and one more byte, so that the read that
	// finds the end of the file needs no growth; a file that grew since
	// Stat is read to its end all the same.
	buf = slices.Grow(buf, int(fi.Size())+1)
	for {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, 4096)
		}
		n, err := f.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// readMeta returns the metadata of the object at key whose bytes hash to
// sum: empty if there is no sidecar, or if it is malformed or names other
// bytes.
func (d *Dir) readMeta(key string, sum [sha256.Size]byte) (Metadata, error) {
	got, md, ok, err := d.sidecarOf(key)
	if err != nil || !ok || got != sum {
		return Metadata{}, err
	}
	return md, nil
}

// sidecarOf reads key's sidecar: the hash of the bytes it describes and
// their metadata, ok=false if there is none or it is malformed.
func (d *Dir) sidecarOf(key string) (sum [sha256.Size]byte, md Metadata, ok bool, err error) {
	b, err := os.ReadFile(d.metaPath(key))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || isNotDir(err) || isDirErr(err) {
			return sum, Metadata{}, false, nil
		}
		return sum, Metadata{}, false, fmt.Errorf("store: reading metadata of %q: %w", key, err)
	}
	sum, md, err = parseSidecar(b)
	if err != nil {
		return sum, Metadata{}, false, nil
	}
	return sum, md, true, nil
}

// Close discards the writes not yet synced, removes this Dir's temporary
// files and releases its lock. Later writes fail; reads still work.
func (d *Dir) Close() error {
	d.syncMu.Lock()
	defer d.syncMu.Unlock()
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil
	}
	d.closed = true
	d.resetPending()
	d.tmpMu.Lock()
	defer d.tmpMu.Unlock()
	if d.tmp == nil {
		return nil
	}
	err := os.RemoveAll(d.tmp.path)
	if cerr := d.tmp.lock.Close(); err == nil {
		err = cerr
	}
	d.tmp = nil
	if err != nil {
		return fmt.Errorf("store: closing %s: %w", d.root, err)
	}
	return nil
}

// resetPending forgets every pending write. d.mu must be held.
func (d *Dir) resetPending() {
	clear(d.pending)
	clear(d.dirs)
	clear(d.fixes)
	d.order = nil
	d.touched = nil
}
