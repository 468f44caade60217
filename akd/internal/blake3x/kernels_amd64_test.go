//go:build !purego

package blake3x

import "testing"

// kernels runs f once per kernel this machine can run, named.
func kernels(t *testing.T, f func(t *testing.T)) {
	t.Run("generic", func(t *testing.T) {
		saved := useAVX2
		useAVX2 = false
		defer func() { useAVX2 = saved }()
		f(t)
	})
	t.Run("avx2", func(t *testing.T) {
		if !useAVX2 {
			t.Skip("this CPU has no AVX2")
		}
		f(t)
	})
}
