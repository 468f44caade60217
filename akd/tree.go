package akd

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"sync"

	"stele/akd/internal/blake3x"
)

// sub is the result of rebuilding a subtree: empty, one element as given,
// or an interior node whose label is the first plen bits of element src.
type sub struct {
	dig  [32]byte // whatsapp_v1: H(value || L(label)); experimental: value
	src  uint32
	plen uint16
	kind uint8
}

const (
	subEmpty uint8 = iota
	subLeaf
	subNode
)

// pairResult is a subtree of both trees over the same label range: r1 over
// the unchanged elements only (the tree of epoch E-1), r2 over all.
type pairResult struct{ r1, r2 sub }

// errUnsorted means the builder met elements out of label order: a bug of
// the ordering, never the proof's fault.
var errUnsorted = errors.New("akd: internal error: elements out of label order")

// builder rebuilds subtrees sequentially (levels.go). Several run
// concurrently on disjoint label ranges, each with its own queues.
type builder struct {
	s    *store
	perm []uint32
	h    *hasher // one hash at a time: the joins above the tasks, the roots
	k    *constants

	stack   []stackEntry
	vals    []pairResult // the subtrees of the current block
	height  []uint16     // of vals: 0 when hashed, else 1 + the children's
	ops     []op         // the joins of the current block
	scratch []opScratch  // of ops
	order   []int32      // ops by height
	counts  []int32
	maxOps  int           // joins planned per block: blockOps but in tests
	q       oneBlockQueue // whatsapp_v1 label values
	pairs   pairQueue     // whatsapp_v1
	pq      *fixedQueue   // experimental parents
}

type stackEntry struct {
	ref  int32 // the subtree, in vals
	left int   // common prefix length with the entry below; -1 for none
}

// check relates two neighbours in label order, returning their common
// prefix length.
func check(s *store, i, j uint32) (int, error) {
	x, y := s.at(i), s.at(j)
	l, prefix, cmp := relate(x, y)
	if prefix {
		if x.bitLen() == y.bitLen() {
			return 0, labelViolation("duplicate label %s", labelString(x))
		}
		if x.bitLen() > y.bitLen() {
			x, y = y, x
		}
		return 0, labelViolation("label %s is a prefix of label %s", labelString(x), labelString(y))
	}
	if cmp > 0 {
		return 0, errUnsorted
	}
	return l, nil
}

func labelString(it *item) string {
	n := (it.bitLen() + 7) / 8
	return fmt.Sprintf("%x/%d", it.label[:n], it.bitLen())
}

// join makes the node of label length p over the adjacent subtrees a
// (bit p = 0) and c (bit p = 1), in both trees. The first tree has the
// node only when both sides hold unchanged elements; the label's hash is
// shared.
func (b *builder) join(p int, a, c *pairResult) pairResult {
	var out pairResult
	src := a.r2.src
	var lv [32]byte
	if b.h.cfg.kind == kindWhatsAppV1 {
		var pre [32]byte
		prefixOf(&pre, &b.s.at(src).label, p)
		lv = b.h.labelValue(&pre, uint32(p))
	}
	out.r2 = b.node(p, src, &lv, &a.r2, &c.r2)
	switch {
	case a.r1.kind == subEmpty:
		out.r1 = c.r1
	case c.r1.kind == subEmpty:
		out.r1 = a.r1
	default:
		out.r1 = b.node(p, src, &lv, &a.r1, &c.r1)
	}
	return out
}

// node hashes the interior node (p bits of src's label) over l and r. lv
// is the node's label value (whatsapp_v1 only).
func (b *builder) node(p int, src uint32, lv *[32]byte, l, r *sub) sub {
	n := sub{src: src, plen: uint16(p), kind: subNode}
	if b.h.cfg.kind == kindWhatsAppV1 {
		v := b.h.pair(&l.dig, &r.dig)
		n.dig = b.h.pair(&v, lv)
		return n
	}
	var ll, rl [32]byte
	b.labelOf(&ll, l)
	b.labelOf(&rl, r)
	n.dig = b.h.parentExperimental(&l.dig, &ll, uint32(l.plen), &r.dig, &rl, uint32(r.plen))
	return n
}

// labelOf writes the label value bytes of s (experimental): an element's
// label as given, a node's prefix, the empty label.
func (b *builder) labelOf(out *[32]byte, s *sub) {
	switch s.kind {
	case subLeaf:
		*out = b.s.at(s.src).label
	case subNode:
		prefixOf(out, &b.s.at(s.src).label, int(s.plen))
	default:
		*out = b.k.emptyLabel
	}
}

// prefixOf writes the first p bits of v, zero beyond.
func prefixOf(out *[32]byte, v *[32]byte, p int) {
	for w := 0; w < 4; w++ {
		x := binary.BigEndian.Uint64(v[8*w:])
		switch keep := p - 64*w; {
		case keep <= 0:
			x = 0
		case keep < 64:
			x &^= ^uint64(0) >> keep
		}
		binary.BigEndian.PutUint64(out[8*w:], x)
	}
}

// root publishes the root of a tree whose top subtree is t: the root
// always splits on bit 0, so a top subtree that does not is one child of
// it, with an empty sibling.
func (b *builder) root(t *sub) [32]byte {
	k := b.k
	if t.kind == subEmpty {
		return k.emptyRoot
	}
	if t.kind == subNode && t.plen == 0 {
		return t.dig // H(value || L(root label)) for whatsapp_v1; the value for experimental
	}
	empty := sub{dig: k.emptyDig, kind: subEmpty}
	l, r := t, &empty
	if bitAt(&b.s.at(t.src).label, 0) == 1 {
		l, r = r, l
	}
	var lv [32]byte
	if b.h.cfg.kind == kindWhatsAppV1 {
		lv = k.rootLabel
	}
	n := b.node(0, t.src, &lv, l, r)
	return n.dig
}

// buildParallel rebuilds both trees over perm[lo:hi], splitting the label
// range at its top nodes into tasks run by up to workers goroutines.
type parallelBuild struct {
	s       *store
	perm    []uint32
	cfg     Config
	k       *constants
	minTask int
	maxOps  int // the builders' block size, 0 for blockOps
	sem     chan struct{}

	mu   sync.Mutex
	free []*builder // every builder made, when none is running
}

func (pb *parallelBuild) newBuilder() *builder {
	b := &builder{s: pb.s, perm: pb.perm, h: newHasher(pb.cfg), k: pb.k, maxOps: pb.maxOps}
	if b.maxOps <= 0 {
		b.maxOps = blockOps
	}
	b.q.simd = blake3x.Accelerated()
	b.pairs.simd = b.q.simd
	if pb.cfg.kind == kindExperimental {
		b.pq = newFixedQueue(pb.cfg.domain, len(pb.cfg.domain)+2*(32+36), b.q.simd)
	}
	return b
}

// compressions returns the BLAKE3 compressions b ran.
func (b *builder) compressions() uint64 {
	n := b.h.blocks + b.q.hashes + b.pairs.hashes
	if b.pq != nil {
		n += b.pq.hashes
	}
	return n
}

// get returns an idle builder, reusing one (and its buffers) when it can.
func (pb *parallelBuild) get() *builder {
	pb.mu.Lock()
	defer pb.mu.Unlock()
	if n := len(pb.free); n > 0 {
		b := pb.free[n-1]
		pb.free = pb.free[:n-1]
		return b
	}
	return pb.newBuilder()
}

func (pb *parallelBuild) put(b *builder) {
	pb.mu.Lock()
	pb.free = append(pb.free, b)
	pb.mu.Unlock()
}

// compressions returns the compressions run by every builder; none may be
// running.
func (pb *parallelBuild) compressions() uint64 {
	var n uint64
	for _, b := range pb.free {
		n += b.compressions()
	}
	return n
}

// runTask runs one sequential task on an idle builder.
func (pb *parallelBuild) runTask(lo, hi int) (pairResult, error) {
	b := pb.get()
	defer pb.put(b)
	return b.run(lo, hi)
}

func (pb *parallelBuild) solve(lo, hi int) (pairResult, error) {
	if hi-lo <= pb.minTask {
		return pb.runTask(lo, hi)
	}
	first, last := pb.perm[lo], pb.perm[hi-1]
	p, prefix, cmp := relate(pb.s.at(first), pb.s.at(last))
	if prefix {
		// Some neighbours are related too; the sequential pass names them.
		return pb.runTask(lo, hi)
	}
	if cmp > 0 {
		return pairResult{}, errUnsorted
	}
	mid := lo + sort.Search(hi-lo, func(i int) bool { return bitAt(&pb.s.at(pb.perm[lo+i]).label, p) == 1 })
	if mid == lo || mid == hi {
		return pairResult{}, errUnsorted
	}
	if _, err := check(pb.s, pb.perm[mid-1], pb.perm[mid]); err != nil {
		return pairResult{}, err
	}
	var left pairResult
	var leftErr error
	var wg sync.WaitGroup
	select {
	case pb.sem <- struct{}{}:
		wg.Add(1)
		go func() {
			defer wg.Done()
			left, leftErr = pb.solve(lo, mid)
			<-pb.sem
		}()
	default:
		left, leftErr = pb.solve(lo, mid)
	}
	right, err := pb.solve(mid, hi)
	wg.Wait()
	if leftErr != nil {
		return pairResult{}, leftErr
	}
	if err != nil {
		return pairResult{}, err
	}
	b := pb.get()
	defer pb.put(b)
	return b.join(p, &left, &right), nil
}
