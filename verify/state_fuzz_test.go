package verify_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"stele/checkpoint"
	"stele/store"
	"stele/verify"
)

// FuzzResumeState: whatever a state file holds (it comes from the
// verifier's own disk, but disks and people damage files), resuming from
// it never panics, and never reports an honest log as verified with a root
// other than its own. A state that does not fit the log may well fail it
// (a split view, or a chain that does not continue): that is its job.
func FuzzResumeState(f *testing.F) {
	s, v := newKey(f, origin)
	dir := f.TempDir()
	appendN(f, dir, s, 300, 30)
	st, err := store.NewDir(dir)
	if err != nil {
		f.Fatal(err)
	}
	ctx := context.Background()
	full := verify.Log(ctx, st, []*checkpoint.Verifier{v}, verify.Options{Records: true})
	if full.Err != nil || full.Next == nil {
		f.Fatalf("full verification: %v", full.Err)
	}
	good, _ := json.Marshal(full.Next)
	old, _ := os.ReadFile(filepath.Join(dir, "checkpoint"))
	f.Add(good)
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"Checkpoint":null}`))
	oldState, _ := json.Marshal(verify.State{Checkpoint: old, Status: verify.StatusOpaque})
	f.Add(oldState)
	f.Fuzz(func(t *testing.T, data []byte) {
		var prev verify.State
		if json.Unmarshal(data, &prev) != nil {
			prev = verify.State{Checkpoint: data}
		}
		r := verify.Log(ctx, st, []*checkpoint.Verifier{v}, verify.Options{
			Records: true,
			Resume:  func(string) (*verify.State, error) { return &prev, nil },
		})
		if r.Err == nil && r.Root != full.Root {
			t.Fatalf("resumed from %q: verified with root %s, the log's is %s", data, r.Root, full.Root)
		}
	})
}
