package akd

import (
	"encoding/binary"

	zeebo "github.com/zeebo/blake3"

	"stele/akd/internal/blake3x"
)

// minBatch is the fewest messages worth a call of the eight-lane kernel:
// one call costs about as much as two or three hashes one at a time.
const minBatch = 3

// Batching: the trees' hashes are independent of each other in large
// numbers (every element's own hashes; every node of one height in a
// block of the tree), so they are queued and computed eight at a time by
// blake3x. A queue's caller writes a message into the slot next returns;
// its hash is stored at dst by the flush that computes it, which happens
// when the queue is full and when the caller calls flush, before it reads
// any of the hashes it queued. Messages are copied into the queue, so dst
// may be where a message came from.

// oneBlockQueue queues messages of at most one block, of any lengths.
type oneBlockQueue struct {
	in     [blake3x.Lanes][blake3x.BlockSize]byte
	lens   [blake3x.Lanes]uint32
	dst    [blake3x.Lanes]*[32]byte
	k      int
	simd   bool
	hashes uint64
	sink   [32]byte // where the hashes of unused lanes go
}

// next returns the slot of a message of n bytes (at most 64) whose hash
// goes to dst. The slot's bytes past n are zero; the caller writes the
// first n.
func (q *oneBlockQueue) next(dst *[32]byte, n int) *[blake3x.BlockSize]byte {
	if q.k == blake3x.Lanes {
		q.flush()
	}
	b := &q.in[q.k]
	if n < blake3x.BlockSize {
		clear(b[n:])
	}
	q.lens[q.k] = uint32(n)
	q.dst[q.k] = dst
	q.k++
	q.hashes++
	return b
}

// flush computes the queued hashes.
func (q *oneBlockQueue) flush() {
	if q.k >= minBatch && q.simd {
		for i := q.k; i < blake3x.Lanes; i++ {
			q.dst[i] = &q.sink
		}
		blake3x.Sum1To(&q.dst, &q.in, &q.lens)
	} else {
		for i, d := range q.dst[:q.k] {
			*d = zeebo.Sum256(q.in[i][:q.lens[i]])
		}
	}
	q.k = 0
}

// label queues whatsapp_v1's label value H(u32be(n) || val).
func (q *oneBlockQueue) label(dst, val *[32]byte, n uint32) {
	s := q.next(dst, 36)
	binary.BigEndian.PutUint32(s[:4], n)
	*(*[32]byte)(s[4:36]) = *val
}

// leaf queues the leaf value H(c || u64be(epoch)).
func (q *oneBlockQueue) leaf(dst, c *[32]byte, epoch uint64) {
	s := q.next(dst, 40)
	*(*[32]byte)(s[:32]) = *c
	binary.BigEndian.PutUint64(s[32:40], epoch)
}

// pairQueue queues the 64-byte messages a || b by reference: unlike the
// other queues it reads them when it flushes, so they must not change
// until then, and no dst may be another queued message's input (a dst may
// be its own message's).
type pairQueue struct {
	dst, left, right [blake3x.Lanes]*[32]byte
	k                int
	simd             bool
	hashes           uint64
	sink, zero       [32]byte // for unused lanes
}

// pair queues H(a || b).
func (q *pairQueue) pair(dst, a, b *[32]byte) {
	if q.k == blake3x.Lanes {
		q.flush()
	}
	q.dst[q.k], q.left[q.k], q.right[q.k] = dst, a, b
	q.k++
	q.hashes++
}

func (q *pairQueue) flush() {
	if q.k >= minBatch && q.simd {
		for i := q.k; i < blake3x.Lanes; i++ {
			q.dst[i], q.left[i], q.right[i] = &q.sink, &q.zero, &q.zero
		}
		blake3x.SumPairs(&q.dst, &q.left, &q.right)
	} else {
		for i, d := range q.dst[:q.k] {
			var m [64]byte
			*(*[32]byte)(m[:32]) = *q.left[i]
			*(*[32]byte)(m[32:]) = *q.right[i]
			*d = zeebo.Sum256(m[:])
		}
	}
	q.k = 0
}

// fixedQueue queues messages of one length n that all start with the
// same prefix (the experimental configuration's domain).
type fixedQueue struct {
	n, pre int
	buf    []byte // Lanes slots of n bytes, each starting with the prefix
	dst    [blake3x.Lanes]*[32]byte
	k      int
	simd   bool
	hashes uint64 // compressions
}

func newFixedQueue(prefix string, n int, simd bool) *fixedQueue {
	q := &fixedQueue{n: n, pre: len(prefix), buf: make([]byte, blake3x.Lanes*n), simd: simd && n <= blake3x.MaxLen}
	for l := 0; l < blake3x.Lanes; l++ {
		copy(q.buf[l*n:], prefix)
	}
	return q
}

// next returns the part after the prefix of the slot of a message whose
// hash goes to dst.
func (q *fixedQueue) next(dst *[32]byte) []byte {
	if q.k == blake3x.Lanes {
		q.flush()
	}
	s := q.buf[q.k*q.n+q.pre : (q.k+1)*q.n]
	q.dst[q.k] = dst
	q.k++
	q.hashes += blocks(q.n)
	return s
}

func (q *fixedQueue) flush() {
	if q.k >= minBatch && q.simd {
		var out [blake3x.Lanes][32]byte
		blake3x.SumN(&out, q.buf, q.n, q.n)
		for i, d := range q.dst[:q.k] {
			*d = out[i]
		}
	} else {
		for i, d := range q.dst[:q.k] {
			*d = zeebo.Sum256(q.buf[i*q.n : (i+1)*q.n])
		}
	}
	q.k = 0
}
