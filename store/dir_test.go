package store_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"stele/store"
	"stele/store/storetest"
)

func newDir(t *testing.T) *store.Dir {
	t.Helper()
	return openDir(t, t.TempDir())
}

func openDir(t *testing.T, root string) *store.Dir {
	t.Helper()
	d, err := store.NewDir(root)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

var mdTile = store.Metadata{ContentType: "application/octet-stream", CacheControl: "public, max-age=31536000, immutable"}

func TestDirConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return newDir(t) })
}

// The same suite with the fallbacks: fsync file by file, and no link(2).
func TestDirConformanceFallbacks(t *testing.T) {
	if testing.Short() {
		t.Skip("the fallbacks' conformance is slow; the main suite runs in -short")
	}
	t.Run("PerFileFlush", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) store.Store {
			d := newDir(t)
			store.SetPerFileFlush(d, true)
			return d
		})
	})
	t.Run("NoLink", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) store.Store {
			d := newDir(t)
			store.SetNoLink(d, true)
			return d
		})
	})
}

func TestDirLayout(t *testing.T) {
	ctx := t.Context()
	root := t.TempDir()
	d := openDir(t, root)
	must(t, d.Create(ctx, "logs/ns/tile/0/000", []byte("tile"), mdTile))
	must(t, d.Sync(ctx))

	data, err := os.ReadFile(filepath.Join(root, "logs", "ns", "tile", "0", "000"))
	if err != nil || string(data) != "tile" {
		t.Fatalf("object file: %q, %v; want %q", data, err, "tile")
	}
	sc, err := os.ReadFile(filepath.Join(root, ".stele", "meta", "logs", "ns", "tile", "0", "000"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(sc, &m); err != nil {
		t.Fatalf("sidecar %q: %v", sc, err)
	}
	if m["content_type"] != mdTile.ContentType || m["cache_control"] != mdTile.CacheControl || len(m["sha256"]) != 64 {
		t.Errorf("sidecar = %q", sc)
	}
	if o, _ := d.Get(ctx, "logs/ns/tile/0/000"); o.ETag != `"`+m["sha256"]+`"` {
		t.Errorf("ETag %s, sidecar sha256 %s", o.ETag, m["sha256"])
	}
}

func TestDirModes(t *testing.T) {
	ctx := t.Context()
	root := filepath.Join(t.TempDir(), "new", "site")
	d := openDir(t, root)
	must(t, d.Create(ctx, "a/b/c", []byte("c"), mdTile))
	must(t, d.Put(ctx, "a/d", []byte("d"), mdTile))
	must(t, d.Swap(ctx, "e/checkpoint", "", []byte("e"), mdTile))
	must(t, d.Sync(ctx))
	err := filepath.WalkDir(filepath.Dir(root), func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := e.Info()
		if err != nil {
			return err
		}
		want := fs.FileMode(0o644)
		if e.IsDir() {
			want = fs.ModeDir | 0o755
		}
		if e.Name() == "lock" && filepath.Base(filepath.Dir(p)) == ".stele" {
			want = 0o644
		}
		if fi.Mode() != want {
			t.Errorf("%s: mode %v, want %v", p, fi.Mode(), want)
		}
		return nil
	})
	must(t, err)
}

// Unsynced writes are invisible to other readers; synced ones are complete.
func TestDirPendingInvisible(t *testing.T) {
	ctx := t.Context()
	root := t.TempDir()
	w := openDir(t, root)
	r := openDir(t, root)
	must(t, w.Create(ctx, "tile/0/000", []byte("created"), mdTile))
	must(t, w.Put(ctx, "index.html", []byte("put"), mdTile))
	for _, k := range []string{"tile/0/000", "index.html"} {
		if _, err := os.Stat(filepath.Join(root, filepath.FromSlash(k))); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("unsynced %s visible in the tree: %v", k, err)
		}
		if _, err := r.Get(ctx, k); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("unsynced %s visible to another Dir: %v", k, err)
		}
	}
	if keys, err := r.List(ctx, ""); err != nil || len(keys) != 0 {
		t.Errorf("another Dir lists %q, %v; want nothing", keys, err)
	}
	must(t, w.Sync(ctx))
	for k, v := range map[string]string{"tile/0/000": "created", "index.html": "put"} {
		o, err := r.Get(ctx, k)
		if err != nil || string(o.Data) != v || o.Metadata != mdTile {
			t.Errorf("after Sync, another Dir reads %s = %q %+v, %v", k, o.Data, o.Metadata, err)
		}
	}
}

// A crash (simulated at every step of a Sync) leaves each object absent or
// complete, and the visible ones a prefix of the writes in order.
func TestDirCrashSafety(t *testing.T) {
	ctx := t.Context()
	root := t.TempDir()
	d := openDir(t, root)
	must(t, d.Put(ctx, "checkpoint", []byte("old checkpoint"), mdTile))
	must(t, d.Sync(ctx))

	type obj struct {
		key  string
		data []byte
		old  []byte // visible before the batch
	}
	var objs []obj
	for i := range 40 {
		k := fmt.Sprintf("tile/%d/%03d", i%3, i)
		objs = append(objs, obj{key: k, data: bytes.Repeat([]byte{byte(i)}, 1+i*997)})
	}
	objs = append(objs, obj{key: "checkpoint", data: []byte("new checkpoint"), old: []byte("old checkpoint")})
	for i, o := range objs {
		if i%2 == 0 || o.old != nil {
			must(t, d.Put(ctx, o.key, o.data, mdTile))
		} else {
			must(t, d.Create(ctx, o.key, o.data, mdTile))
		}
	}

	// What another reader sees of the tree right now.
	visible := func() []int {
		var vis []int
		for i, o := range objs {
			got, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(o.key)))
			switch {
			case errors.Is(err, fs.ErrNotExist):
			case err != nil:
				t.Fatal(err)
			case bytes.Equal(got, o.data):
				vis = append(vis, i)
			case o.old != nil && bytes.Equal(got, o.old):
			default:
				t.Fatalf("%s is visible with %d bytes that are neither the old nor the new object", o.key, len(got))
			}
		}
		return vis
	}
	if v := visible(); len(v) != 0 {
		t.Fatalf("before Sync, objects %v are visible", v)
	}
	steps := 0
	store.SetAfterPublish(d, func(key string) {
		steps++
		v := visible()
		if len(v) != steps || (len(v) > 0 && v[len(v)-1] != len(v)-1) {
			t.Fatalf("after %d objects made visible, visible = %v; want the first %d", steps, v, steps)
		}
	})
	must(t, d.Sync(ctx))
	if steps != len(objs) {
		t.Fatalf("%d publish steps, want %d", steps, len(objs))
	}
	if v := visible(); len(v) != len(objs) {
		t.Fatalf("after Sync, %d of %d objects visible", len(v), len(objs))
	}
}

// A Dir that dies before Sync leaves nothing visible; a later Dir removes its
// temporary files, but never those of a Dir that is alive.
func TestDirStaleTempCleanup(t *testing.T) {
	ctx := t.Context()
	root := t.TempDir()
	old := time.Now().Add(-2 * store.StaleAge)

	dead := openDir(t, root)
	must(t, dead.Put(ctx, "lost", []byte("never synced"), mdTile))
	deadTmp := store.TempPath(dead)
	store.Crash(dead)

	alive := openDir(t, root)
	must(t, alive.Put(ctx, "kept", []byte("synced later"), mdTile))
	aliveTmp := store.TempPath(alive)

	young := filepath.Join(root, ".stele", "tmp", "young")
	must(t, os.Mkdir(young, 0o755))
	strayOld := filepath.Join(root, ".stele", "tmp", "stray")
	must(t, os.WriteFile(strayOld, []byte("x"), 0o644))
	for _, p := range []string{deadTmp, aliveTmp, strayOld} {
		must(t, os.Chtimes(p, old, old))
	}

	fresh := openDir(t, root)
	if _, err := fresh.Get(ctx, "lost"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("unsynced write of a dead Dir: %v, want not exist", err)
	}
	if _, err := os.Stat(deadTmp); err != nil {
		t.Fatalf("reads alone cleaned up: %v", err)
	}
	must(t, fresh.Put(ctx, "other", []byte("o"), mdTile)) // the first write cleans up
	for p, want := range map[string]bool{deadTmp: false, strayOld: false, aliveTmp: true, young: true} {
		_, err := os.Stat(p)
		if got := err == nil; got != want {
			t.Errorf("%s exists = %v, want %v (%v)", p, got, want, err)
		}
	}
	must(t, alive.Sync(ctx))
	if o, err := fresh.Get(ctx, "kept"); err != nil || string(o.Data) != "synced later" {
		t.Fatalf("the live Dir's write after cleanup: %q, %v", o.Data, err)
	}
	must(t, fresh.Close())
	if _, err := os.Stat(store.TempPath(fresh)); err == nil {
		t.Error("Close left the temporary directory")
	}
}

// Two Dirs on one root, racing Swaps from many goroutines: one wins each round.
func TestDirSwapRace(t *testing.T) {
	ctx := t.Context()
	root := t.TempDir()
	dirs := []*store.Dir{openDir(t, root), openDir(t, root)}
	const rounds, perDir = 10, 4
	etag := ""
	for round := range rounds {
		var mu sync.Mutex
		var winners []string
		var wg sync.WaitGroup
		for i, d := range dirs {
			for g := range perDir {
				wg.Go(func() {
					me := fmt.Sprintf("round %d dir %d goroutine %d", round, i, g)
					err := d.Swap(ctx, "checkpoint", etag, []byte(me), mdTile)
					switch {
					case err == nil:
						mu.Lock()
						winners = append(winners, me)
						mu.Unlock()
					case !errors.Is(err, store.ErrPrecondition):
						t.Errorf("%s: %v", me, err)
					}
				})
			}
		}
		wg.Wait()
		if len(winners) != 1 {
			t.Fatalf("round %d: winners %q, want exactly one", round, winners)
		}
		o, err := dirs[round%2].Get(ctx, "checkpoint")
		if err != nil || string(o.Data) != winners[0] {
			t.Fatalf("round %d: checkpoint %q, %v; want %q", round, o.Data, err, winners[0])
		}
		etag = o.ETag
	}
}

// Swap is the commit point: it makes the earlier writes visible and durable.
func TestDirSwapSyncsFirst(t *testing.T) {
	ctx := t.Context()
	root := t.TempDir()
	w, r := openDir(t, root), openDir(t, root)
	must(t, w.Create(ctx, "tile/0/000", []byte("tile"), mdTile))
	must(t, w.Swap(ctx, "checkpoint", "", []byte("cp"), mdTile))
	if o, err := r.Get(ctx, "tile/0/000"); err != nil || string(o.Data) != "tile" {
		t.Fatalf("write before Swap, read by another Dir: %q, %v", o.Data, err)
	}
	// The ETag may be given without its quotes.
	o, err := r.Get(ctx, "checkpoint")
	must(t, err)
	must(t, r.Swap(ctx, "checkpoint", strings.Trim(o.ETag, `"`), []byte("cp2"), mdTile))
}

// A conflicting Create by another writer between Create and Sync is found
// at Sync, which names the key and keeps the other writer's bytes.
func TestDirCreateConflictAtSync(t *testing.T) {
	ctx := t.Context()
	root := t.TempDir()
	a, b := openDir(t, root), openDir(t, root)
	must(t, a.Create(ctx, "tile/0/000", []byte("from a"), mdTile))
	must(t, a.Create(ctx, "tile/0/001", []byte("same"), mdTile))
	must(t, a.Create(ctx, "tile/0/002", []byte("only a"), mdTile))
	must(t, b.Create(ctx, "tile/0/000", []byte("from b"), mdTile))
	must(t, b.Create(ctx, "tile/0/001", []byte("same"), mdTile))
	must(t, b.Sync(ctx))
	err := a.Sync(ctx)
	if !errors.Is(err, store.ErrImmutable) || !strings.Contains(err.Error(), `"tile/0/000"`) {
		t.Fatalf("Sync after a conflicting Create: %v, want ErrImmutable naming tile/0/000", err)
	}
	if strings.Contains(err.Error(), "001") || strings.Contains(err.Error(), "002") {
		t.Errorf("Sync error names keys that did not conflict: %v", err)
	}
	for k, v := range map[string]string{"tile/0/000": "from b", "tile/0/001": "same", "tile/0/002": "only a"} {
		o, err := b.Get(ctx, k)
		if err != nil || string(o.Data) != v {
			t.Errorf("%s = %q, %v; want %q", k, o.Data, err, v)
		}
	}
}

// The filesystem cannot hold "a" and "a/b": conflicts visible at the write
// are refused there, others at Sync; the stored object is never touched.
func TestDirPrefixConflict(t *testing.T) {
	ctx := t.Context()
	root := t.TempDir()
	a, b := openDir(t, root), openDir(t, root)

	must(t, b.Put(ctx, "x", []byte("x"), mdTile))
	must(t, b.Put(ctx, "y/z", []byte("y/z"), mdTile))
	must(t, b.Sync(ctx))
	for _, c := range []struct{ key, names string }{
		{"x/1", `object "x" is at a prefix`},
		{"x/1/2", `object "x" is at a prefix`},
		{"y", "it is a prefix of stored keys"},
	} {
		for _, write := range []func() error{
			func() error { return a.Put(ctx, c.key, []byte("no"), mdTile) },
			func() error { return a.Create(ctx, c.key, []byte("no"), mdTile) },
			func() error { return a.Swap(ctx, c.key, "", []byte("no"), mdTile) },
		} {
			err := write()
			if !errors.Is(err, store.ErrPrefixConflict) || !strings.Contains(err.Error(), fmt.Sprintf("%q", c.key)) ||
				!strings.Contains(err.Error(), c.names) {
				t.Errorf("writing %q: %v, want ErrPrefixConflict naming it and %s", c.key, err, c.names)
			}
		}
	}

	// Conflicts that appear between the write and Sync.
	must(t, a.Put(ctx, "p/q", []byte("a's p/q"), mdTile))
	must(t, a.Put(ctx, "r", []byte("a's r"), mdTile))
	must(t, a.Put(ctx, "s", []byte("a's s"), mdTile))
	must(t, b.Put(ctx, "p", []byte("b's p"), mdTile))
	must(t, b.Put(ctx, "r/t", []byte("b's r/t"), mdTile))
	must(t, b.Sync(ctx))
	err := a.Sync(ctx)
	for _, k := range []string{`"p/q"`, `"r"`} {
		if !errors.Is(err, store.ErrPrefixConflict) || !strings.Contains(err.Error(), k) {
			t.Errorf("Sync: %v, want ErrPrefixConflict naming %s", err, k)
		}
	}
	for k, v := range map[string]string{"x": "x", "y/z": "y/z", "p": "b's p", "r/t": "b's r/t", "s": "a's s"} {
		o, err := b.Get(ctx, k)
		if err != nil || string(o.Data) != v {
			t.Errorf("%s = %q, %v; want %q", k, o.Data, err, v)
		}
	}
	keys, err := b.List(ctx, "")
	must(t, err)
	if want := []string{"p", "r/t", "s", "x", "y/z"}; !slices.Equal(keys, want) {
		t.Errorf("List = %q, want %q", keys, want)
	}
}

// A tree written by another program: no sidecars, hidden files, links.
func TestDirForeignTree(t *testing.T) {
	ctx := t.Context()
	root := t.TempDir()
	files := map[string]string{
		"checkpoint":              "cp",
		"tile/0/000":              "tile",
		".git/HEAD":               "ref",
		"tile/.partial":           "tmp",
		".well-known/x":           "x",
		"tile/entries/000.hidden": "not hidden",
	}
	for k, v := range files {
		p := filepath.Join(root, filepath.FromSlash(k))
		must(t, os.MkdirAll(filepath.Dir(p), 0o755))
		must(t, os.WriteFile(p, []byte(v), 0o644))
	}
	must(t, os.Symlink("000", filepath.Join(root, "tile", "0", "link")))
	must(t, os.Symlink("tile", filepath.Join(root, "dirlink")))
	must(t, os.Symlink("nowhere", filepath.Join(root, "dangling")))

	d := openDir(t, root)
	o, err := d.Get(ctx, "tile/0/000")
	if err != nil || string(o.Data) != "tile" || o.Metadata != (store.Metadata{}) || o.ETag == "" {
		t.Fatalf("Get of a file without sidecar: %+v, %v", o, err)
	}
	keys, err := d.List(ctx, "")
	must(t, err)
	if want := []string{"checkpoint", "tile/0/000", "tile/0/link", "tile/entries/000.hidden"}; !slices.Equal(keys, want) {
		t.Errorf("List = %q, want %q", keys, want)
	}
	if _, err := os.Stat(filepath.Join(root, ".stele")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("reading created bookkeeping: %v", err)
	}

	// Creating what is already there succeeds, and so does the Sync after.
	must(t, d.Create(ctx, "tile/0/000", []byte("tile"), store.Metadata{}))
	must(t, d.Sync(ctx))
	if err := d.Create(ctx, "tile/0/000", []byte("TILE"), store.Metadata{}); !errors.Is(err, store.ErrImmutable) {
		t.Errorf("Create of other bytes over a foreign file: %v, want ErrImmutable", err)
	}
	must(t, d.Create(ctx, "checkpoint", []byte("cp"), mdTile))
	must(t, d.Sync(ctx))
	if o, err := openDir(t, root).Get(ctx, "checkpoint"); err != nil || o.Metadata != mdTile {
		t.Errorf("metadata added to a foreign file: %+v, %v", o.Metadata, err)
	}
}

// A root that is a symbolic link is followed.
func TestDirLinkedRoot(t *testing.T) {
	ctx := t.Context()
	real := t.TempDir()
	link := filepath.Join(t.TempDir(), "site")
	must(t, os.Symlink(real, link))
	w := openDir(t, real)
	must(t, w.Put(ctx, "logs/ns/checkpoint", []byte("cp"), mdTile))
	must(t, w.Sync(ctx))
	d := openDir(t, link)
	for _, p := range []string{"", "logs/", "logs/ns/c"} {
		keys, err := d.List(ctx, p)
		if err != nil || !slices.Equal(keys, []string{"logs/ns/checkpoint"}) {
			t.Errorf("List(%q) through a linked root = %q, %v", p, keys, err)
		}
	}
}

// Metadata is served only with the bytes it was written for (negative
// controls: flip a byte of the object, break the sidecar).
func TestDirSidecarBinding(t *testing.T) {
	ctx := t.Context()
	root := t.TempDir()
	d := openDir(t, root)
	must(t, d.Put(ctx, "k", []byte("object"), mdTile))
	must(t, d.Sync(ctx))
	obj := filepath.Join(root, "k")
	meta := filepath.Join(root, ".stele", "meta", "k")
	good, err := d.Get(ctx, "k")
	must(t, err)

	must(t, os.WriteFile(obj, []byte("objecT"), 0o644))
	o, err := d.Get(ctx, "k")
	if err != nil || o.Metadata != (store.Metadata{}) || o.ETag == good.ETag {
		t.Errorf("object with a flipped byte: %+v, %v; want empty metadata and a new ETag", o, err)
	}
	must(t, os.WriteFile(obj, []byte("object"), 0o644))
	if o, err := d.Get(ctx, "k"); err != nil || o.Metadata != mdTile || o.ETag != good.ETag {
		t.Errorf("restored object: %+v, %v", o, err)
	}

	sc, err := os.ReadFile(meta)
	must(t, err)
	for i := range sc {
		bad := bytes.Clone(sc)
		bad[i] ^= 0x01
		must(t, os.WriteFile(meta, bad, 0o644))
		o, err := d.Get(ctx, "k")
		if err != nil {
			t.Fatalf("Get with a damaged sidecar: %v", err)
		}
		// A flip inside a metadata value changes that value, which the
		// hash does not cover; anything else must drop the metadata.
		if o.Metadata == mdTile {
			t.Errorf("sidecar with byte %d flipped still gives the original metadata", i)
		}
	}
}

// Create of bytes already there writes a missing sidecar.
func TestDirCreateRepairsSidecar(t *testing.T) {
	ctx := t.Context()
	root := t.TempDir()
	d := openDir(t, root)
	must(t, d.Create(ctx, "tile/entries/000", []byte("bundle"), mdTile))
	must(t, d.Sync(ctx))
	must(t, os.Remove(filepath.Join(root, ".stele", "meta", "tile", "entries", "000")))
	if o, _ := d.Get(ctx, "tile/entries/000"); o.Metadata != (store.Metadata{}) {
		t.Fatalf("metadata without sidecar: %+v", o.Metadata)
	}
	must(t, d.Create(ctx, "tile/entries/000", []byte("bundle"), mdTile))
	if o, _ := d.Get(ctx, "tile/entries/000"); o.Metadata != mdTile {
		t.Errorf("metadata after repair, unsynced: %+v", o.Metadata)
	}
	must(t, d.Sync(ctx))
	if o, _ := openDir(t, root).Get(ctx, "tile/entries/000"); o.Metadata != mdTile {
		t.Errorf("metadata after repair, synced: %+v", o.Metadata)
	}
	// An existing sidecar is left alone: the first writer's metadata stays.
	other := store.Metadata{ContentType: "text/plain"}
	must(t, d.Create(ctx, "tile/entries/000", []byte("bundle"), other))
	must(t, d.Sync(ctx))
	if o, _ := d.Get(ctx, "tile/entries/000"); o.Metadata != mdTile {
		t.Errorf("metadata after a second Create: %+v, want the first", o.Metadata)
	}
}

// A batch larger than the per-file threshold goes through each flush path.
func TestDirFlushPaths(t *testing.T) {
	for _, perFile := range []bool{false, true} {
		t.Run(fmt.Sprintf("perFile=%v", perFile), func(t *testing.T) {
			ctx := t.Context()
			root := t.TempDir()
			d := openDir(t, root)
			store.SetPerFileFlush(d, perFile)
			for i := range 50 {
				must(t, d.Create(ctx, fmt.Sprintf("tile/0/%03d", i), []byte{byte(i)}, mdTile))
			}
			must(t, d.Sync(ctx))
			keys, err := openDir(t, root).List(ctx, "tile/")
			if err != nil || len(keys) != 50 {
				t.Fatalf("another Dir lists %d keys, %v; want 50", len(keys), err)
			}
		})
	}
}

func TestDirClose(t *testing.T) {
	ctx := t.Context()
	root := t.TempDir()
	d := openDir(t, root)
	must(t, d.Put(ctx, "synced", []byte("s"), mdTile))
	must(t, d.Sync(ctx))
	must(t, d.Put(ctx, "discarded", []byte("d"), mdTile))
	must(t, d.Close())
	must(t, d.Close())
	if err := d.Put(ctx, "late", []byte("l"), mdTile); err == nil {
		t.Error("Put after Close succeeded")
	}
	if err := d.Sync(ctx); err == nil {
		t.Error("Sync after Close succeeded")
	}
	if _, err := d.Get(ctx, "synced"); err != nil {
		t.Errorf("Get after Close: %v", err)
	}
	if _, err := openDir(t, root).Get(ctx, "discarded"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("write discarded by Close: %v, want not exist", err)
	}
	entries, err := os.ReadDir(filepath.Join(root, ".stele", "tmp"))
	if err != nil || len(entries) != 0 {
		t.Errorf("temporary files after Close: %v, %v", entries, err)
	}
}

func TestNewDir(t *testing.T) {
	if _, err := store.NewDir(""); err == nil {
		t.Error("NewDir(\"\") succeeded")
	}
	file := filepath.Join(t.TempDir(), "file")
	must(t, os.WriteFile(file, nil, 0o644))
	if _, err := store.NewDir(file); err == nil {
		t.Error("NewDir of a file succeeded")
	}
	if _, err := store.NewDir(filepath.Join(file, "sub")); err == nil {
		t.Error("NewDir below a file succeeded")
	}
	root := filepath.Join(t.TempDir(), "a", "b")
	d := openDir(t, root)
	if fi, err := os.Stat(root); err != nil || !fi.IsDir() || d.Root() != root {
		t.Errorf("NewDir did not create %s: %v", root, err)
	}
}
