package verify_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"stele/checkpoint"
	"stele/publish"
	"stele/record"
	"stele/store"
	"stele/tiles"
	"stele/verify"
)

// holding is a store that holds only some entries of a log: the full
// level-0 tiles and entry bundles of the other entries are missing, as
// in one zip of a larger archive, so a check that reads them fails.
type holding struct {
	store.Store
	spans []verify.Span
}

func (h *holding) Get(ctx context.Context, key string) (store.Object, error) {
	if t, err := tiles.ParsePath(key); err == nil && t.L <= 0 && t.W == tiles.Width {
		first := t.N * tiles.Width
		held := false
		for _, s := range h.spans {
			held = held || first >= s.Start && first+tiles.Width <= s.End
		}
		if !held {
			return store.Object{}, fmt.Errorf("%s is not held: %w", key, os.ErrNotExist)
		}
	}
	return h.Store.Get(ctx, key)
}

func checkSpans(t *testing.T, dir string, v *checkpoint.Verifier, records bool, spans ...verify.Span) verify.Result {
	t.Helper()
	st, err := store.NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	h := &holding{Store: st, spans: spans}
	return verify.Log(context.Background(), h, []*checkpoint.Verifier{v}, verify.Options{
		Records: records,
		Spans:   func(int64) []verify.Span { return spans },
	})
}

// TestSpans checks parts of a log that spans three level-1 tiles: each
// part verifies on its own against the checkpoint, reading none of the
// other entries, and reports what it checked.
func TestSpans(t *testing.T) {
	if testing.Short() {
		t.Skip("a 131,857-entry log; skipped in -short mode")
	}
	s, v := newKey(t, origin)
	dir := t.TempDir()
	const size = 2*65536 + 3*256 + 17
	appendN(t, dir, s, size)
	full := check(t, dir, v)
	if full.Err != nil {
		t.Fatal(full.Err)
	}
	for _, spans := range [][]verify.Span{
		{{0, 256}},
		{{256, 512}},
		{{65536, 131072}},
		{{512, 768}, {65536 + 256, 65536 + 1024}},
		{{131072 + 768, size}},
		{{0, 65536}, {131072, size}},
	} {
		t.Run(fmt.Sprint(spans), func(t *testing.T) {
			r := checkSpans(t, dir, v, false, spans...)
			var want int64
			for _, s := range spans {
				want += s.End - s.Start
			}
			if r.Err != nil || r.EntriesChecked != want || r.Root != full.Root || r.Size != size {
				t.Fatalf("checked %d entries (want %d), root %s, size %d: %v", r.EntriesChecked, want, r.Root, r.Size, r.Err)
			}
			if fmt.Sprint(r.Spans) != fmt.Sprint(spans) || r.Next != nil {
				t.Fatalf("result spans %v (want %v), next state %v (want none)", r.Spans, spans, r.Next)
			}
		})
	}
	// The whole log as one span is an ordinary check.
	if r := checkSpans(t, dir, v, false, verify.Span{Start: 0, End: size}); r.Err != nil || r.Spans != nil || r.Next == nil {
		t.Fatalf("whole log as a span: spans %v, next %v, %v", r.Spans, r.Next, r.Err)
	}

	// Negative controls: an entry inside the span, and each kind of hash
	// that stands in for the entries not read, changed in one byte.
	for _, c := range []struct {
		key  string
		at   int
		span verify.Span
	}{
		{"tile/entries/001", 40, verify.Span{Start: 256, End: 512}},
		{"tile/0/001", 5, verify.Span{Start: 256, End: 512}},
		{"tile/1/000", 1 * 32, verify.Span{Start: 0, End: 256}},   // a level-8 node skipped after the span
		{"tile/1/000", 0, verify.Span{Start: 512, End: 768}},      // a level-8 node skipped before it
		{"tile/0/515.p/17", 0, verify.Span{Start: 0, End: 256}},   // the right edge's leaves
		{"tile/2/000.p/2", 32, verify.Span{Start: 0, End: 65536}}, // a level-16 node
		{"tile/2/000.p/2", 0, verify.Span{Start: 65536, End: 131072}},
	} {
		t.Run("damaged "+c.key, func(t *testing.T) {
			d := t.TempDir()
			if err := os.CopyFS(d, os.DirFS(dir)); err != nil {
				t.Fatal(err)
			}
			if c.key == "tile/entries/001" {
				rewriteBundle(t, d, c.key, func(b []byte) []byte { b[c.at] ^= 1; return b })
			} else {
				flipByte(t, d, c.key, c.at)
			}
			r := checkSpans(t, d, v, false, c.span)
			if !verify.IsFailure(r.Err) {
				t.Fatalf("%s damaged, span %v: %v, want a failure", c.key, c.span, r.Err)
			}
			t.Logf("%s: %v", c.key, r.Err)
		})
	}
}

// TestSpansRecords checks stele records in a part of a log: the first
// record after a gap is checked on its own, the chain from there on.
func TestSpansRecords(t *testing.T) {
	s, v := newKey(t, "test.example/stele")
	recs := chain(t, s, 700)
	for _, r := range recs {
		sign(t, s, r)
	}
	dir := recordLog(t, s, recs)
	vs := []*checkpoint.Verifier{v}
	for _, spans := range [][]verify.Span{{{256, 512}}, {{0, 256}, {512, 701}}} {
		r := checkSpans(t, dir, vs[0], true, spans...)
		if r.Err != nil || r.Status != verify.StatusOnline {
			t.Fatalf("spans %v: status %s, %v", spans, r.Status, r.Err)
		}
	}
	// A broken chain inside the span fails.
	recs[300].PreviousDigest = digest(5)
	sign(t, s, recs[300])
	dir = recordLog(t, s, recs)
	if r := checkSpans(t, dir, vs[0], true, verify.Span{Start: 256, End: 512}); !verify.IsFailure(r.Err) {
		t.Fatalf("broken chain in the span: %v", r.Err)
	}
	// Positive control: outside the span it is not read.
	if r := checkSpans(t, dir, vs[0], true, verify.Span{Start: 512, End: 701}); r.Err != nil {
		t.Fatalf("broken chain outside the span: %v", r.Err)
	}

	// A span that starts with an entry that is not a record: the records
	// after it are still checked, and the entry is a failure, not a sign
	// that the log is opaque.
	recs = chain(t, s, 700)
	for _, r := range recs {
		sign(t, s, r)
	}
	lines := marshalAll(t, recs)
	lines[256] = []byte("not a record")
	dir = recordLines(t, s, lines)
	for _, sp := range []verify.Span{{Start: 256, End: 512}, {Start: 256, End: 701}} {
		if r := checkSpans(t, dir, vs[0], true, sp); !verify.IsFailure(r.Err) || r.Status == verify.StatusOpaque {
			t.Errorf("span %v starting with a non-record: status %s, %v", sp, r.Status, r.Err)
		}
	}
	// A span of entries that are none of them records is opaque, as a
	// foreign log is.
	for i := 256; i < 512; i++ {
		lines[i] = []byte("opaque entry")
	}
	dir = recordLines(t, s, lines)
	if r := checkSpans(t, dir, vs[0], true, verify.Span{Start: 256, End: 512}); r.Err != nil || r.Status != verify.StatusOpaque {
		t.Errorf("a span of non-records: status %s, %v", r.Status, r.Err)
	}
}

func TestSpansRefused(t *testing.T) {
	s, v := newKey(t, origin)
	dir := t.TempDir()
	appendN(t, dir, s, 1000)
	for _, spans := range [][]verify.Span{{{100, 256}}, {{0, 300}}, {{512, 768}, {256, 512}}, {{0, 2000}}, {{256, 256}}} {
		r := checkSpans(t, dir, v, false, spans...)
		if r.Err == nil || verify.IsFailure(r.Err) {
			t.Errorf("spans %v: %v, want a plain error", spans, r.Err)
		}
	}
	// No spans at all means the whole log.
	st, err := store.NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	r := verify.Log(context.Background(), st, []*checkpoint.Verifier{v}, verify.Options{Spans: func(int64) []verify.Span { return nil }})
	if r.Err != nil || r.EntriesChecked != 1000 || r.Spans != nil || r.Next == nil {
		t.Errorf("no spans: %d entries, spans %v: %v", r.EntriesChecked, r.Spans, r.Err)
	}
}

// recordLog writes the records as a log named test.example/stele/ns in a
// new directory.
func recordLog(t *testing.T, s *checkpoint.Signer, recs []*record.Record) string {
	t.Helper()
	return recordLines(t, s, marshalAll(t, recs))
}

func marshalAll(t *testing.T, recs []*record.Record) [][]byte {
	t.Helper()
	var lines [][]byte
	for _, r := range recs {
		b, err := r.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, b)
	}
	return lines
}

// recordLines writes lines as the log test.example/stele/ns in a new
// directory.
func recordLines(t *testing.T, s *checkpoint.Signer, lines [][]byte) string {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	l, err := publish.OpenLog(ctx, st, s.WithName("test.example/stele/ns"), "test.example/stele/ns")
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Append(ctx, lines); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	return dir
}
