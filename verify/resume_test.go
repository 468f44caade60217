package verify_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/mod/sumdb/tlog"

	"stele/checkpoint"
	"stele/store"
	"stele/verify"
)

// resume verifies the log in dir starting from prev (nil: a full check),
// and records the indexes handed to Entry.
func resume(t *testing.T, dir string, v *checkpoint.Verifier, prev *verify.State, records bool) (verify.Result, []int64) {
	t.Helper()
	st, err := store.NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var seen []int64
	opts := verify.Options{Records: records, Entry: func(i int64, _ []byte) error {
		seen = append(seen, i)
		return nil
	}}
	if prev != nil {
		opts.Resume = func(origin string) (*verify.State, error) { return prev, nil }
	}
	return verify.Log(context.Background(), st, []*checkpoint.Verifier{v}, opts), seen
}

// TestResumeEqualsFull grows one opaque log across tile boundaries and,
// at every size, checks that continuing from each earlier state gives the
// full check's result while handing over only the new entries.
func TestResumeEqualsFull(t *testing.T) {
	sizes := []int64{1, 100, 255, 256, 257, 511, 512, 700}
	if !testing.Short() {
		sizes = append(sizes, 65535, 65536, 65537, 66000)
	}
	s, v := newKey(t, origin)
	dir := t.TempDir()
	var states []*verify.State
	var size int64
	for _, n := range sizes {
		appendN(t, dir, s, int(n-size))
		size = n
		full, _ := resume(t, dir, v, nil, false)
		if full.Err != nil || full.EntriesChecked != n || full.From != 0 {
			t.Fatalf("size %d: full check: %+v", n, full)
		}
		for _, prev := range append(states, full.Next) {
			old, err := checkpoint.Open(prev.Checkpoint, v)
			if err != nil {
				t.Fatal(err)
			}
			r, seen := resume(t, dir, v, prev, false)
			if r.Err != nil {
				t.Fatalf("size %d from %d: %v", n, old.Size, r.Err)
			}
			if r.From != old.Size || r.EntriesChecked != n-old.Size || r.Root != full.Root {
				t.Fatalf("size %d from %d: got from=%d entries=%d root=%s, full root %s", n, old.Size, r.From, r.EntriesChecked, r.Root, full.Root)
			}
			if int64(len(seen)) != n-old.Size || (len(seen) > 0 && seen[0] != old.Size) {
				t.Fatalf("size %d from %d: Entry saw %d entries starting at %v", n, old.Size, len(seen), seen[:min(1, len(seen))])
			}
			if string(r.Next.LastEntry) != string(entry(n-1)) || string(r.Next.Checkpoint) != string(full.Next.Checkpoint) {
				t.Fatalf("size %d from %d: next state %+v", n, old.Size, r.Next)
			}
		}
		states = append(states, full.Next)
	}
}

// TestResumeDamagedNewEntries: a damaged entry after the remembered size
// still fails when checking incrementally.
func TestResumeDamagedNewEntries(t *testing.T) {
	s, v := newKey(t, origin)
	dir := t.TempDir()
	appendN(t, dir, s, 300)
	r, _ := resume(t, dir, v, nil, false)
	appendN(t, dir, s, 300)
	rewriteBundle(t, dir, "tile/entries/001", func(b []byte) []byte { b[len(b)-1] ^= 1; return b })
	if r2, _ := resume(t, dir, v, r.Next, false); !verify.IsFailure(r2.Err) || r2.Next != nil {
		t.Fatalf("damaged new entries: %+v", r2)
	}
}

// writeCheckpoint signs c with s and stores it as the log's checkpoint.
func writeCheckpoint(t *testing.T, dir, key string, s *checkpoint.Signer, c checkpoint.Checkpoint) []byte {
	t.Helper()
	note, err := checkpoint.Sign(c, s)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(key)), note, 0o644); err != nil {
		t.Fatal(err)
	}
	return note
}

func TestSplitView(t *testing.T) {
	s, v := newKey(t, origin)
	dir := t.TempDir()
	appendN(t, dir, s, 300)
	first, _ := resume(t, dir, v, nil, false)
	if first.Err != nil {
		t.Fatal(first.Err)
	}
	saved, err := os.ReadFile(filepath.Join(dir, "checkpoint"))
	if err != nil {
		t.Fatal(err)
	}
	expectSplit := func(name string, prev *verify.State) {
		t.Helper()
		r, _ := resume(t, dir, v, prev, false)
		sv := verify.AsSplitView(r.Err)
		if sv == nil || !verify.IsFailure(r.Err) || r.Next != nil {
			t.Fatalf("%s: want a split view, got %v", name, r.Err)
		}
		if string(sv.First) != string(prev.Checkpoint) || sv.Origin != origin {
			t.Fatalf("%s: evidence %+v", name, sv)
		}
	}

	// Control: the same checkpoint again is nothing new.
	if r, seen := resume(t, dir, v, first.Next, false); r.Err != nil || r.EntriesChecked != 0 || len(seen) != 0 || r.From != 300 {
		t.Fatalf("same checkpoint: %+v", r)
	}
	// Same size, another root, signed with the same key.
	writeCheckpoint(t, dir, "checkpoint", s, checkpoint.Checkpoint{Origin: origin, Size: 300, Hash: tlog.Hash{1}})
	expectSplit("another root", first.Next)

	// Rollback: a smaller, correctly signed and consistent tree.
	os.WriteFile(filepath.Join(dir, "checkpoint"), saved, 0o644)
	appendN(t, dir, s, 100)
	grown, _ := resume(t, dir, v, first.Next, false)
	if grown.Err != nil || grown.EntriesChecked != 100 {
		t.Fatalf("grown: %+v", grown)
	}
	grownNote, err := os.ReadFile(filepath.Join(dir, "checkpoint"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "checkpoint"), saved, 0o644)
	expectSplit("rollback", grown.Next)

	// A larger tree that does not contain the remembered one: remember a
	// forged tree of size 300, signed with the same key.
	os.WriteFile(filepath.Join(dir, "checkpoint"), grownNote, 0o644)
	forged := *first.Next
	oc, err := checkpoint.Open(forged.Checkpoint, v)
	if err != nil {
		t.Fatal(err)
	}
	oc.Hash[0] ^= 1
	if forged.Checkpoint, err = checkpoint.Sign(oc, s); err != nil {
		t.Fatal(err)
	}
	expectSplit("not a prefix", &forged)
	// Control: the true remembered tree is a prefix.
	if r, _ := resume(t, dir, v, first.Next, false); r.Err != nil || r.EntriesChecked != 100 {
		t.Fatalf("control: %+v", r)
	}
}
