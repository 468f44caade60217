package akd

import (
	"encoding/binary"

	zeebo "github.com/zeebo/blake3"
)

// sum is BLAKE3-256 of one message at a time, for the few hashes that are
// not batched (the constants, the joins above the parallel tasks, the
// roots) and for batches too small for the eight-lane kernel (batch.go).
// zeebo's library measured fastest one at a time (BenchmarkBLAKE3).
func sum(b []byte) [32]byte { return zeebo.Sum256(b) }

// blocks returns the number of BLAKE3 compressions an input of n bytes
// costs (inputs here are at most one chunk).
func blocks(n int) uint64 {
	const blockSize = 64
	if n <= blockSize {
		return 1
	}
	return uint64((n + blockSize - 1) / blockSize)
}

// hasher computes the configuration's hashes one at a time and counts the
// compressions it ran. A hasher is not safe for concurrent use.
type hasher struct {
	cfg    Config
	buf    []byte // domain || scratch
	dl     int    // length of the domain prefix in buf
	blocks uint64
}

func newHasher(cfg Config) *hasher {
	h := &hasher{cfg: cfg, dl: len(cfg.domain)}
	h.buf = make([]byte, h.dl, h.dl+2*(32+36))
	copy(h.buf, cfg.domain)
	return h
}

// h hashes domain || parts... (the domain is empty for whatsapp_v1).
func (h *hasher) hash(b []byte) [32]byte {
	h.blocks += blocks(len(b))
	return sum(b)
}

// labelValue is whatsapp_v1's L(l) = H(u32be(len) || val).
func (h *hasher) labelValue(val *[32]byte, n uint32) [32]byte {
	var b [36]byte
	binary.BigEndian.PutUint32(b[:], n)
	copy(b[4:], val[:])
	h.blocks++
	return sum(b[:])
}

// pair is whatsapp_v1's H(a || b), used both for a node's hash with its
// label, H(v || L(l)), and for a parent value, H(H(..) || H(..)).
func (h *hasher) pair(a, b *[32]byte) [32]byte {
	var x [64]byte
	copy(x[:32], a[:])
	copy(x[32:], b[:])
	h.blocks++
	return sum(x[:])
}

// parentExperimental is the experimental configuration's parent value
// H(domain || lv || enc(ll) || rv || enc(rl)).
func (h *hasher) parentExperimental(lv *[32]byte, ll *[32]byte, lLen uint32, rv *[32]byte, rl *[32]byte, rLen uint32) [32]byte {
	b := append(h.buf[:h.dl], lv[:]...)
	b = binary.BigEndian.AppendUint32(b, lLen)
	b = append(b, ll[:]...)
	b = append(b, rv[:]...)
	b = binary.BigEndian.AppendUint32(b, rLen)
	b = append(b, rl[:]...)
	return h.hash(b)
}

// constants of a configuration, computed once per verification.
type constants struct {
	// emptyDig is what an empty child contributes: for whatsapp_v1
	// H(empty node hash || L(empty label)); for experimental the empty
	// node hash (32 zero bytes), with emptyLabel beside it.
	emptyDig   [32]byte
	emptyLabel [32]byte
	// rootLabel is whatsapp_v1's L(root label) (len 0, 32 zero bytes).
	rootLabel [32]byte
	// emptyRoot is the published root of an empty tree.
	emptyRoot [32]byte
}

func newConstants(cfg Config) *constants {
	h := newHasher(cfg)
	c := new(constants)
	switch cfg.kind {
	case kindWhatsAppV1:
		for i := range c.emptyLabel {
			c.emptyLabel[i] = 1
		}
		empty := sum([]byte{0}) // H(EMPTY_VALUE), EMPTY_VALUE = [0]
		el := h.labelValue(&c.emptyLabel, 0)
		emptyNode := h.pair(&empty, &el)
		c.emptyDig = h.pair(&emptyNode, &el)
		c.rootLabel = h.labelValue(&[32]byte{}, 0)
		c.emptyRoot = h.pair(&empty, &c.rootLabel)
	case kindExperimental:
		c.emptyLabel[0] = 1
	}
	return c
}
