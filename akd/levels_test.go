package akd

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// buildRoots rebuilds both roots of p through the batched builder with
// blocks of maxOps joins, tasks of minTask elements and workers workers.
func buildRoots(t *testing.T, cfg Config, p *Proof, epoch uint64, maxOps, minTask, workers int) (prev, cur [32]byte, compressions uint64) {
	t.Helper()
	s := new(store)
	for i := range p.Inserted {
		s.add(&p.Inserted[i], true)
	}
	for i := range p.Unchanged {
		s.add(&p.Unchanged[i], false)
	}
	eh := newElementHasher(cfg, epoch)
	for c := 0; c*chunkLen < s.n; c++ {
		eh.digest(s.chunks[c])
	}
	pb := &parallelBuild{s: s, perm: labelOrder(s), cfg: cfg, k: newConstants(cfg), minTask: minTask, maxOps: maxOps}
	if workers > 1 {
		pb.sem = make(chan struct{}, workers-1)
	}
	top, err := pb.solve(0, s.n)
	if err != nil {
		t.Fatal(err)
	}
	b := pb.get()
	return b.root(&top.r1), b.root(&top.r2), pb.compressions() + eh.compressions()
}

// TestBlockSizes: the batched build gives the reference roots whatever
// the block size (a block boundary may fall anywhere in the stack's
// work), task size and parallelism, for shallow and deep tries.
func TestBlockSizes(t *testing.T) {
	rng := rand.New(rand.NewPCG(21, 22))
	for _, cfg := range testConfigs {
		for _, shape := range [][2]int{{50, 12}, {40, 200}, {300, 20}} {
			p := virtualProof(rng, shape[0], shape[1])
			wantPrev, wantCur := refRoots(cfg, p, 5)
			var first uint64
			for _, maxOps := range []int{1, 2, 7, 64, blockOps} {
				for _, task := range []int{1, 100, 1 << 30} {
					prev, cur, n := buildRoots(t, cfg, p, 5, maxOps, task, 3)
					if prev != wantPrev || cur != wantCur {
						t.Fatalf("%s, %d leaves of depth %d, blocks of %d, tasks of %d: wrong roots", cfg.Name(), shape[0], shape[1], maxOps, task)
					}
					if task == 1<<30 {
						// One task: the work does not depend on the blocks.
						if first == 0 {
							first = n
						} else if n != first {
							t.Fatalf("blocks of %d ran %d compressions, blocks of 1 %d", maxOps, n, first)
						}
					}
				}
			}
			// Negative control: one flipped value changes a root.
			p.Unchanged[len(p.Unchanged)/2].Value[3] ^= 1
			if prev, cur, _ := buildRoots(t, cfg, p, 5, 7, 100, 2); prev == wantPrev || cur == wantCur {
				t.Fatalf("%s: a flipped value left a root unchanged", cfg.Name())
			}
		}
	}
}

// TestLongDomains exercises the experimental configuration's other hash
// paths: a domain that makes the leaf value two blocks, and one too long
// for the kernel (hashed one message at a time).
func TestLongDomains(t *testing.T) {
	rng := rand.New(rand.NewPCG(23, 24))
	p := virtualProof(rng, 60, 14)
	for _, n := range []int{30, 900} {
		cfg := Experimental(strings.Repeat("d", n))
		prev, cur := refRoots(cfg, p, 3)
		wantVerified(t, cfg, p, 3, prev, cur)
	}
}
