package verify

import (
	"crypto/sha256"

	"golang.org/x/mod/sumdb/tlog"

	"stele/tiles"
)

// treeBuilder computes an RFC 6962 tree incrementally: add the leaf hashes
// (or the roots of complete subtrees) in order and it keeps the roots of
// the complete subtrees on a stack (one per set bit of the size). Every
// node whose level is a positive multiple of the tile height is reported
// to onTileNode, which is how the upper hash tiles are checked without
// storing the tree.
type treeBuilder struct {
	n          int64
	stack      []tlog.Hash
	levels     []int
	onTileNode func(tileLevel int, index int64, h tlog.Hash) error
}

// add appends the leaf hash leaf.
func (b *treeBuilder) add(leaf tlog.Hash) error { return b.push(leaf, 0) }

// push appends h, the root of the complete subtree of 2**level leaves that
// starts at leaf b.n, which must be a multiple of 2**level. The size grows
// only if onTileNode accepts every node completed on the way.
func (b *treeBuilder) push(h tlog.Hash, level int) error {
	size := int64(1) << level
	index := b.n >> level
	if level > 0 && level%tiles.Height == 0 {
		if err := b.onTileNode(level/tiles.Height, index, h); err != nil {
			return err
		}
	}
	for k := len(b.stack) - 1; k >= 0 && b.levels[k] == level; k-- {
		h = tlog.NodeHash(b.stack[k], h)
		b.stack, b.levels = b.stack[:k], b.levels[:k]
		level++
		index >>= 1
		if level%tiles.Height == 0 {
			if err := b.onTileNode(level/tiles.Height, index, h); err != nil {
				return err
			}
		}
	}
	b.stack = append(b.stack, h)
	b.levels = append(b.levels, level)
	b.n += size
	return nil
}

// root folds the stack from the right: the tree of n leaves is its largest
// complete subtree on the left and the tree of the rest on the right.
func (b *treeBuilder) root() tlog.Hash {
	if len(b.stack) == 0 {
		return sha256.Sum256(nil) // RFC 6962: the empty tree
	}
	h := b.stack[len(b.stack)-1]
	for k := len(b.stack) - 2; k >= 0; k-- {
		h = tlog.NodeHash(b.stack[k], h)
	}
	return h
}

// tileRoot returns the root of the complete subtree whose leaves are the
// full level-0 tile hashes (tiles.Width hashes of tlog.HashSize bytes),
// using scratch (tiles.Width/2 hashes) for the levels in between.
func tileRoot(hashes []byte, scratch []tlog.Hash) tlog.Hash {
	var l, r tlog.Hash
	for i := range scratch {
		copy(l[:], hashes[2*i*tlog.HashSize:])
		copy(r[:], hashes[(2*i+1)*tlog.HashSize:])
		scratch[i] = tlog.NodeHash(l, r)
	}
	for n := len(scratch) / 2; n >= 1; n /= 2 {
		for i := range n {
			scratch[i] = tlog.NodeHash(scratch[2*i], scratch[2*i+1])
		}
	}
	return scratch[0]
}

// leafHasher computes RFC 6962 leaf hashes, SHA-256(0x00 || entry), in
// one call on a reused buffer: copying the entry behind the prefix costs
// less than feeding a streaming hash the two pieces.
type leafHasher struct {
	buf []byte
}

func newLeafHasher() *leafHasher { return &leafHasher{buf: make([]byte, 0, 1024)} }

func (l *leafHasher) sum(entry []byte) tlog.Hash {
	l.buf = append(append(l.buf[:0], 0), entry...)
	return sha256.Sum256(l.buf)
}
