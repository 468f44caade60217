package checkpoint

import (
	"fmt"
	"testing"
)

// BenchmarkOpen opens a checkpoint signed by its log and, in the witnessed
// case, by fifteen witnesses the reader does not know.
func BenchmarkOpen(b *testing.B) {
	s, v := testKeys(b, "example.com/log", "bench")
	c := testCheckpoint("example.com/log", 1<<30)
	for _, witnesses := range []int{0, 15} {
		signers := []*Signer{s}
		for i := range witnesses {
			w, _ := testKeys(b, fmt.Sprintf("witness%d.example/w", i), fmt.Sprint("bench", i))
			signers = append(signers, w)
		}
		n := mustSign(b, c, signers...)
		b.Run(fmt.Sprintf("witnesses=%d", witnesses), func(b *testing.B) {
			b.SetBytes(int64(len(n)))
			for b.Loop() {
				if _, err := Open(n, v); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "notes/s")
		})
	}
}

func BenchmarkSign(b *testing.B) {
	s, _ := testKeys(b, "example.com/log", "bench")
	c := testCheckpoint("example.com/log", 1<<30)
	for b.Loop() {
		if _, err := Sign(c, s); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "notes/s")
}
