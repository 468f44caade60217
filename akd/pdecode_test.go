package akd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"testing"
	"testing/iotest"

	"google.golang.org/protobuf/encoding/protowire"
)

// decoded is what a decoder produced: the items with their raw values,
// the bytes consumed, the inserted count and the error.
type decoded struct {
	items    []item
	n        int64
	inserted int
	err      error
	starts   []int
	known    bool
}

func decodeSeq(data []byte, limits Limits) decoded {
	s := new(store)
	var d decoded
	// decodeStream's code with a small buffer (the default one would
	// dominate the tests' time).
	cr := &countingReader{r: bytes.NewReader(data)}
	d.n, d.err = decodeFrom(cr, cr, 0, limits, 0, 0, func(inserted bool, e *Element) error {
		s.add(e, inserted)
		if inserted {
			d.inserted++
		}
		return nil
	})
	for c := range s.chunks {
		d.items = append(d.items, s.chunks[c]...)
	}
	return d
}

// countSink counts the items it is given, to check that every item
// reaches a sink exactly once.
type countSink struct{ seen map[*item]int }

func (c *countSink) digest(items []item) {
	for i := range items {
		c.seen[&items[i]]++
	}
}

func decodePar(t *testing.T, r io.Reader, limits Limits, workers, blockSize int) decoded {
	t.Helper()
	s := new(store)
	var d decoded
	var sinks []*countSink
	n, got, ins, err := decodeParallel(context.Background(), r, limits, s, workers, blockSize, func() itemSink {
		cs := &countSink{seen: map[*item]int{}}
		sinks = append(sinks, cs)
		return cs
	})
	if len(got) != len(sinks) {
		t.Fatalf("%d sinks returned, %d made", len(got), len(sinks))
	}
	d.n, d.inserted, d.err = n, ins, err
	for c := range s.chunks {
		d.items = append(d.items, s.chunks[c]...)
	}
	if s.n != len(d.items) {
		t.Fatalf("store counts %d items, holds %d", s.n, len(d.items))
	}
	if err == nil {
		// Every item reached exactly one sink, once.
		seen := map[*item]int{}
		for _, cs := range sinks {
			for p, k := range cs.seen {
				seen[p] += k
			}
		}
		for c := range s.chunks {
			for i := range s.chunks[c] {
				if k := seen[&s.chunks[c][i]]; k != 1 {
					t.Fatalf("item %d of chunk %d digested %d times", i, c, k)
				}
			}
		}
		d.starts, d.known = s.runStarts, s.runsKnown
	}
	return d
}

func sameDecoding(t *testing.T, what string, want, got decoded) {
	t.Helper()
	if (want.err == nil) != (got.err == nil) {
		t.Fatalf("%s: sequential error %v, parallel %v", what, want.err, got.err)
	}
	if want.err != nil {
		var m1, m2 *MalformedError
		if errors.As(want.err, &m1) != errors.As(got.err, &m2) || want.err.Error() != got.err.Error() ||
			errors.Is(want.err, ErrTooLarge) != errors.Is(got.err, ErrTooLarge) || errors.Is(want.err, ErrEmpty) != errors.Is(got.err, ErrEmpty) {
			t.Fatalf("%s: sequential error %v, parallel %v", what, want.err, got.err)
		}
		if want.n != got.n {
			t.Fatalf("%s: sequential stopped at byte %d, parallel at %d", what, want.n, got.n)
		}
		return
	}
	if want.n != got.n || want.inserted != got.inserted || !slices.Equal(want.items, got.items) {
		t.Fatalf("%s: sequential %d bytes, %d items (%d inserted); parallel %d bytes, %d items (%d inserted), equal items %v",
			what, want.n, len(want.items), want.inserted, got.n, len(got.items), got.inserted, slices.Equal(want.items, got.items))
	}
	if got.known {
		var starts []int
		for i := 1; i < len(want.items); i++ {
			if compareItems(&want.items[i-1], &want.items[i]) > 0 {
				starts = append(starts, i)
			}
		}
		if len(starts) >= maxMergeRuns {
			if len(got.starts) < maxMergeRuns {
				t.Fatalf("%s: %d run starts found, want at least %d", what, len(got.starts), maxMergeRuns)
			}
		} else if !slices.Equal(starts, got.starts) {
			t.Fatalf("%s: run starts %v, want %v", what, got.starts, starts)
		}
	}
}

// unusualProof encodes a proof with fields the scanner leaves to the
// sequential decoder here and there: unknown fields, non-canonical
// elements, elements with long length prefixes.
func unusualProof(rng *rand.Rand, p *Proof) []byte {
	var b []byte
	els := append(slices.Clone(p.Inserted), p.Unchanged...)
	for i := range els {
		inserted := i < len(p.Inserted)
		switch rng.IntN(40) {
		case 0: // an unknown field first
			b = protowire.AppendTag(b, 7, protowire.BytesType)
			b = protowire.AppendBytes(b, []byte("unknown"))
		case 1: // a non-canonical element: its value before its label
			var el []byte
			el = protowire.AppendTag(el, fieldValue, protowire.BytesType)
			el = protowire.AppendBytes(el, els[i].Value[:])
			full := AppendElement(nil, inserted, &els[i])
			_, _, n := protowire.ConsumeTag(full)
			body, _ := protowire.ConsumeBytes(full[n:])
			el = append(el, body[:len(body)-34]...)
			field := protowire.Number(fieldUnchanged)
			if inserted {
				field = fieldInserted
			}
			b = protowire.AppendTag(b, field, protowire.BytesType)
			b = protowire.AppendBytes(b, el)
			continue
		}
		b = AppendElement(b, inserted, &els[i])
	}
	return b
}

// TestParallelDecodeMatchesSequential: on random proofs, in blocks of
// every size up to the proof's (so that a block ends at every possible
// byte), the parallel decoder produces the sequential decoder's items.
func TestParallelDecodeMatchesSequential(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for trial := 0; trial < 4; trial++ {
		p := virtualProof(rng, 1+rng.IntN(3), 4+rng.IntN(4))
		inputs := map[string][]byte{"canonical": encode(t, p), "unusual": unusualProof(rng, p)}
		// Elements out of order: many runs.
		shuffled := cloneProof(p)
		rng.Shuffle(len(shuffled.Unchanged), func(i, j int) {
			shuffled.Unchanged[i], shuffled.Unchanged[j] = shuffled.Unchanged[j], shuffled.Unchanged[i]
		})
		inputs["shuffled"] = encode(t, shuffled)
		for name, data := range inputs {
			want := decodeSeq(data, Limits{})
			if want.err != nil {
				t.Fatalf("%s: %v", name, want.err)
			}
			for bs := maxSimpleFrame; bs <= len(data)+1; bs++ {
				workers := 1 + bs%3
				got := decodePar(t, bytes.NewReader(data), Limits{}, workers, bs)
				sameDecoding(t, fmt.Sprintf("trial %d %s, block %d", trial, name, bs), want, got)
			}
			// Short reads.
			for _, r := range []io.Reader{iotest.OneByteReader(bytes.NewReader(data)), iotest.HalfReader(bytes.NewReader(data)), iotest.DataErrReader(bytes.NewReader(data))} {
				sameDecoding(t, name+" short reads", want, decodePar(t, r, Limits{}, 2, 200))
			}
		}
	}
	// A large proof, in the default blocks.
	p := virtualProof(rng, 3000, 20)
	data := encode(t, p)
	want := decodeSeq(data, Limits{})
	for _, workers := range []int{1, 2, 4} {
		sameDecoding(t, "large", want, decodePar(t, bytes.NewReader(data), Limits{}, workers, decodeBlockSize))
		sameDecoding(t, "large, small blocks", want, decodePar(t, bytes.NewReader(data), Limits{}, workers, 1000))
	}
}

// TestParallelDecodeMalformed: every truncation, corruption and limit
// gives the sequential decoder's verdict, with the same message.
func TestParallelDecodeMalformed(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	p := virtualProof(rng, 4, 7)
	data := encode(t, p)
	check := func(what string, in []byte, limits Limits) {
		t.Helper()
		want := decodeSeq(in, limits)
		for _, bs := range []int{maxSimpleFrame, 1 << 12} {
			sameDecoding(t, fmt.Sprintf("%s, block %d", what, bs), want, decodePar(t, bytes.NewReader(in), limits, 2, bs))
		}
	}
	for n := 0; n <= len(data); n++ {
		check(fmt.Sprintf("cut at %d", n), data[:n], Limits{})
	}
	for i := 0; i < len(data); i++ {
		for _, x := range []byte{0x01, 0xff} {
			bad := slices.Clone(data)
			bad[i] ^= x
			check(fmt.Sprintf("byte %d ^ %#x", i, x), bad, Limits{})
		}
	}
	// Two corrupt elements far apart: the first one is reported.
	bad := slices.Clone(data)
	bad[len(bad)-40] = 0x7f // in the last element
	bad[3] = 0x7f           // the first element's label length
	check("two corruptions", bad, Limits{})
	for _, k := range []int{1, 2, 3, 10, 50} {
		check(fmt.Sprintf("%d elements at most", k), data, Limits{MaxElements: k})
	}
	for _, k := range []int{1, 40, 100, 500, len(data) - 1, len(data)} {
		check(fmt.Sprintf("%d bytes at most", k), data, Limits{MaxBytes: int64(k)})
	}
	v32 := make([]byte, 32)
	for what, in := range map[string][]byte{
		"zero bytes":        {},
		"label_len 257":     element(fieldUnchanged, []byte{1}, 257, v32),
		"value missing":     append(slices.Clone(data), element(fieldUnchanged, []byte{1}, 8, nil)...),
		"garbage after":     append(slices.Clone(data), []byte("this is not a protobuf message")...),
		"group wire type":   append(slices.Clone(data), protowire.AppendTag(nil, 1, protowire.StartGroupType)...),
		"element as varint": append(slices.Clone(data), append(protowire.AppendTag(nil, fieldInserted, protowire.VarintType), 1)...),
		"huge length":       append(slices.Clone(data), append(protowire.AppendTag(nil, fieldInserted, protowire.BytesType), 0xff, 0xff, 0xff, 0xff, 0x0f)...),
	} {
		check(what, in, Limits{})
	}
}

// TestParallelDecodeReaderError: the reader's error is returned as such,
// not as a malformed proof.
func TestParallelDecodeReaderError(t *testing.T) {
	data := encode(t, virtualProof(rand.New(rand.NewPCG(25, 26)), 5, 8))
	boom := errors.New("boom")
	for _, cut := range []int{0, 10, len(data) / 2, len(data)} {
		r := io.MultiReader(bytes.NewReader(data[:cut]), iotest.ErrReader(boom))
		d := decodePar(t, r, Limits{}, 2, 300)
		var m *MalformedError
		if !errors.Is(d.err, boom) || errors.As(d.err, &m) {
			t.Fatalf("cut %d: %v", cut, d.err)
		}
	}
}

// TestVerifyWorkers: the parallel and the one-worker paths agree, on
// good proofs and on bad ones.
func TestVerifyWorkers(t *testing.T) {
	rng := rand.New(rand.NewPCG(27, 28))
	for _, cfg := range testConfigs {
		p := virtualProof(rng, 300, 14)
		prev, cur := refRoots(cfg, p, 3)
		data := encode(t, p)
		for _, workers := range []int{1, 2, 3} {
			res, err := Verify(context.Background(), bytes.NewReader(data), cfg, 3, prev, cur, &Options{Workers: workers})
			if err != nil || res.Inserted != len(p.Inserted) || res.Unchanged != len(p.Unchanged) || res.Bytes != int64(len(data)) {
				t.Fatalf("workers %d: %v %+v", workers, err, res)
			}
			if _, err := Verify(context.Background(), bytes.NewReader(data), cfg, 4, prev, cur, &Options{Workers: workers}); err == nil {
				t.Fatalf("workers %d: verified the wrong epoch", workers)
			}
		}
	}
}

// TestMergeParallel compares the split merge with the plain one, for
// runs of many sizes, with equal labels and prefixes among them.
func TestMergeParallel(t *testing.T) {
	rng := rand.New(rand.NewPCG(29, 30))
	for trial := 0; trial < 200; trial++ {
		n := rng.IntN(300)
		s := randomStore(rng, n)
		if n > 4 {
			// Duplicates across the runs.
			for k := 0; k < 3; k++ {
				s.at(uint32(rng.IntN(n))).label = s.at(uint32(rng.IntN(n))).label
			}
		}
		mid := 0
		if n > 0 {
			mid = rng.IntN(n + 1)
		}
		perm := make([]uint32, n)
		for i := range perm {
			perm[i] = uint32(i)
		}
		cmp := func(a, b uint32) int { return compareItems(s.at(a), s.at(b)) }
		slices.SortStableFunc(perm[:mid], cmp)
		slices.SortStableFunc(perm[mid:], cmp)
		want := slices.Clone(perm)
		merge(s, want, slices.Clone(perm[:mid]), want[mid:])
		for parts := 2; parts <= 4; parts++ {
			got := slices.Clone(perm)
			mergeParallel(s, got, slices.Clone(got[:mid]), got[mid:], parts)
			if !slices.Equal(got, want) {
				t.Fatalf("trial %d, n %d, mid %d, %d parts: %v, want %v", trial, n, mid, parts, got, want)
			}
		}
	}
}
