package akd

import (
	"encoding/binary"
	"math/bits"
	"slices"
	"sort"
	"sync"
)

// firstDiff returns the index of the first bit where a and b differ, 256
// when they are equal.
func firstDiff(a, b *[32]byte) int {
	for w := 0; w < 32; w += 8 {
		x := binary.BigEndian.Uint64(a[w:]) ^ binary.BigEndian.Uint64(b[w:])
		if x != 0 {
			return w*8 + bits.LeadingZeros64(x)
		}
	}
	return 256
}

// bitAt returns bit i (0 = most significant bit of v[0]).
func bitAt(v *[32]byte, i int) int { return int(v[i>>3]>>(7-i&7)) & 1 }

// relate compares the labels of a and b. It returns the length of their
// longest common prefix, and prefix=true when one label is a prefix of the
// other (including equal labels), in which case cmp orders the shorter
// first. Otherwise cmp is -1 when a sorts first and 1 when b does.
func relate(a, b *item) (lcp int, prefix bool, cmp int) {
	la, lb := a.bitLen(), b.bitLen()
	m := min(la, lb)
	l := firstDiff(&a.label, &b.label)
	if l >= m {
		return m, true, la - lb
	}
	if bitAt(&a.label, l) == 0 {
		return l, false, -1
	}
	return l, false, 1
}

func compareItems(a, b *item) int {
	_, _, c := relate(a, b)
	return c
}

// maxMergeRuns is the most sorted runs merged pairwise; beyond it a
// general sort is cheaper.
const maxMergeRuns = 64

// labelOrder returns the indices of the items of s in label order. Real
// proofs come as a few sorted runs (akd writes inserted and unchanged
// elements in tree order, its top levels concurrently), so sorted runs are
// found and merged; anything else is sorted.
func labelOrder(s *store) []uint32 { return labelOrderN(s, 1) }

// labelOrderN is labelOrder with up to workers goroutines merging.
func labelOrderN(s *store, workers int) []uint32 {
	n := s.n
	perm := make([]uint32, n)
	for i := range perm {
		perm[i] = uint32(i)
	}
	starts, known := s.runStarts, s.runsKnown
	if !known {
		for i := 1; i < n; i++ {
			if compareItems(s.at(uint32(i-1)), s.at(uint32(i))) > 0 {
				starts = append(starts, i)
				if len(starts) >= maxMergeRuns {
					break
				}
			}
		}
	}
	if len(starts) >= maxMergeRuns {
		return bucketSort(s, perm)
	}
	if len(starts) == 0 {
		return perm
	}
	// Merge neighbouring runs in place, pass after pass, buffering only
	// the left run of each merge (and, when the merge is split between
	// goroutines, the part of the right run the first parts read).
	bounds := append(append([]int{0}, starts...), n)
	var buf []uint32
	for len(bounds) > 2 {
		next := bounds[:1]
		for k := 0; k+1 < len(bounds); k += 2 {
			lo, mid := bounds[k], bounds[k+1]
			hi := mid
			if k+2 < len(bounds) {
				hi = bounds[k+2]
				buf = append(buf[:0], perm[lo:mid]...)
				if workers > 1 && hi-lo >= minParallelMerge {
					buf = mergeParallel(s, perm[lo:hi], buf, perm[mid:hi], workers)
				} else {
					merge(s, perm[lo:hi], buf, perm[mid:hi])
				}
			}
			next = append(next, hi)
		}
		bounds = next
	}
	return perm
}

// minParallelMerge is the smallest merge split between goroutines.
const minParallelMerge = 1 << 16

// mergeParallel is merge split into parts merged concurrently: it finds
// where each part's output starts in a and b (the split of the first k
// outputs between the runs), copies the part of b the earlier parts read,
// so that no part overwrites another's input, and merges the parts. The
// last part merges in place as merge does. It returns buf, perhaps grown.
func mergeParallel(s *store, out, a, b []uint32, parts int) []uint32 {
	total := len(a) + len(b)
	ia := make([]int, parts+1)
	ia[parts] = len(a)
	for p := 1; p < parts; p++ {
		ia[p] = splitPoint(s, a, b, total*p/parts)
	}
	jLast := total*(parts-1)/parts - ia[parts-1]
	nb := append(withCap(a, len(a)+jLast), b[:jLast]...)
	a, bCopy := nb[:len(a)], nb[len(a):]
	var wg sync.WaitGroup
	for p := 0; p < parts; p++ {
		i0, i1 := ia[p], ia[p+1]
		k0 := total * p / parts
		j0 := k0 - i0
		var k1, j1 int
		if p+1 < parts {
			k1 = total * (p + 1) / parts
			j1 = k1 - i1
		} else {
			k1, j1 = total, len(b)
		}
		var bp []uint32
		if p+1 < parts {
			bp = bCopy[j0:j1]
		} else {
			bp = b[j0:j1]
		}
		dst, ap := out[k0:k1], a[i0:i1]
		if p+1 == parts {
			merge(s, dst, ap, bp)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			merge(s, dst, ap, bp)
		}()
	}
	wg.Wait()
	return nb[:0]
}

// withCap returns a with capacity for n elements.
func withCap(a []uint32, n int) []uint32 {
	if cap(a) >= n {
		return a
	}
	return append(make([]uint32, 0, n), a...)
}

// splitPoint returns how many of the first k elements merge takes from
// a (the rest come from b): the smallest i such that every element of
// b[:k-i] sorts before a[i].
func splitPoint(s *store, a, b []uint32, k int) int {
	lo, hi := max(0, k-len(b)), min(k, len(a))
	return lo + sort.Search(hi-lo, func(x int) bool {
		i := lo + x
		j := k - i
		return j == 0 || compareItems(s.at(b[j-1]), s.at(a[i])) < 0
	})
}

// bucketKey is the first bucketBits bits of its label with the bits
// past its length cleared. It is monotonic in label order: a label that
// sorts before another never has a larger key (a prefix's key is its
// extension's with bits cleared; labels that differ within the key's
// bits are ordered by the key; others have equal keys).
func bucketKey(it *item) uint32 {
	k := uint32(it.label[0])<<8 | uint32(it.label[1])
	if n := it.bitLen(); n < bucketBits {
		k &^= 1<<(bucketBits-n) - 1
	}
	return k
}

const bucketBits = 16

// bucketSort orders perm (the identity) by label: a counting sort on
// bucketKey, then a comparison sort inside each bucket. Random labels
// leave a few dozen elements per bucket even for millions of elements.
func bucketSort(s *store, perm []uint32) []uint32 {
	counts := make([]uint32, 1<<bucketBits+1)
	for i := range perm {
		counts[bucketKey(s.at(uint32(i)))+1]++
	}
	for k := 1; k < len(counts); k++ {
		counts[k] += counts[k-1]
	}
	next := slices.Clone(counts[:1<<bucketBits])
	for i := range perm {
		k := bucketKey(s.at(uint32(i)))
		perm[next[k]] = uint32(i)
		next[k]++
	}
	cmp := func(a, b uint32) int { return compareItems(s.at(a), s.at(b)) }
	for k := 0; k < 1<<bucketBits; k++ {
		if b := perm[counts[k]:counts[k+1]]; len(b) > 1 {
			slices.SortFunc(b, cmp)
		}
	}
	return perm
}

// merge merges the sorted runs a and b into out, which may hold b at its
// end (out[len(a):] is b): the next write never passes the next read of b.
// On equal labels a's element comes first.
func merge(s *store, out, a, b []uint32) {
	i, j, k := 0, 0, 0
	for i < len(a) && j < len(b) {
		if compareItems(s.at(b[j]), s.at(a[i])) < 0 {
			out[k] = b[j]
			j++
		} else {
			out[k] = a[i]
			i++
		}
		k++
	}
	k += copy(out[k:], a[i:])
	copy(out[k:], b[j:])
}
