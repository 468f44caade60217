package akd

import (
	"encoding/binary"
	"slices"
)

// The batched build. The builder walks the elements in label order with
// a stack, as the Cartesian tree of the neighbours' common prefix lengths
// (the trie of sorted, prefix-free labels), but a join only plans the
// node: the hashing waits until a block of blockOps joins is planned.
// Then the block's nodes are hashed in order of height, all nodes of one
// height together: their inputs are ready, and there are many of them
// (the subtrees of a block are independent), so they fill the eight lanes
// of the hash kernel. After a block only the subtrees on the stack are
// kept, so memory stays bounded by the block and the stack.

// blockOps is how many joins the builder plans before it hashes them.
const blockOps = 1024

// op is a planned join: node out over the adjacent subtrees a (bit p = 0)
// and c (bit p = 1), labelled by the first p bits of element src.
type op struct {
	a, c, out int32 // in vals
	src       uint32
	p         uint16
	height    uint16
	r1        uint8 // where out's first-tree subtree comes from
}

// opScratch holds a whatsapp_v1 join's intermediate hashes: its label
// value and the parent values of both trees.
type opScratch struct{ lv, v1, v2 [32]byte }

// Sources of a join's subtree in the first tree, the tree of the
// unchanged elements, which has a node only when both sides hold some.
const (
	r1Node uint8 = iota
	r1FromA
	r1FromC
)

// run rebuilds the complete subtree perm[lo:hi] (lo < hi).
func (b *builder) run(lo, hi int) (pairResult, error) {
	b.stack, b.vals, b.height, b.ops = b.stack[:0], b.vals[:0], b.height[:0], b.ops[:0]
	prev := -1
	for i := lo; i < hi; i++ {
		idx := b.perm[i]
		it := b.s.at(idx)
		if it.bitLen() == 0 {
			return pairResult{}, labelViolation("element with an empty label (the root's)")
		}
		v, ref := b.newVal(0)
		v.r2 = sub{dig: it.dig, src: idx, plen: uint16(it.bitLen()), kind: subLeaf}
		if it.inserted() {
			v.r1.kind = subEmpty
		} else {
			v.r1 = v.r2
		}
		b.stack = append(b.stack, stackEntry{ref: ref, left: prev})
		next := -1
		if i+1 < hi {
			l, err := check(b.s, idx, b.perm[i+1])
			if err != nil {
				return pairResult{}, err
			}
			next = l
		}
		for len(b.stack) >= 2 && b.stack[len(b.stack)-1].left > next {
			top := b.stack[len(b.stack)-1]
			below := &b.stack[len(b.stack)-2]
			below.ref = b.plan(top.left, below.ref, top.ref)
			b.stack = b.stack[:len(b.stack)-1]
		}
		prev = next
		if len(b.ops) >= b.maxOps {
			b.execute()
		}
	}
	b.execute()
	return b.vals[b.stack[0].ref], nil
}

// newVal appends a subtree of the given height to vals, leaving its
// fields for the caller to set.
func (b *builder) newVal(height uint16) (*pairResult, int32) {
	n := len(b.vals)
	if n == cap(b.vals) {
		b.vals = slices.Grow(b.vals, 2*b.maxOps+1024)
	}
	b.vals = b.vals[:n+1]
	b.height = append(b.height, height)
	return &b.vals[n], int32(n)
}

// plan records the join of label length p over vals[ai] and vals[ci],
// returning the new subtree's index. Its kinds and labels are known now;
// its hashes after execute.
func (b *builder) plan(p int, ai, ci int32) int32 {
	a, c := &b.vals[ai], &b.vals[ci]
	src := a.r2.src
	mode := r1Node
	switch {
	case a.r1.kind == subEmpty:
		mode = r1FromC
	case c.r1.kind == subEmpty:
		mode = r1FromA
	}
	// The digests are set by execute; so is a copied first-tree subtree's.
	var r1 sub
	switch mode {
	case r1FromA:
		r1 = a.r1
	case r1FromC:
		r1 = c.r1
	}
	h := max(b.height[ai], b.height[ci]) + 1
	out, ref := b.newVal(h)
	out.r2.src, out.r2.plen, out.r2.kind = src, uint16(p), subNode
	if mode == r1Node {
		out.r1.src, out.r1.plen, out.r1.kind = src, uint16(p), subNode
	} else {
		out.r1.src, out.r1.plen, out.r1.kind = r1.src, r1.plen, r1.kind
	}
	n := len(b.ops)
	if n == cap(b.ops) {
		b.ops = slices.Grow(b.ops, b.maxOps+512)
	}
	b.ops = b.ops[:n+1]
	o := &b.ops[n]
	o.a, o.c, o.out, o.src, o.p, o.height, o.r1 = ai, ci, ref, src, uint16(p), h, mode
	return ref
}

// execute hashes the planned joins, height by height, and keeps only the
// subtrees on the stack.
func (b *builder) execute() {
	if len(b.ops) == 0 {
		return
	}
	maxH := 0
	for i := range b.ops {
		maxH = max(maxH, int(b.ops[i].height))
	}
	b.counts = append(b.counts[:0], make([]int32, maxH+2)...)
	for i := range b.ops {
		b.counts[b.ops[i].height+1]++
	}
	for h := 1; h < len(b.counts); h++ {
		b.counts[h] += b.counts[h-1]
	}
	b.order = append(b.order[:0], make([]int32, len(b.ops))...)
	next := b.counts[:maxH+1]
	for i := range b.ops {
		h := b.ops[i].height
		b.order[next[h]] = int32(i)
		next[h]++
	}
	// next[h] is now the end of height h, the start of h+1.
	if b.pq == nil {
		if cap(b.scratch) < len(b.ops) {
			b.scratch = make([]opScratch, len(b.ops), 2*len(b.ops))
		}
		b.scratch = b.scratch[:len(b.ops)]
		for i := range b.ops {
			o := &b.ops[i]
			s := b.q.next(&b.scratch[i].lv, 36)
			binary.BigEndian.PutUint32(s[:4], uint32(o.p))
			prefixOf((*[32]byte)(s[4:36]), &b.s.at(o.src).label, int(o.p))
		}
		b.q.flush()
	}
	start := int32(0)
	for h := 1; h <= maxH; h++ {
		level := b.order[start:next[h]]
		start = next[h]
		if b.pq == nil {
			b.levelWhatsApp(level)
		} else {
			b.levelExperimental(level)
		}
	}
	// Keep the stack's subtrees, now hashed, at the front of vals. The
	// stack's references increase from the bottom up, so none is
	// overwritten before it is read.
	for j := range b.stack {
		e := &b.stack[j]
		b.vals[j] = b.vals[e.ref]
		e.ref = int32(j)
	}
	b.vals = b.vals[:len(b.stack)]
	b.height = b.height[:len(b.stack)]
	clear(b.height)
	b.ops = b.ops[:0]
}

// levelWhatsApp hashes the joins of one height: the parent values first,
// then the nodes' digests H(value || L(label)) (the label values are
// already hashed).
func (b *builder) levelWhatsApp(level []int32) {
	q := &b.pairs
	for _, i := range level {
		o, x := &b.ops[i], &b.scratch[i]
		a, c := &b.vals[o.a], &b.vals[o.c]
		q.pair(&x.v2, &a.r2.dig, &c.r2.dig)
		if o.r1 == r1Node {
			q.pair(&x.v1, &a.r1.dig, &c.r1.dig)
		}
	}
	q.flush()
	for _, i := range level {
		o, x := &b.ops[i], &b.scratch[i]
		out := &b.vals[o.out]
		q.pair(&out.r2.dig, &x.v2, &x.lv)
		b.firstTree(o, out, x)
	}
	q.flush()
}

// firstTree queues or copies the first tree's digest of a join; x is the
// join's scratch (whatsapp_v1 only).
func (b *builder) firstTree(o *op, out *pairResult, x *opScratch) {
	switch o.r1 {
	case r1Node:
		if b.pq == nil {
			b.pairs.pair(&out.r1.dig, &x.v1, &x.lv)
		} else {
			b.queueParent(&out.r1.dig, &b.vals[o.a].r1, &b.vals[o.c].r1)
		}
	case r1FromA:
		out.r1.dig = b.vals[o.a].r1.dig
	case r1FromC:
		out.r1.dig = b.vals[o.c].r1.dig
	}
}

// levelExperimental hashes the joins of one height: each node's value is
// one hash of its children's values and labels.
func (b *builder) levelExperimental(level []int32) {
	for _, i := range level {
		o := &b.ops[i]
		out := &b.vals[o.out]
		b.queueParent(&out.r2.dig, &b.vals[o.a].r2, &b.vals[o.c].r2)
		b.firstTree(o, out, nil)
	}
	b.pq.flush()
}

// queueParent queues the experimental parent value
// H(domain || lv || enc(ll) || rv || enc(rl)) of l and r.
func (b *builder) queueParent(dst *[32]byte, l, r *sub) {
	s := b.pq.next(dst)
	_ = s[135]
	copy(s[0:32], l.dig[:])
	binary.BigEndian.PutUint32(s[32:36], uint32(l.plen))
	b.labelOf((*[32]byte)(s[36:68]), l)
	copy(s[68:100], r.dig[:])
	binary.BigEndian.PutUint32(s[100:104], uint32(r.plen))
	b.labelOf((*[32]byte)(s[104:136]), r)
}
