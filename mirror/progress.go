package mirror

import (
	"sync"
	"sync/atomic"
	"time"
)

// Progress is a snapshot of a mirror's counters.
type Progress struct {
	// Fetched is the number of objects downloaded from the source, and
	// Bytes their size as received.
	Fetched int64
	Bytes   int64
	// Reused is the number of immutable objects found in the destination
	// and not fetched again.
	Reused int64
	// Expected is the number of objects the mirror expects to handle in
	// all (fetched or reused), as far as it knows yet: it grows as logs
	// are found and their checkpoints read.
	Expected int64
	// Elapsed is the time since the mirror started.
	Elapsed time.Duration
}

// Done is the number of objects handled so far.
func (p Progress) Done() int64 { return p.Fetched + p.Reused }

// BytesPerSecond is the download rate so far.
func (p Progress) BytesPerSecond() float64 {
	if p.Elapsed <= 0 {
		return 0
	}
	return float64(p.Bytes) / p.Elapsed.Seconds()
}

// ETA estimates the time left from the rate at which objects were handled
// so far; it is 0 when nothing is known yet or nothing is left.
func (p Progress) ETA() time.Duration {
	done := p.Done()
	left := p.Expected - done
	if done == 0 || left <= 0 || p.Elapsed <= 0 {
		return 0
	}
	return time.Duration(float64(p.Elapsed) / float64(done) * float64(left))
}

// counters are shared by every log of one mirror.
type counters struct {
	start    time.Time
	fetched  atomic.Int64
	bytes    atomic.Int64
	reused   atomic.Int64
	expected atomic.Int64

	mu     sync.Mutex // serialises calls of report
	report func(Progress)
}

func (c *counters) snapshot() Progress {
	return Progress{
		Fetched:  c.fetched.Load(),
		Bytes:    c.bytes.Load(),
		Reused:   c.reused.Load(),
		Expected: c.expected.Load(),
		Elapsed:  time.Since(c.start),
	}
}

func (c *counters) notify() {
	if c.report == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.report(c.snapshot())
}

func (c *counters) gotRemote(n int) {
	c.fetched.Add(1)
	c.bytes.Add(int64(n))
	c.notify()
}

func (c *counters) gotLocal() {
	c.reused.Add(1)
	c.notify()
}
