package archive

import (
	"context"
	"io"
	"path/filepath"
	"testing"

	"stele/checkpoint"
	"stele/store"
	"stele/verify"
)

// verifyHeld verifies the part of the log that the one zip st holds.
func verifyHeld(t *testing.T, st store.Store, v *checkpoint.Verifier) verify.Result {
	t.Helper()
	return verify.Log(context.Background(), st, []*checkpoint.Verifier{v}, verify.Options{
		Records: true,
		Spans: func(size int64) []verify.Span {
			if start, end, ok := Held(st, size); ok {
				return []verify.Span{{Start: start, End: end}}
			}
			return nil
		},
	})
}

// TestEachZipVerifies packs a log into several zips (small subtrees, so a
// small log splits) and verifies each zip on its own: the entries of its
// subtree are checked, and proven part of the signed tree by the upper
// tiles and right edge every zip holds. A changed byte in a zip's own
// tile or in a shared one fails it.
func TestEachZipVerifies(t *testing.T) {
	lo, _, res, v := packSplit(t, 1000)
	for k, f := range res.Files {
		// Renamed, so that only the content can say which zip it is.
		renamed := filepath.Join(t.TempDir(), "copy.zip")
		rewriteZip(t, f, renamed, func(_ string, b []byte) []byte { return b }, nil)
		st, err := lo.open(renamed)
		if err != nil {
			t.Fatal(err)
		}
		start, end, ok := Held(st, 1000)
		wantEnd := min(int64(k+1)*256, 1000)
		if !ok || start != int64(k)*256 || end != wantEnd {
			t.Fatalf("zip %d holds [%d, %d) ok=%v, want [%d, %d)", k, start, end, ok, k*256, wantEnd)
		}
		r := verifyHeld(t, st, v)
		st.(io.Closer).Close()
		if r.Err != nil || r.EntriesChecked != end-start || len(r.Spans) != 1 {
			t.Fatalf("zip %d: %d entries checked, spans %v: %v", k, r.EntriesChecked, r.Spans, r.Err)
		}
	}

	for _, c := range []struct {
		zip    int
		victim string
	}{
		{1, "tile/0/001"},     // the zip's own hashes
		{1, "tile/1/000.p/3"}, // the shared upper tile
		{0, "tile/0/003.p/232"},
		{3, "tile/1/000.p/3"},
	} {
		bad := filepath.Join(t.TempDir(), "bad.zip")
		rewriteZip(t, res.Files[c.zip], bad, func(name string, b []byte) []byte {
			if name == c.victim {
				b[len(b)-1] ^= 1
			}
			return b
		}, nil)
		st, err := lo.open(bad)
		if err != nil {
			t.Fatal(err)
		}
		r := verifyHeld(t, st, v)
		st.(io.Closer).Close()
		if !verify.IsFailure(r.Err) {
			t.Errorf("zip %d with %s changed: %v, want a failure", c.zip, c.victim, r.Err)
		}
	}
}

// TestHeldWhole checks that Held says nothing of stores other than one
// zip, and covers the whole log for a zip of a small log.
func TestHeldWhole(t *testing.T) {
	dir, _ := testLog(t, 300, 300)
	out := t.TempDir()
	res, err := Pack(context.Background(), openDir(t, dir), out)
	if err != nil {
		t.Fatal(err)
	}
	st, err := OpenStore(res.Files[0])
	if err != nil {
		t.Fatal(err)
	}
	defer st.(io.Closer).Close()
	if start, end, ok := Held(st, 300); !ok || start != 0 || end != 300 {
		t.Errorf("one zip of a small log: [%d, %d) ok=%v", start, end, ok)
	}
	all, err := OpenStore(out)
	if err != nil {
		t.Fatal(err)
	}
	defer all.(io.Closer).Close()
	if _, _, ok := Held(all, 300); ok {
		t.Error("a directory of zips reports a part")
	}
}
