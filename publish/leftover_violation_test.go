package publish_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"strings"
	"testing"
	"time"

	"stele/layout"
	"stele/publish"
	"stele/record"
	"stele/store"
	"stele/store/storefault"
	"stele/tiles"
)

// TestPlantedViolationNotAdopted: someone who can write to the site bucket
// (but has no signing key) plants an entry bundle beyond the checkpoint
// that ends in an unsigned "violation" record. The next run must not sign
// a checkpoint over it: the epoch verifies, and the planted bundle's other
// bytes stop the run (exit 3) for an operator to look at, naming it.
func TestPlantedViolationNotAdopted(t *testing.T) {
	s := newJobSite(t, 6, specWA)
	st := storefault.NewMem()
	if sum := s.runOn(st, s.now, publish.Options{}); sum.ExitCode != 0 {
		t.Fatalf("first run: %+v", sum)
	}
	ctx := context.Background()
	prefix := layout.LogPrefix("wa")
	o, err := st.Get(ctx, prefix+"tile/entries/000.p/7")
	if err != nil {
		t.Fatal(err)
	}
	zr, _ := gzip.NewReader(bytes.NewReader(o.Data))
	var raw bytes.Buffer
	raw.ReadFrom(zr)
	entries, err := tiles.ParseBundle(raw.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	last, _ := record.Parse(entries[6])
	fake := &record.Record{Kind: record.KindViolation, Namespace: "wa", Epoch: last.Epoch + 1,
		PreviousDigest: last.Digest, Digest: strings.Repeat("ab", 32),
		Proofs:        []record.Proof{{Name: "x", Size: 1, SHA256: strings.Repeat("cd", 32)}},
		Configuration: last.Configuration, VerifiedAt: 1, Reason: "planted"}
	line, err := fake.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	var b []byte
	for _, e := range append(entries, line) {
		b, _ = tiles.AppendEntry(b, e)
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(b)
	zw.Close()
	if err := st.Create(ctx, prefix+"tile/entries/000.p/8", z.Bytes(), store.Metadata{ContentEncoding: "gzip"}); err != nil {
		t.Fatal(err)
	}
	s.extend(1)
	sum := s.runOn(st, s.now, publish.Options{})
	n := sum.Namespaces[0]
	if sum.ExitCode != 3 || n.LogSize != 7 || !strings.Contains(n.Error, "000.p/8") {
		t.Errorf("planted violation: exit %d, log size %d, %q; want exit 3, the log as it was, the bundle named", sum.ExitCode, n.LogSize, n.Error)
	}
	for _, r := range s.check(st, "wa").recs {
		if r.Kind == record.KindViolation {
			t.Fatalf("a violation was signed into the log: %q", r.Reason)
		}
	}
}

// TestLeftoverViolationConfirmed: a run finds a violation, writes its
// record, and fails before the checkpoint swap. The next run, an hour
// later, verifies that epoch again, finds the same violation, and keeps
// the leftover's bytes (its time included): the signed log holds the
// violation as first recorded, and no immutable object is in the way.
func TestLeftoverViolationConfirmed(t *testing.T) {
	s := newJobSite(t, 6, specWA)
	st := storefault.NewMem()
	if sum := s.runOn(st, s.now, publish.Options{}); sum.ExitCode != 0 {
		t.Fatalf("first run: %+v", sum)
	}
	s.extend(2)
	a := s.rootOf("wa")
	k, _ := s.sourceKey("wa", a.Epoch+7)
	flipLastByte(t, s.proofPath("wa", k))
	ckpt := layout.LogPrefix("wa") + publish.CheckpointKey
	failSwap := storefault.New(st, func(c storefault.Call) storefault.Mode {
		if c.Op == storefault.OpSwap && c.Key == ckpt {
			return storefault.Before
		}
		return storefault.None
	})
	if sum := s.runOn(failSwap, s.now, publish.Options{}); sum.ExitCode != 3 {
		t.Fatalf("run with a failed swap: exit %d, want 3", sum.ExitCode)
	}
	later := s.now.Add(time.Hour)
	n := wantResult(t, s.runOn(st, later, publish.Options{}), "wa", publish.ResultViolation, 1)
	if n.LogSize != 8 {
		t.Fatalf("log size %d, want 8", n.LogSize)
	}
	recs := s.check(st, "wa").recs
	if v := recs[7]; v.Kind != record.KindViolation || v.VerifiedAt != s.now.UnixMilli() {
		t.Fatalf("last record %s at %d, want the violation recorded at %d", v.Kind, v.VerifiedAt, s.now.UnixMilli())
	}
}
