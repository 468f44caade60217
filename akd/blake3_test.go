package akd

import (
	"math/rand/v2"
	"testing"

	zeebo "github.com/zeebo/blake3"
	"lukechampine.com/blake3"

	"stele/akd/internal/blake3x"
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
// 12-byte domain, three blocks), one at a time, and blake3x's eight-lane
// kernel, whose ns/op is per message.
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
		// Eight messages per call; ns/op is per message.
		b.Run("blake3x/"+itoa(n), func(b *testing.B) {
			buf := make([]byte, blake3x.Lanes*n)
			var out [blake3x.Lanes][32]byte
			for i := 0; b.Loop(); i++ {
				if i%blake3x.Lanes == 0 {
					buf[0]++
					blake3x.SumN(&out, buf, n, n)
				}
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
