package akd

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// randomStore fills a store with n elements of random labels; short
// labels keep random bits past their length, which the order must ignore.
func randomStore(rng *rand.Rand, n int) *store {
	s := new(store)
	for i := 0; i < n; i++ {
		var e Element
		for j := range e.Label.Val {
			e.Label.Val[j] = byte(rng.Uint32())
		}
		switch rng.IntN(4) {
		case 0:
			e.Label.Len = uint32(rng.IntN(20)) // shorter than the bucket key
		case 1:
			e.Label.Len = uint32(rng.IntN(257))
		default:
			e.Label.Len = 256
		}
		if rng.IntN(8) == 0 && i > 0 {
			// Share a long prefix with an earlier element.
			e.Label.Val = s.at(uint32(rng.IntN(i))).label
			e.Label.Val[31] ^= byte(1 + rng.IntN(255))
		}
		s.add(&e, rng.IntN(2) == 0)
	}
	return s
}

// TestBucketSort compares the bucket sort with a plain comparison sort on
// inputs that are not a few sorted runs.
func TestBucketSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for _, n := range []int{0, 1, 2, 100, 5000, 3 * chunkLen} {
		s := randomStore(rng, n)
		got := labelOrder(s)
		want := make([]uint32, n)
		for i := range want {
			want[i] = uint32(i)
		}
		slices.SortStableFunc(want, func(a, b uint32) int { return compareItems(s.at(a), s.at(b)) })
		if len(got) != n {
			t.Fatalf("n=%d: %d indices", n, len(got))
		}
		for i := range got {
			// Equal labels may come in either order; compare the labels.
			if compareItems(s.at(got[i]), s.at(want[i])) != 0 {
				t.Fatalf("n=%d: position %d holds element %d, want %d", n, i, got[i], want[i])
			}
		}
		// Negative control: the check above notices a swapped pair.
		if n >= 100 {
			bad := slices.Clone(got)
			last := n - 1
			bad[0], bad[last] = bad[last], bad[0]
			if compareItems(s.at(bad[0]), s.at(want[0])) == 0 && compareItems(s.at(bad[last]), s.at(want[last])) == 0 {
				t.Fatalf("n=%d: a swap went unnoticed", n)
			}
		}
	}
}

// TestBucketKeyMonotonic: a label that sorts first never has the larger
// bucket key.
func TestBucketKeyMonotonic(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	s := randomStore(rng, 20000)
	for i := 0; i+1 < s.n; i++ {
		a, b := s.at(uint32(i)), s.at(uint32(i+1))
		if compareItems(a, b) > 0 {
			a, b = b, a
		}
		if bucketKey(a) > bucketKey(b) {
			t.Fatalf("%s sorts before %s but has key %#x > %#x", labelString(a), labelString(b), bucketKey(a), bucketKey(b))
		}
	}
}

// TestPrefixOf compares prefixOf with a bit-by-bit construction.
func TestPrefixOf(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for p := 0; p <= 256; p++ {
		var v, want, got [32]byte
		fill := func() {
			for i := range v {
				v[i] = byte(rng.Uint32())
			}
		}
		fill()
		for i := 0; i < p; i++ {
			want[i/8] |= v[i/8] & (0x80 >> (i % 8))
		}
		got = v // prefixOf must overwrite every byte
		prefixOf(&got, &v, p)
		if got != want {
			t.Fatalf("p=%d: got %x, want %x", p, got, want)
		}
	}
}
