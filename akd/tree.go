package akd

import (
	"errors"
	"fmt"
	"sort"
	"sync"
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

// builder rebuilds subtrees sequentially. Several run concurrently on
// disjoint label ranges, each with its own hasher.
type builder struct {
	s     *store
	perm  []uint32
	h     *hasher
	k     *constants
	stack []stackEntry
}

type stackEntry struct {
	pairResult
	left int // common prefix length with the entry below; -1 for none
}

// check relates two neighbours in label order, returning their common
// prefix length.
func (b *builder) check(i, j uint32) (int, error) {
	x, y := b.s.at(i), b.s.at(j)
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

// run rebuilds the complete subtree perm[lo:hi] with a stack over the
// elements in label order: the trie of sorted, prefix-free labels is the
// Cartesian tree of the neighbours' common prefix lengths.
func (b *builder) run(lo, hi int) (pairResult, error) {
	st := b.stack[:0]
	prev := -1
	for i := lo; i < hi; i++ {
		idx := b.perm[i]
		it := b.s.at(idx)
		leaf := sub{dig: it.dig, src: idx, plen: uint16(it.bitLen()), kind: subLeaf}
		e := stackEntry{left: prev}
		e.r2 = leaf
		if !it.inserted() {
			e.r1 = leaf
		}
		if it.bitLen() == 0 {
			return pairResult{}, labelViolation("element with an empty label (the root's)")
		}
		st = append(st, e)
		next := -1
		if i+1 < hi {
			l, err := b.check(idx, b.perm[i+1])
			if err != nil {
				return pairResult{}, err
			}
			next = l
		}
		for len(st) >= 2 && st[len(st)-1].left > next {
			top := &st[len(st)-1]
			below := &st[len(st)-2]
			below.pairResult = b.join(top.left, &below.pairResult, &top.pairResult)
			st = st[:len(st)-1]
		}
		prev = next
	}
	b.stack = st
	return st[0].pairResult, nil
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
	*out = [32]byte{}
	full := p / 8
	copy(out[:full], v[:full])
	if r := p % 8; r != 0 {
		out[full] = v[full] &^ (0xff >> r)
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
	sem     chan struct{}

	mu     sync.Mutex
	blocks uint64
}

func (pb *parallelBuild) newBuilder() *builder {
	return &builder{s: pb.s, perm: pb.perm, h: newHasher(pb.cfg), k: pb.k}
}

func (pb *parallelBuild) done(b *builder) {
	pb.mu.Lock()
	pb.blocks += b.h.blocks
	pb.mu.Unlock()
}

func (pb *parallelBuild) solve(lo, hi int) (pairResult, error) {
	if hi-lo <= pb.minTask {
		b := pb.newBuilder()
		defer pb.done(b)
		return b.run(lo, hi)
	}
	b := pb.newBuilder()
	defer pb.done(b)
	first, last := pb.perm[lo], pb.perm[hi-1]
	p, prefix, cmp := relate(pb.s.at(first), pb.s.at(last))
	if prefix {
		// Some neighbours are related too; the sequential pass names them.
		return b.run(lo, hi)
	}
	if cmp > 0 {
		return pairResult{}, errUnsorted
	}
	mid := lo + sort.Search(hi-lo, func(i int) bool { return bitAt(&pb.s.at(pb.perm[lo+i]).label, p) == 1 })
	if mid == lo || mid == hi {
		return pairResult{}, errUnsorted
	}
	if _, err := b.check(pb.perm[mid-1], pb.perm[mid]); err != nil {
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
	return b.join(p, &left, &right), nil
}
