package akd

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"
)

// virtualProof builds the proof of a step that inserts k random leaves
// into a dense tree of depth about depth: every sibling of an inserted
// leaf's path that holds no inserted leaf is an unchanged element (its
// value random, since its contents are never needed), the deepest one a
// 256-bit leaf. The shape is that of a real proof; the elements come in
// akd's order (inserted, then unchanged, each in label order).
func virtualProof(rng *rand.Rand, k, depth int) *Proof {
	labels := make([][32]byte, k)
	for i := range labels {
		for j := range labels[i] {
			labels[i][j] = byte(rng.Uint32())
		}
	}
	slices.SortFunc(labels, func(a, b [32]byte) int { return bytes.Compare(a[:], b[:]) })
	labels = slices.Compact(labels)
	p := new(Proof)
	random := func() (v [32]byte) {
		for j := range v {
			v[j] = byte(rng.Uint32())
		}
		return v
	}
	sibling := func(x *[32]byte, e int) Element {
		// The subtree beside x at bit e: prefix x[:e] then the other bit.
		var l Label
		prefixOf(&l.Val, x, e+1)
		l.Val[e/8] ^= 0x80 >> (e % 8)
		l.Len = uint32(e + 1)
		if e == depth-1 {
			tail := random()
			for i := range l.Val {
				if i*8 >= e+1 {
					l.Val[i] = tail[i]
				} else if (i+1)*8 > e+1 {
					l.Val[i] |= tail[i] & (0xff >> ((e + 1) % 8))
				}
			}
			l.Len = 256
		}
		return Element{Label: l, Value: random()}
	}
	// around emits, in label order, the siblings of x at bits d..b-1 that
	// sort before x's subtree, then inner, then those that sort after.
	around := func(x *[32]byte, d, b int, inner func()) {
		var after []Element
		for e := d; e < b && e < depth; e++ {
			s := sibling(x, e)
			if bitAt(x, e) == 1 {
				p.Unchanged = append(p.Unchanged, s)
			} else {
				after = append(after, s)
			}
		}
		inner()
		for i := len(after) - 1; i >= 0; i-- {
			p.Unchanged = append(p.Unchanged, after[i])
		}
	}
	var rec func(lo, hi, d int)
	rec = func(lo, hi, d int) {
		if hi-lo == 1 {
			around(&labels[lo], d, depth, func() {
				p.Inserted = append(p.Inserted, Element{Label: Label{Val: labels[lo], Len: 256}, Value: random()})
			})
			return
		}
		b := firstDiff(&labels[lo], &labels[hi-1])
		mid := lo + 1
		for bitAt(&labels[mid], b) == 0 {
			mid++
		}
		around(&labels[lo], d, b, func() {
			rec(lo, mid, b+1)
			rec(mid, hi, b+1)
		})
	}
	rec(0, len(labels), 0)
	return p
}

// refRoots rebuilds both roots of p for epoch with the reference hashing
// of fixture_test.go and a plain recursion over sets, independent of the
// package's builder.
func refRoots(cfg Config, p *Proof, epoch uint64) (prev, cur [32]byte) {
	all := slices.Clone(p.Unchanged)
	for _, e := range p.Inserted {
		all = append(all, Element{Label: e.Label, Value: refLeafValue(cfg, e.Value, epoch)})
	}
	return refTreeRoot(cfg, p.Unchanged), refTreeRoot(cfg, all)
}

func refTreeRoot(cfg Config, els []Element) [32]byte {
	ev, el := refEmpty(cfg)
	if len(els) == 0 {
		if cfg.kind == kindWhatsAppV1 {
			return refPublish(cfg, refH(cfg, []byte{0}))
		}
		return [32]byte{}
	}
	var sub func(set []Element) ([32]byte, Label)
	sub = func(set []Element) ([32]byte, Label) {
		if len(set) == 0 {
			return ev, el
		}
		if len(set) == 1 {
			return set[0].Value, set[0].Label
		}
		p := 256
		for _, e := range set[1:] {
			p = min(p, firstDiff(&set[0].Label.Val, &e.Label.Val))
		}
		var zero, one []Element
		for _, e := range set {
			if bitAt(&e.Label.Val, p) == 0 {
				zero = append(zero, e)
			} else {
				one = append(one, e)
			}
		}
		lv, ll := sub(zero)
		rv, rl := sub(one)
		var l Label
		prefixOf(&l.Val, &set[0].Label.Val, p)
		l.Len = uint32(p)
		return refParent(cfg, lv, ll, rv, rl), l
	}
	var zero, one []Element
	for _, e := range els {
		if bitAt(&e.Label.Val, 0) == 0 {
			zero = append(zero, e)
		} else {
			one = append(one, e)
		}
	}
	lv, ll := sub(zero)
	rv, rl := sub(one)
	return refPublish(cfg, refParent(cfg, lv, ll, rv, rl))
}

var testConfigs = []Config{WhatsAppV1(), Experimental("ExampleLabel")}

func encode(t testing.TB, p *Proof) []byte {
	var b bytes.Buffer
	if err := Encode(&b, p); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func cloneProof(p *Proof) *Proof {
	return &Proof{Inserted: slices.Clone(p.Inserted), Unchanged: slices.Clone(p.Unchanged)}
}

// TestVirtualProofOrder: the generated proofs come as akd writes them,
// two sorted runs.
func TestVirtualProofOrder(t *testing.T) {
	p := virtualProof(rand.New(rand.NewPCG(1, 2)), 200, 16)
	for _, list := range [][]Element{p.Inserted, p.Unchanged} {
		for i := 1; i < len(list); i++ {
			a := item{label: list[i-1].Label.Val, meta: uint16(list[i-1].Label.Len)}
			b := item{label: list[i].Label.Val, meta: uint16(list[i].Label.Len)}
			if compareItems(&a, &b) >= 0 {
				t.Fatalf("elements %d and %d out of order", i-1, i)
			}
		}
	}
}
