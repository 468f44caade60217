package verify_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"stele/checkpoint"
	"stele/internal/sitetest"
	"stele/layout"
	"stele/verify"
)

// publishMore extends the simulated directory src by epochs and publishes
// everything new into siteDir with s at the time now.
func publishMore(t *testing.T, src, siteDir string, s *checkpoint.Signer, epochs int, now time.Time) {
	t.Helper()
	sitetest.Publish(t, sitetest.Run{Source: src, Site: siteDir, Signer: s, Epochs: epochs, Now: now})
}

// TestResumeAuditLog: verify a stele audit log, publish more, verify
// again: only the new records are checked, continuing the chain from the
// remembered last record, and the archived checkpoints are checked once.
func TestResumeAuditLog(t *testing.T) {
	tmp := t.TempDir()
	src, siteDir := filepath.Join(tmp, "proofs"), filepath.Join(tmp, "site")
	s, v := newKey(t, "test.example/stele")
	t0 := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	publishMore(t, src, siteDir, s, 4, t0)
	logDir := filepath.Join(siteDir, "logs", "ns")
	r1, _ := resume(t, logDir, v, nil, true)
	if r1.Err != nil || r1.Status != verify.StatusOnline || r1.EntriesChecked != 5 || r1.VerifiedAt != t0.UnixMilli() {
		t.Fatalf("first: %+v", r1)
	}
	if len(r1.Next.Archived) == 0 || r1.Next.Status != verify.StatusOnline || r1.Next.VerifiedAt != t0.UnixMilli() {
		t.Fatalf("first state: %+v", r1.Next)
	}
	t1 := t0.Add(time.Hour)
	publishMore(t, src, siteDir, s, 3, t1)
	r2, seen := resume(t, logDir, v, r1.Next, true)
	if r2.Err != nil || r2.From != 5 || r2.EntriesChecked != 3 || len(seen) != 3 || r2.Status != verify.StatusOnline || r2.VerifiedAt != t1.UnixMilli() {
		t.Fatalf("second: %+v (saw %v)", r2, seen)
	}
	full, _ := resume(t, logDir, v, nil, true)
	if full.Err != nil || full.Root != r2.Root || full.EntriesChecked != 8 {
		t.Fatalf("full: %+v", full)
	}
	if len(r2.Next.Archived) <= len(r1.Next.Archived) {
		t.Fatalf("archived sizes: %v then %v", r1.Next.Archived, r2.Next.Archived)
	}

	// A remembered last record that the new records do not continue.
	broken := *r1.Next
	broken.LastEntry = []byte(strings.Replace(string(broken.LastEntry), `"epoch":54`, `"epoch":53`, 1))
	if string(broken.LastEntry) == string(r1.Next.LastEntry) {
		t.Fatalf("no epoch 54 in %s", broken.LastEntry)
	}
	if r, _ := resume(t, logDir, v, &broken, true); !verify.IsFailure(r.Err) {
		t.Fatalf("chain from a wrong remembered record: %v", r.Err)
	}

	// An archived checkpoint that disagrees with the current tree.
	size := r1.Next.Archived[0]
	key := layout.ArchivedCheckpoint(size)
	writeCheckpoint(t, logDir, key, s.WithName("test.example/stele/ns"), checkpoint.Checkpoint{Origin: "test.example/stele/ns", Size: size, Hash: tlog.Hash{9}})
	r, _ := resume(t, logDir, v, nil, true)
	sv := verify.AsSplitView(r.Err)
	if sv == nil || !strings.Contains(r.Err.Error(), layout.ArchivedCheckpoint(size)) {
		t.Fatalf("forged archived checkpoint: %v", r.Err)
	}
	// Incrementally too: sizes already checked are checked again, a few
	// each run (all of them here, as there are few).
	if len(r2.Next.Archived) > 4 {
		t.Fatalf("%d archived checkpoints: the test wants at most 4", len(r2.Next.Archived))
	}
	if r, _ := resume(t, logDir, v, r2.Next, true); verify.AsSplitView(r.Err) == nil {
		t.Fatalf("forged archived checkpoint, checked before: %v", r.Err)
	}
}
