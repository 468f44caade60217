package akd

import (
	"encoding/binary"

	"stele/akd/internal/blake3x"
)

// digestWindow is how many elements elementHasher takes at a time: its
// hashes of one step are independent and go to the queue together.
const digestWindow = 256

// elementHasher turns the raw values of items into digests, for the step
// ending at epoch, eight hashes at a time. It is not safe for concurrent
// use.
type elementHasher struct {
	cfg   Config
	epoch uint64
	q     oneBlockQueue
	pq    pairQueue
	leafQ *fixedQueue // experimental: domain || c || u64be(epoch)
	lv    [digestWindow][32]byte
}

func newElementHasher(cfg Config, epoch uint64) *elementHasher {
	eh := &elementHasher{cfg: cfg, epoch: epoch}
	eh.q.simd = blake3x.Accelerated()
	eh.pq.simd = eh.q.simd
	if cfg.kind == kindExperimental {
		eh.leafQ = newFixedQueue(cfg.domain, len(cfg.domain)+40, eh.q.simd)
	}
	return eh
}

// digest replaces the raw values of items by their digests: whatsapp_v1
// H(v || L(label)), experimental v, where v is an inserted element's
// commitment bound to the epoch, H(c || u64be(E)), or an unchanged
// element's value as given.
func (eh *elementHasher) digest(items []item) {
	for len(items) > 0 {
		w := items[:min(len(items), digestWindow)]
		items = items[len(w):]
		if eh.cfg.kind == kindExperimental {
			for i := range w {
				if it := &w[i]; it.inserted() {
					s := eh.leafQ.next(&it.dig)
					copy(s, it.dig[:])
					binary.BigEndian.PutUint64(s[32:], eh.epoch)
				}
			}
			eh.leafQ.flush()
			continue
		}
		for i := range w {
			it := &w[i]
			if it.inserted() {
				eh.q.leaf(&it.dig, &it.dig, eh.epoch)
			}
			eh.q.label(&eh.lv[i], &it.label, uint32(it.bitLen()))
		}
		eh.q.flush()
		for i := range w {
			eh.pq.pair(&w[i].dig, &w[i].dig, &eh.lv[i])
		}
		eh.pq.flush()
	}
}

// compressions returns the BLAKE3 compressions run so far.
func (eh *elementHasher) compressions() uint64 {
	n := eh.q.hashes + eh.pq.hashes
	if eh.leafQ != nil {
		n += eh.leafQ.hashes
	}
	return n
}
