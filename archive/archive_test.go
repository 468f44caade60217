package archive

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"stele/checkpoint"
	"stele/store"
	"stele/verify"
)

func verifyStore(t *testing.T, st store.Store, v *checkpoint.Verifier) verify.Result {
	t.Helper()
	return verify.Log(context.Background(), st, []*checkpoint.Verifier{v}, verify.Options{})
}

func TestPackVerify(t *testing.T) {
	dir, v := testLog(t, 1000, 300)
	out := t.TempDir()
	res, err := Pack(context.Background(), openDir(t, dir), out)
	if err != nil {
		t.Fatal(err)
	}
	if res.Size != 1000 || len(res.Files) != 1 || filepath.Base(res.Files[0]) != "000.zip" || res.Bytes == 0 {
		t.Fatalf("pack result %+v", res)
	}
	for _, target := range []string{res.Files[0], out} {
		st, err := OpenStore(target)
		if err != nil {
			t.Fatal(err)
		}
		r := verifyStore(t, st, v)
		if r.Err != nil || r.EntriesChecked != 1000 {
			t.Fatalf("verifying %s: %d entries, %v", target, r.EntriesChecked, r.Err)
		}
		st.(io.Closer).Close()
	}
	if !IsArchive(out) || !IsArchive(res.Files[0]) || IsArchive(dir) {
		t.Error("IsArchive misjudges")
	}
}

// TestPackSplit packs with small subtrees, so that a small log spans
// several zips, and checks that each zip holds its own subtree and that
// the set verifies.
func TestPackSplit(t *testing.T) {
	lo, out, res, v := packSplit(t, 1000)
	for k, f := range res.Files {
		z, err := openZip(f)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for n := range z.files {
			names = append(names, n)
		}
		z.Close()
		joined := strings.Join(names, " ")
		for _, want := range []string{"checkpoint", "tile/1/000.p/3", "tile/0/003.p/232", "tile/entries/003.p/232"} {
			if !strings.Contains(joined, want) {
				t.Errorf("zip %d lacks %s: %s", k, want, joined)
			}
		}
		if k < 3 {
			own := ZipName(int64(k))[:3]
			if !strings.Contains(joined, "tile/0/"+own) || !strings.Contains(joined, "tile/entries/"+own) || len(names) != 6 {
				t.Errorf("zip %d holds %s", k, joined)
			}
		} else if len(names) != 4 {
			t.Errorf("last zip holds %s", joined)
		}
	}
	st, err := lo.open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer st.(io.Closer).Close()
	if r := verifyStore(t, st, v); r.Err != nil || r.EntriesChecked != 1000 {
		t.Fatalf("verifying the split archive: %d entries, %v", r.EntriesChecked, r.Err)
	}
	// A missing zip makes the log uncheckable, not wrong.
	os.Remove(res.Files[1])
	st2, err := lo.open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer st2.(io.Closer).Close()
	if r := verifyStore(t, st2, v); r.Err == nil || verify.IsFailure(r.Err) || !errors.Is(r.Err, os.ErrNotExist) {
		t.Fatalf("missing zip: %v", r.Err)
	}
}

// rewriteZip copies a zip, passing each entry through edit (which may
// change its bytes, or drop it by returning nil), then adding extra.
func rewriteZip(t *testing.T, from, to string, edit func(name string, data []byte) []byte, extra map[string][]byte) {
	t.Helper()
	z, err := openZip(from)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name := range z.files {
		data, err := z.read(name)
		if err != nil {
			t.Fatal(err)
		}
		if data = edit(name, data); data == nil {
			continue
		}
		w, _ := zw.Create(name)
		w.Write(data)
	}
	for name, data := range extra {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	zw.Close()
	if err := os.WriteFile(to, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestTamperedZip(t *testing.T) {
	dir, v := testLog(t, 600, 600)
	out := t.TempDir()
	res, err := Pack(context.Background(), openDir(t, dir), out)
	if err != nil {
		t.Fatal(err)
	}
	for _, victim := range []string{"tile/0/001", "tile/entries/002.p/88", "tile/1/000.p/2", "checkpoint"} {
		bad := filepath.Join(t.TempDir(), "000.zip")
		rewriteZip(t, res.Files[0], bad, func(name string, data []byte) []byte {
			if name == victim {
				data = bytes.Clone(data)
				data[len(data)/2] ^= 1
			}
			return data
		}, nil)
		st, err := OpenStore(bad)
		if err != nil {
			t.Fatal(err)
		}
		r := verifyStore(t, st, v)
		st.(io.Closer).Close()
		if !verify.IsFailure(r.Err) {
			t.Errorf("%s flipped: %v, want a verification failure", victim, r.Err)
		}
	}

	// A byte flipped in the zip file itself fails its checksum.
	raw, _ := os.ReadFile(res.Files[0])
	i := bytes.Index(raw, []byte("tile/0/001"))
	raw[i+len("tile/0/001")+100] ^= 1 // inside the tile's data
	bad := filepath.Join(t.TempDir(), "000.zip")
	os.WriteFile(bad, raw, 0o644)
	st, err := OpenStore(bad)
	if err != nil {
		t.Fatal(err)
	}
	defer st.(io.Closer).Close()
	if r := verifyStore(t, st, v); r.Err == nil {
		t.Fatal("a corrupted zip verified")
	}
}

func TestUnsafeEntries(t *testing.T) {
	dir, _ := testLog(t, 10, 10)
	out := t.TempDir()
	res, err := Pack(context.Background(), openDir(t, dir), out)
	if err != nil {
		t.Fatal(err)
	}
	keep := func(string, []byte) []byte { return nil }
	for _, name := range []string{"../evil", "tile/../../evil", "/etc/passwd", `tile\0\000`, ".stele/meta", "a//b"} {
		bad := filepath.Join(t.TempDir(), "000.zip")
		rewriteZip(t, res.Files[0], bad, keep, map[string][]byte{name: []byte("x")})
		_, err := OpenStore(bad)
		if !errors.Is(err, ErrUnsafeEntry) || !strings.Contains(err.Error(), "not a relative path") {
			t.Errorf("entry %q: %v, want ErrUnsafeEntry", name, err)
		}
		// In a directory of zips too.
		d := filepath.Dir(bad)
		if _, err := OpenStore(d); !errors.Is(err, ErrUnsafeEntry) {
			t.Errorf("entry %q in a directory: %v", name, err)
		}
	}
	// Directory entries are harmless and skipped.
	ok := filepath.Join(t.TempDir(), "000.zip")
	rewriteZip(t, res.Files[0], ok, func(_ string, d []byte) []byte { return d }, map[string][]byte{"tile/": nil})
	if st, err := OpenStore(ok); err != nil {
		t.Errorf("directory entry: %v", err)
	} else {
		st.(io.Closer).Close()
	}
}

func TestOpenStoreSite(t *testing.T) {
	a, v := testLog(t, 300, 300)
	out := t.TempDir()
	if _, err := Pack(context.Background(), openDir(t, a), filepath.Join(out, "ns1")); err != nil {
		t.Fatal(err)
	}
	st, err := OpenStore(out)
	if err != nil {
		t.Fatal(err)
	}
	defer st.(io.Closer).Close()
	prefixes, err := verify.FindLogs(context.Background(), st)
	if err != nil || len(prefixes) != 1 || prefixes[0] != "logs/ns1/" {
		t.Fatalf("FindLogs: %v %v", prefixes, err)
	}
	if r := verifyStore(t, store.Sub(st, prefixes[0]), v); r.Err != nil {
		t.Fatal(r.Err)
	}
	if _, err := st.Get(context.Background(), "info"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Get outside the logs: %v", err)
	}
	if err := st.Put(context.Background(), "x", nil, store.Metadata{}); !errors.Is(err, store.ErrReadOnly) {
		t.Errorf("Put: %v", err)
	}
	if _, err := OpenStore(t.TempDir()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("empty directory: %v", err)
	}
}

func TestZipsDisagree(t *testing.T) {
	dir, _ := testLog(t, 600, 300)
	out := t.TempDir()
	lo := layout{level: 0}
	res, err := lo.pack(context.Background(), openDir(t, dir), out)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := testLog(t, 600, 600)
	out2 := t.TempDir()
	res2, err := lo.pack(context.Background(), openDir(t, other), out2)
	if err != nil {
		t.Fatal(err)
	}
	os.Rename(res2.Files[1], res.Files[1])
	if _, err := lo.open(out); err == nil || !strings.Contains(err.Error(), "another checkpoint") {
		t.Fatalf("zips of two logs: %v", err)
	}
}

// FuzzOpenZip checks that any bytes either fail to open as an archive or
// give entries that are all safe keys, readable or failing cleanly.
func FuzzOpenZip(f *testing.F) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.Create("checkpoint")
	w.Write([]byte("origin\n1\nhash\n"))
	w, _ = zw.Create("tile/0/000.p/1")
	w.Write(bytes.Repeat([]byte{7}, 32))
	zw.Close()
	f.Add(buf.Bytes())
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Fuzz(func(t *testing.T, data []byte) {
		z, err := readZip("fuzz.zip", bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		for name := range z.files {
			if store.CheckKey(name) != nil || strings.Contains(name, `\`) {
				t.Fatalf("unsafe name %q accepted", name)
			}
			z.read(name) // must not panic
		}
	})
}
