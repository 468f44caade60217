//go:build !unix

package verify_test

import "time"

// processCPU is unavailable here: the benchmark reports no CPU figure.
func processCPU() (time.Duration, bool) { return 0, false }
