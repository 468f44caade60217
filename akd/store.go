package akd

// item is one element as the verifier keeps it: its label and its digest,
// the per-element hash both trees share (whatsapp_v1: H(v || L(label));
// experimental: the node value, with the label hashed by the parent). For
// inserted elements v is already bound to the epoch.
type item struct {
	label [32]byte
	dig   [32]byte
	meta  uint16 // label length in the low 9 bits, metaInserted
}

const (
	metaInserted = 1 << 15
	metaLenMask  = 1<<9 - 1

	chunkBits = 14
	chunkLen  = 1 << chunkBits
)

func (it *item) bitLen() int    { return int(it.meta & metaLenMask) }
func (it *item) inserted() bool { return it.meta&metaInserted != 0 }

// store holds the elements in chunks of chunkLen, so that growing it
// never copies more than the first chunk and never needs twice the
// memory. The first chunk starts small, for small proofs.
type store struct {
	chunks [][]item
	n      int
	// runStarts, when runsKnown, are the indices i where item i sorts
	// before item i-1 (at most maxMergeRuns of them: that many or more
	// means unordered), found while decoding.
	runStarts []int
	runsKnown bool
}

func (s *store) at(i uint32) *item { return &s.chunks[i>>chunkBits][i&(chunkLen-1)] }

// firstChunk is the initial capacity of the first chunk.
const firstChunk = 64

// add appends e, its raw value in dig.
func (s *store) add(e *Element, inserted bool) {
	c := s.n >> chunkBits
	if c == len(s.chunks) {
		size := chunkLen
		if c == 0 {
			size = firstChunk
		}
		s.chunks = append(s.chunks, make([]item, 0, size))
	}
	ch := &s.chunks[c]
	if len(*ch) == cap(*ch) {
		*ch = append(make([]item, 0, min(2*cap(*ch), chunkLen)), *ch...)
	}
	*ch = (*ch)[:len(*ch)+1]
	it := &(*ch)[len(*ch)-1]
	s.n++
	it.label = e.Label.Val
	it.dig = e.Value
	it.meta = uint16(e.Label.Len)
	if inserted {
		it.meta |= metaInserted
	}
}
