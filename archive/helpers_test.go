package archive

import (
	"context"
	"crypto/rand"
	"fmt"
	"testing"

	"stele/checkpoint"
	"stele/publish"
	"stele/store"
)

// testLog writes a log of n entries (committed in batches of batch, so it
// has older checkpoints too) into a fresh directory.
func testLog(t testing.TB, n, batch int) (dir string, v *checkpoint.Verifier) {
	t.Helper()
	const origin = "archive.example.test/log"
	skey, vkey, err := checkpoint.GenerateKey(rand.Reader, origin)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := checkpoint.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	if v, err = checkpoint.NewVerifier(vkey); err != nil {
		t.Fatal(err)
	}
	dir = t.TempDir()
	st, err := store.NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	for done := 0; done < n; {
		l, err := publish.OpenLog(ctx, st, signer, origin)
		if err != nil {
			t.Fatal(err)
		}
		var es [][]byte
		for i := 0; i < batch && done < n; i++ {
			es = append(es, fmt.Appendf(nil, "entry %d", done))
			done++
		}
		if err := l.Append(ctx, es); err != nil {
			t.Fatal(err)
		}
		if _, err := l.Commit(ctx); err != nil {
			t.Fatal(err)
		}
	}
	return dir, v
}

func openDir(t testing.TB, dir string) *store.Dir {
	t.Helper()
	d, err := store.NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// packSplit packs a log of n entries (n > 768) with the smallest
// subtrees, zip k holding entry bundle k and level-0 tile k, so that a
// small log spans several zips; it returns the layout, the output
// directory, the result and the log's verifier.
func packSplit(t *testing.T, n int) (layout, string, PackResult, *checkpoint.Verifier) {
	t.Helper()
	dir, v := testLog(t, n, n)
	out := t.TempDir()
	lo := layout{level: 0}
	res, err := lo.pack(context.Background(), openDir(t, dir), out)
	if err != nil {
		t.Fatal(err)
	}
	if want := (n + 255) / 256; len(res.Files) != want {
		t.Fatalf("%d zips, want %d", len(res.Files), want)
	}
	return lo, out, res, v
}
