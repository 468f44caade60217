package akdsim

import (
	"encoding/binary"
	"math/bits"

	"lukechampine.com/blake3"

	"stele/akd"
)

// hashing implements a configuration's hashes straight from the
// specification's table, independently of package akd's verifier, so that
// each checks the other.
type hashing struct {
	experimental bool
	domain       []byte
	emptyValue   [32]byte // the empty node hash: an empty child's value
	emptyLabel   [32]byte // the empty label's value (whatsapp_v1) or bytes (experimental)
	rootLabel    [32]byte // whatsapp_v1's L(root label)
	emptyTree    [32]byte // the empty tree's root value
	stale        [32]byte // the commitment of a stale marker
}

func newHashing(cfg akd.Config) *hashing {
	h := &hashing{experimental: cfg.Name() == akd.NameExperimental, domain: []byte(cfg.Domain())}
	if h.experimental {
		h.emptyLabel = [32]byte{1}
		return h
	}
	var ones [32]byte
	for i := range ones {
		ones[i] = 1
	}
	empty := h.sum([]byte{0})
	h.emptyLabel = h.labelValue(ones, 0)
	h.emptyValue = h.sum(empty[:], h.emptyLabel[:])
	h.rootLabel = h.labelValue([32]byte{}, 0)
	h.emptyTree = empty
	h.stale = empty
	return h
}

func (h *hashing) sum(parts ...[]byte) [32]byte {
	d := blake3.New(32, nil)
	d.Write(h.domain)
	for _, p := range parts {
		d.Write(p)
	}
	var out [32]byte
	d.Sum(out[:0])
	return out
}

func enc(val [32]byte, n uint32) []byte {
	return append(binary.BigEndian.AppendUint32(nil, n), val[:]...)
}

// labelValue is whatsapp_v1's L(l); experimental uses enc(l) itself.
func (h *hashing) labelValue(val [32]byte, n uint32) [32]byte { return h.sum(enc(val, n)) }

func (h *hashing) leafValue(c [32]byte, epoch uint64) [32]byte {
	return h.sum(c[:], binary.BigEndian.AppendUint64(nil, epoch))
}

// parent computes a node's value from its children's values and labels.
func (h *hashing) parent(lv [32]byte, lval [32]byte, llen uint32, rv [32]byte, rval [32]byte, rlen uint32, lEmpty, rEmpty bool) [32]byte {
	if h.experimental {
		ll, rl := enc(lval, llen), enc(rval, rlen)
		if lEmpty {
			ll = enc(h.emptyLabel, 0)
		}
		if rEmpty {
			rl = enc(h.emptyLabel, 0)
		}
		return h.sum(lv[:], ll, rv[:], rl)
	}
	side := func(v, val [32]byte, n uint32, empty bool) [32]byte {
		l := h.emptyLabel
		if !empty {
			l = h.labelValue(val, n)
		}
		return h.sum(v[:], l[:])
	}
	a, b := side(lv, lval, llen, lEmpty), side(rv, rval, rlen, rEmpty)
	return h.sum(a[:], b[:])
}

func (h *hashing) publish(v [32]byte) [32]byte {
	if h.experimental {
		return v
	}
	return h.sum(v[:], h.rootLabel[:])
}

// node is one node of the tree, in an arena. Index 0 is the root, whose
// label is empty and whose children split on bit 0.
type node struct {
	label  [32]byte
	hash   [32]byte // leaf: the commitment; interior: the value
	epoch  uint64   // the last epoch that changed the node
	left   int32    // child index, -1 for none (leaves have none)
	right  int32
	bitLen uint16
	leaf   bool
}

type tree struct {
	nodes []node
}

func newTree() *tree {
	return &tree{nodes: []node{{left: -1, right: -1}}}
}

func bitAt(v *[32]byte, i int) int { return int(v[i>>3]>>(7-i&7)) & 1 }

func commonPrefix(a, b *[32]byte, limit int) int {
	for w := 0; w < 32; w += 8 {
		x := binary.BigEndian.Uint64(a[w:]) ^ binary.BigEndian.Uint64(b[w:])
		if x != 0 {
			return min(w*8+bits.LeadingZeros64(x), limit)
		}
	}
	return limit
}

func prefix(v [32]byte, n int) [32]byte {
	var out [32]byte
	copy(out[:n/8], v[:n/8])
	if r := n % 8; r != 0 {
		out[n/8] = v[n/8] &^ (0xff >> r)
	}
	return out
}

func (t *tree) child(i int32, bit int) *int32 {
	if bit == 0 {
		return &t.nodes[i].left
	}
	return &t.nodes[i].right
}

// insert adds a 256-bit leaf, marking every node on its path changed at
// epoch. Labels are random, so a duplicate is a broken generator.
func (t *tree) insert(label, commitment [32]byte, epoch uint64) {
	t.nodes = append(t.nodes, node{label: label, hash: commitment, epoch: epoch, left: -1, right: -1, bitLen: 256, leaf: true})
	leaf := int32(len(t.nodes) - 1)
	cur := int32(0)
	depth := 0 // the bit cur's children split on
	for {
		t.nodes[cur].epoch = max(t.nodes[cur].epoch, epoch)
		bit := bitAt(&label, depth)
		next := *t.child(cur, bit)
		if next < 0 {
			*t.child(cur, bit) = leaf
			return
		}
		n := &t.nodes[next]
		p := commonPrefix(&n.label, &label, int(n.bitLen))
		if p == 256 {
			panic("akdsim: duplicate label")
		}
		if p < int(n.bitLen) {
			// Split: a new interior node of label p above next and the leaf.
			t.nodes = append(t.nodes, node{label: prefix(label, p), epoch: max(epoch, n.epoch), left: -1, right: -1, bitLen: uint16(p)})
			mid := int32(len(t.nodes) - 1)
			*t.child(mid, bitAt(&label, p)) = leaf
			*t.child(mid, 1-bitAt(&label, p)) = next
			*t.child(cur, bit) = mid // after the append: the arena may have moved
			return
		}
		cur, depth = next, p
	}
}

// value returns what node i contributes to its parent.
func (t *tree) value(h *hashing, i int32) [32]byte {
	n := &t.nodes[i]
	if n.leaf {
		return h.leafValue(n.hash, n.epoch)
	}
	return n.hash
}

// rehash recomputes the values of the interior nodes changed at epoch
// (all of them when epoch is 0), bottom-up.
func (t *tree) rehash(h *hashing, i int32, epoch uint64) {
	n := &t.nodes[i]
	if n.leaf || (epoch != 0 && n.epoch != epoch) {
		return
	}
	var vals [2][32]byte
	var labels [2][32]byte
	var lens [2]uint32
	var empty [2]bool
	for side, c := range [2]int32{n.left, n.right} {
		if c < 0 {
			if i != 0 {
				panic("akdsim: interior node with one child")
			}
			empty[side] = true
			vals[side] = h.emptyValue
			continue
		}
		t.rehash(h, c, epoch)
		vals[side] = t.value(h, c)
		labels[side] = t.nodes[c].label
		lens[side] = uint32(t.nodes[c].bitLen)
	}
	t.nodes[i].hash = h.parent(vals[0], labels[0], lens[0], vals[1], labels[1], lens[1], empty[0], empty[1])
}

// root returns the published root.
func (t *tree) root(h *hashing) [32]byte {
	r := &t.nodes[0]
	if r.left < 0 && r.right < 0 {
		return h.publish(h.emptyTree)
	}
	return h.publish(r.hash)
}

// appendProof appends to buf the proof of the step ending at epoch:
// inserted elements first, then unchanged ones, each in label order, as
// akd writes them.
func (t *tree) appendProof(buf []byte, h *hashing, epoch uint64) []byte {
	var unchanged []int32
	var walk func(i int32)
	walk = func(i int32) {
		n := &t.nodes[i]
		switch {
		case n.epoch < epoch && i != 0:
			unchanged = append(unchanged, i)
		case n.leaf:
			e := akd.Element{Label: akd.Label{Val: n.label, Len: 256}, Value: n.hash}
			buf = akd.AppendElement(buf, true, &e)
		default:
			for _, c := range [2]int32{n.left, n.right} {
				if c >= 0 {
					walk(c)
				}
			}
		}
	}
	walk(0)
	for _, i := range unchanged {
		n := &t.nodes[i]
		e := akd.Element{Label: akd.Label{Val: n.label, Len: uint32(n.bitLen)}, Value: t.value(h, i)}
		buf = akd.AppendElement(buf, false, &e)
	}
	return buf
}
