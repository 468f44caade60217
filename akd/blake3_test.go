package akd

import (
	"math/rand/v2"
	"testing"

	zeebo "github.com/zeebo/blake3"
	"lukechampine.com/blake3"
)

// TestSumMatchesOtherLibrary checks the hash the verifier uses against a
// second library on random inputs of every length up to 1100 bytes (the
// trees hash 36, 40, 64 and domain+136 bytes).
func TestSumMatchesOtherLibrary(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n <= 1100; n++ {
		msg := make([]byte, n)
		for i := range msg {
			msg[i] = byte(r.Uint32())
		}
		if got, want := sum(msg), blake3.Sum256(msg); got != want {
			t.Fatalf("%d bytes: got %x, want %x", n, got, want)
		}
	}
}

// BenchmarkBLAKE3 compares the libraries on the input sizes the trees
// hash: 64 bytes (one block) and 148 (the experimental parent with a
// 12-byte domain, three blocks).
func BenchmarkBLAKE3(b *testing.B) {
	for _, n := range []int{64, 148} {
		msg := make([]byte, n)
		b.Run("lukechampine/"+itoa(n), func(b *testing.B) {
			for b.Loop() {
				msg[0]++
				_ = blake3.Sum256(msg)
			}
		})
		b.Run("zeebo/"+itoa(n), func(b *testing.B) {
			for b.Loop() {
				msg[0]++
				_ = zeebo.Sum256(msg)
			}
		})
	}
}

func itoa(n int) string {
	if n == 64 {
		return "64"
	}
	return "148"
}
