package blake3x

import (
	"math/rand/v2"
	"testing"

	zeebo "github.com/zeebo/blake3"
)

func fill(rng *rand.Rand, b []byte) {
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
}

// TestSum1 checks every lane of Sum1 against zeebo/blake3 for every
// one-block length, each lane with a length of its own.
func TestSum1(t *testing.T) {
	kernels(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 2))
		for trial := 0; trial < 200; trial++ {
			var in [Lanes][BlockSize]byte
			var lens [Lanes]uint32
			for l := range in {
				n := (trial + 9*l) % (BlockSize + 1)
				if trial%3 == 0 {
					n = rng.IntN(BlockSize + 1)
				}
				lens[l] = uint32(n)
				fill(rng, in[l][:n])
			}
			var out [Lanes][32]byte
			Sum1(&out, &in, &lens)
			for l := range out {
				if want := zeebo.Sum256(in[l][:lens[l]]); out[l] != want {
					t.Fatalf("trial %d lane %d (%d bytes): got %x, want %x", trial, l, lens[l], out[l], want)
				}
			}
		}
	})
}

// TestSumN checks every lane of SumN against zeebo/blake3 for every
// length up to a chunk, with a stride larger than the messages.
func TestSumN(t *testing.T) {
	kernels(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(3, 4))
		buf := make([]byte, Lanes*(MaxLen+5))
		for n := 0; n <= MaxLen; n++ {
			stride := n + n%5
			fill(rng, buf[:Lanes*stride])
			var out [Lanes][32]byte
			SumN(&out, buf, stride, n)
			for l := range out {
				if want := zeebo.Sum256(buf[l*stride : l*stride+n]); out[l] != want {
					t.Fatalf("%d bytes, lane %d: got %x, want %x", n, l, out[l], want)
				}
			}
		}
	})
}

// TestPartialBatch: lanes a caller leaves unused do not disturb the
// others, and a change in one lane changes that lane's hash only.
func TestPartialBatch(t *testing.T) {
	kernels(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(5, 6))
		for k := 1; k <= Lanes; k++ {
			var in [Lanes][BlockSize]byte
			var lens [Lanes]uint32
			for l := range in {
				fill(rng, in[l][:]) // garbage, even past the length, in unused lanes
				lens[l] = uint32(rng.IntN(2 * BlockSize))
			}
			for l := 0; l < k; l++ {
				lens[l] = 36 + 28*uint32(l%2)
				clear(in[l][lens[l]:])
			}
			var out [Lanes][32]byte
			Sum1(&out, &in, &lens)
			for l := 0; l < k; l++ {
				if want := zeebo.Sum256(in[l][:lens[l]]); out[l] != want {
					t.Fatalf("%d lanes used, lane %d: got %x, want %x", k, l, out[l], want)
				}
			}
			// Negative control: flip one byte of one used lane.
			flip := rng.IntN(k)
			in[flip][rng.IntN(int(lens[flip]))] ^= 0x40
			var again [Lanes][32]byte
			Sum1(&again, &in, &lens)
			for l := 0; l < k; l++ {
				if (again[l] != out[l]) != (l == flip) {
					t.Fatalf("flipping a byte of lane %d: lane %d changed %v", flip, l, again[l] != out[l])
				}
			}
		}
	})
}

// TestKernelsAgree runs the AVX2 kernel and the portable one on random
// chaining values, blocks, lengths and flags, lane by lane different.
func TestKernelsAgree(t *testing.T) {
	if !Accelerated() {
		t.Skip("only the portable kernel runs here")
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for trial := 0; trial < 1000; trial++ {
		var cv [Lanes][32]byte
		var blk [Lanes][BlockSize]byte
		var lens, flags [Lanes]uint32
		for l := range cv {
			fill(rng, cv[l][:])
			fill(rng, blk[l][:])
			lens[l] = uint32(rng.IntN(BlockSize + 1))
			flags[l] = rng.Uint32() & 0x1f
		}
		a, b := cv, cv
		compress8(&a, &blk, &lens, &flags)
		compress8Generic(&b, &blk, &lens, &flags)
		if a != b {
			t.Fatalf("trial %d: kernels differ", trial)
		}
	}
}

func TestSumNPanics(t *testing.T) {
	for _, c := range []struct{ size, stride, n int }{{100, 10, 11}, {10, 2, 2}, {Lanes * 2000, 2000, MaxLen + 1}, {100, 10, -1}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("SumN(len %d, stride %d, n %d) did not panic", c.size, c.stride, c.n)
				}
			}()
			var out [Lanes][32]byte
			SumN(&out, make([]byte, c.size), c.stride, c.n)
		}()
	}
}

// FuzzSumN compares SumN with zeebo/blake3 on fuzzed messages: the
// input is cut into eight lanes of equal length.
func FuzzSumN(f *testing.F) {
	f.Add(make([]byte, 8*64))
	f.Add(make([]byte, 8*148))
	f.Add([]byte("abcdefgh"))
	f.Fuzz(func(t *testing.T, data []byte) {
		n := min(len(data)/Lanes, MaxLen)
		var out [Lanes][32]byte
		SumN(&out, data, n, n)
		for l := range out {
			if want := zeebo.Sum256(data[l*n : l*n+n]); out[l] != want {
				t.Fatalf("lane %d of %d bytes: got %x, want %x", l, n, out[l], want)
			}
		}
	})
}

// BenchmarkSum1 measures eight one-block hashes per call.
func BenchmarkSum1(b *testing.B) {
	var in [Lanes][BlockSize]byte
	lens := [Lanes]uint32{64, 64, 64, 64, 64, 64, 64, 64}
	var out [Lanes][32]byte
	for b.Loop() {
		in[0][0]++
		Sum1(&out, &in, &lens)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*Lanes), "ns/hash")
}

// BenchmarkSumN148 measures eight three-block hashes (the experimental
// configuration's parent with a 12-byte domain) per call.
func BenchmarkSumN148(b *testing.B) {
	buf := make([]byte, Lanes*148)
	var out [Lanes][32]byte
	for b.Loop() {
		buf[0]++
		SumN(&out, buf, 148, 148)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*Lanes), "ns/hash")
}

// BenchmarkZeebo64 is the one-at-a-time reference for BenchmarkSum1.
func BenchmarkZeebo64(b *testing.B) {
	var in [BlockSize]byte
	for b.Loop() {
		in[0]++
		_ = zeebo.Sum256(in[:])
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/hash")
}

// TestSum1To: the pointer form writes each lane's hash where its pointer
// says, and nothing else.
func TestSum1To(t *testing.T) {
	kernels(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(9, 10))
		var in [Lanes][BlockSize]byte
		var lens [Lanes]uint32
		for l := range in {
			lens[l] = uint32(rng.IntN(BlockSize + 1))
			fill(rng, in[l][:lens[l]])
		}
		var outs [2 * Lanes][32]byte
		var dst [Lanes]*[32]byte
		for l := range dst {
			dst[l] = &outs[2*(Lanes-1-l)] // reversed, every other one
		}
		Sum1To(&dst, &in, &lens)
		for l := range dst {
			if want := zeebo.Sum256(in[l][:lens[l]]); *dst[l] != want {
				t.Fatalf("lane %d: got %x, want %x", l, *dst[l], want)
			}
			if outs[2*l+1] != [32]byte{} {
				t.Fatalf("slot %d written", 2*l+1)
			}
		}
	})
}

// TestSumPairs checks every lane of SumPairs against zeebo/blake3, with
// halves scattered in memory and a lane whose output overwrites its own
// input.
func TestSumPairs(t *testing.T) {
	kernels(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(11, 12))
		for trial := 0; trial < 50; trial++ {
			var halves [3 * Lanes][32]byte
			for i := range halves {
				fill(rng, halves[i][:])
			}
			var dst, left, right [Lanes]*[32]byte
			var outs [Lanes][32]byte
			want := make([][32]byte, Lanes)
			for l := range dst {
				left[l], right[l] = &halves[rng.IntN(len(halves))], &halves[rng.IntN(len(halves))]
				want[l] = zeebo.Sum256(append(left[l][:], right[l][:]...))
				dst[l] = &outs[l]
			}
			in := left[3]
			dst[3] = in // overwrite an input, one no other lane reads
			for l := range left {
				if l != 3 && (left[l] == in || right[l] == in) {
					dst[3] = &outs[3]
				}
			}
			SumPairs(&dst, &left, &right)
			for l := range dst {
				if *dst[l] != want[l] {
					t.Fatalf("trial %d lane %d: got %x, want %x", trial, l, *dst[l], want[l])
				}
			}
		}
	})
}
