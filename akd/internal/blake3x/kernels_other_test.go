//go:build !amd64 || purego

package blake3x

import "testing"

func kernels(t *testing.T, f func(t *testing.T)) { t.Run("generic", f) }
