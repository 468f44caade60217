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

// store holds the elements in chunks, so that growing it never copies and
// never needs twice the memory.
type store struct {
	chunks []*[chunkLen]item
	n      int
}

func (s *store) at(i uint32) *item { return &s.chunks[i>>chunkBits][i&(chunkLen-1)] }

// add appends e, its raw value in dig.
func (s *store) add(e *Element, inserted bool) {
	if s.n == len(s.chunks)*chunkLen {
		s.chunks = append(s.chunks, new([chunkLen]item))
	}
	it := s.at(uint32(s.n))
	s.n++
	it.label = e.Label.Val
	it.dig = e.Value
	it.meta = uint16(e.Label.Len)
	if inserted {
		it.meta |= metaInserted
	}
}

// digest turns the raw values of items into
// digests, for the step ending at epoch.
func digest(h *hasher, items []item, epoch uint64) {
	for i := range items {
		it := &items[i]
		if it.inserted() {
			it.dig = h.leafValue(&it.dig, epoch)
		}
		if h.cfg.kind == kindWhatsAppV1 {
			l := h.labelValue(&it.label, uint32(it.bitLen()))
			it.dig = h.pair(&it.dig, &l)
		}
	}
}
