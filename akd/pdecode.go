package akd

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"sync"
	"sync/atomic"
)

// Parallel decoding. A proof is a sequence of length-delimited fields, and
// finding where one ends takes two bytes of it, so one goroutine (the
// scanner) reads the stream in blocks, cuts each block after its last
// whole element and reserves the elements' places in the store; workers
// parse the elements of a block into those places and compute their
// digests while the scanner reads on. The scanner only accepts the common
// framing (an inserted or unchanged element whose length fits one byte,
// within the limits); at anything else it hands the rest of the stream,
// from that field on, to the sequential decoder, so that every
// unusual encoding and every error takes the sequential path's route.
// Errors are those of the sequential decoder: an element that fails to
// parse is reported with the same position, and the earliest one wins.

// decodeBlockSize is the size of the blocks the scanner reads.
const decodeBlockSize = 1 << 18

// maxSimpleFrame is the largest field the scanner accepts: a tag byte, a
// one-byte length and up to 127 bytes.
const maxSimpleFrame = 2 + 0x7f

// itemSink processes decoded items (the element digests); each worker
// has its own.
type itemSink interface{ digest(items []item) }

// segment is a run of whole elements for a worker to parse, or, without
// data, of already decoded items to pass to the sink.
type segment struct {
	block  []byte // the pooled buffer data lies in
	data   []byte
	off    int64 // stream offset of data[0]
	first  int   // index of the first element
	pieces [][]item
}

// parallelDecoder decodes a proof into a store with several goroutines.
type parallelDecoder struct {
	limits    Limits
	workers   int
	blockSize int
	newSink   func() itemSink // nil: no sink

	pool chan []byte
	jobs chan *segment
	stop atomic.Bool
	// firstBad is the index of the earliest element known not to parse
	// (math.MaxInt64 while none is): segments after it need no parsing,
	// those before it still do, since one of them may fail earlier.
	firstBad atomic.Int64
	// inserted counts the inserted elements decoded.
	inserted atomic.Int64

	// firsts are the first elements' indices of the segments; breaks
	// the indices inside segments where the label order breaks (see
	// store.runStarts), up to maxMergeRuns of them.
	firsts []int
	breaks []int
	tail   bool // the sequential decoder decoded elements

	mu     sync.Mutex
	errIdx int // element index of err
	errN   int64
	err    error
	sinks  []itemSink // one per worker
}

// decodeParallel decodes the proof in r into s (which must be empty) and
// passes every item to a sink from newSink (if not nil), on workers
// goroutines besides the caller's. It returns what decodeStream returns,
// the sinks used and the number of inserted elements.
func decodeParallel(ctx context.Context, r io.Reader, limits Limits, s *store, workers, blockSize int, newSink func() itemSink) (int64, []itemSink, int, error) {
	pd := &parallelDecoder{
		limits:    limits.withDefaults(),
		workers:   max(workers, 1),
		blockSize: max(blockSize, maxSimpleFrame),
		newSink:   newSink,
	}
	pd.firstBad.Store(math.MaxInt64)
	pd.pool = make(chan []byte, 2*pd.workers+2)
	pd.jobs = make(chan *segment, 2*pd.workers)
	var wg sync.WaitGroup
	for w := 0; w < pd.workers; w++ {
		var sink itemSink
		if newSink != nil {
			sink = newSink()
			pd.sinks = append(pd.sinks, sink)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			pd.work(sink)
		}()
	}
	n, err := pd.scan(ctx, r, s)
	close(pd.jobs)
	wg.Wait()
	if pd.err != nil {
		return pd.errN, pd.sinks, int(pd.inserted.Load()), pd.err
	}
	if err == nil && !pd.tail {
		starts := pd.breaks
		for _, f := range pd.firsts {
			if f > 0 && len(starts) < maxMergeRuns && compareItems(s.at(uint32(f-1)), s.at(uint32(f))) > 0 {
				starts = append(starts, f)
			}
		}
		slices.Sort(starts)
		s.runStarts, s.runsKnown = starts, true
	}
	return n, pd.sinks, int(pd.inserted.Load()), err
}

func (pd *parallelDecoder) getBlock() []byte {
	select {
	case b := <-pd.pool:
		return b
	default:
		return make([]byte, pd.blockSize)
	}
}

func (pd *parallelDecoder) putBlock(b []byte) {
	select {
	case pd.pool <- b:
	default:
	}
}

// scan reads r, hands whole elements to the workers and, at the first
// field it does not handle, decodes the rest sequentially.
func (pd *parallelDecoder) scan(ctx context.Context, r io.Reader, s *store) (int64, error) {
	cr := &countingReader{r: r}
	var (
		consumed int64
		count    int
		have     int
		eof      bool
	)
	buf := pd.getBlock()
	for {
		if pd.stop.Load() {
			return consumed, nil // a worker's error decides
		}
		if err := ctx.Err(); err != nil {
			return consumed, err
		}
		for have < len(buf) && !eof {
			n, err := cr.Read(buf[have:])
			have += n
			if err != nil {
				eof = true
			}
		}
		p, k, unusual := 0, 0, false
		for p+2 <= have {
			t, l := buf[p], buf[p+1]
			if (t != fieldInserted<<3|2 && t != fieldUnchanged<<3|2) || l >= 0x80 {
				unusual = true
				break
			}
			size := 2 + int(l)
			if p+size > have {
				break
			}
			if consumed+int64(p+size) > pd.limits.MaxBytes || count+k+1 > pd.limits.MaxElements {
				unusual = true
				break
			}
			p += size
			k++
		}
		if p == 0 && have == len(buf) {
			unusual = true // cannot happen: a block holds a frame
		}
		rest := buf[p:have]
		if unusual || eof && (len(rest) > 0 || cr.err != nil || count+k == 0) {
			// The sequential decoder takes over from the first byte not
			// handed to a worker; it needs the rest of this block first.
			tail := bytes.Clone(rest)
			pd.dispatch(s, buf, p, consumed, count, k, false)
			consumed += int64(p)
			count += k
			return pd.sequentialTail(ctx, cr, tail, s, consumed, count)
		}
		next := pd.getBlock()
		have = copy(next, rest)
		pd.dispatch(s, buf, p, consumed, count, k, eof)
		consumed += int64(p)
		count += k
		buf = next
		if eof {
			pd.putBlock(buf)
			return consumed, nil
		}
	}
}

// dispatch reserves k elements' places and gives the worker the first p
// bytes of buf, which hold them. buf belongs to the worker afterwards.
// last says that no element follows.
func (pd *parallelDecoder) dispatch(s *store, buf []byte, p int, off int64, first, k int, last bool) {
	if k == 0 {
		pd.putBlock(buf)
		return
	}
	pd.firsts = append(pd.firsts, first)
	pd.jobs <- &segment{block: buf, data: buf[:p], off: off, first: first, pieces: s.reserve(k, last)}
}

// sequentialTail decodes the rest of the stream (tail, then cr) as
// decodeStream would, appending to s, and hands the new items to the
// sinks.
func (pd *parallelDecoder) sequentialTail(ctx context.Context, cr *countingReader, tail []byte, s *store, consumed int64, count int) (int64, error) {
	from := s.n
	n, err := decodeFrom(cr, io.MultiReader(bytes.NewReader(tail), cr), 1<<16, pd.limits, consumed, count, func(inserted bool, e *Element) error {
		if pd.stop.Load() {
			return errStopped
		}
		s.add(e, inserted)
		if inserted {
			pd.inserted.Add(1)
		}
		if s.n%chunkLen == 0 {
			return ctx.Err()
		}
		return nil
	})
	if err != nil {
		return n, err
	}
	pd.tail = s.n > from
	if pd.newSink != nil && s.n > from {
		pd.jobs <- &segment{pieces: s.span(from, s.n)}
	}
	return n, nil
}

// errStopped ends the sequential tail after a worker's error, which is
// the one returned.
var errStopped = fmt.Errorf("akd: stopped")

// work parses segments and passes their items to sink.
func (pd *parallelDecoder) work(sink itemSink) {
	for seg := range pd.jobs {
		if seg.data != nil {
			ok := int64(seg.first) < pd.firstBad.Load() && pd.parse(seg)
			pd.putBlock(seg.block)
			if !ok {
				continue
			}
		}
		if sink != nil && !pd.stop.Load() {
			for _, p := range seg.pieces {
				sink.digest(p)
			}
		}
	}
}

// parse decodes the elements of seg into its pieces, reporting false
// (after recording the error) for one that does not parse.
func (pd *parallelDecoder) parse(seg *segment) bool {
	var e Element
	b, p, idx, ins := seg.data, 0, seg.first, 0
	var prev *item
	var breaks []int
	for _, piece := range seg.pieces {
		for i := range piece {
			l := int(b[p+1])
			body := b[p+2 : p+2+l]
			if !parseCanonical(body, &e) {
				if err := parseElement(body, &e); err != nil {
					at := seg.off + int64(p+2)
					pd.fail(idx, at, &MalformedError{Err: fmt.Errorf("at byte %d: element %d: %w", at, idx, err)})
					return false
				}
			}
			it := &piece[i]
			it.label = e.Label.Val
			it.dig = e.Value
			it.meta = uint16(e.Label.Len)
			if b[p] == fieldInserted<<3|2 {
				it.meta |= metaInserted
				ins++
			}
			if prev != nil && compareItems(prev, it) > 0 && len(breaks) < maxMergeRuns {
				breaks = append(breaks, idx)
			}
			prev = it
			p += 2 + l
			idx++
		}
	}
	pd.inserted.Add(int64(ins))
	pd.mu.Lock()
	pd.breaks = append(pd.breaks, breaks[:min(len(breaks), maxMergeRuns-min(len(pd.breaks), maxMergeRuns))]...)
	pd.mu.Unlock()
	return true
}

// fail records the error of element idx, keeping the earliest.
func (pd *parallelDecoder) fail(idx int, n int64, err error) {
	pd.mu.Lock()
	if pd.err == nil || idx < pd.errIdx {
		pd.err, pd.errIdx, pd.errN = err, idx, n
		pd.firstBad.Store(int64(idx))
	}
	pd.mu.Unlock()
	pd.stop.Store(true)
}

// reserve appends k items to s, left for the caller to fill, and returns
// them as slices of the store's chunks. Chunks it creates are full-sized
// (others may be writing to their items, so they cannot grow by copying)
// unless last says that nothing will be appended afterwards: a small
// proof then allocates only what it needs.
func (s *store) reserve(k int, last bool) [][]item {
	from := s.n
	for k > 0 {
		c := s.n >> chunkBits
		if c == len(s.chunks) {
			size := chunkLen
			if last {
				size = min(k, chunkLen)
			}
			s.chunks = append(s.chunks, make([]item, 0, size))
		}
		// Every chunk but a last one has room for chunkLen items (the
		// sequential tail's add, which makes small chunks, comes after
		// the last reservation).
		ch := &s.chunks[c]
		m := min(k, chunkLen-len(*ch))
		*ch = (*ch)[:len(*ch)+m]
		s.n += m
		k -= m
	}
	return s.span(from, s.n)
}

// span returns the items lo..hi-1 as slices of the store's chunks.
func (s *store) span(lo, hi int) [][]item {
	var pieces [][]item
	for lo < hi {
		c := lo >> chunkBits
		end := min(hi, (c+1)<<chunkBits)
		pieces = append(pieces, s.chunks[c][lo&(chunkLen-1):end-c<<chunkBits])
		lo = end
	}
	return pieces
}
