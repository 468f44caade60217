package verify

import (
	"crypto/sha256"
	"hash"

	"golang.org/x/mod/sumdb/tlog"

	"stele/tiles"
)

// treeBuilder computes an RFC 6962 tree incrementally: add the leaf hashes
// in order and it keeps the roots of the complete subtrees on a stack (one
// per set bit of the size). Every node whose level is a multiple of the tile
// height is reported to onTileNode, which is how the upper hash tiles are
// checked without storing the tree.
type treeBuilder struct {
	n          int64
	stack      []tlog.Hash
	levels     []int
	onTileNode func(tileLevel int, index int64, h tlog.Hash) error
}

func (b *treeBuilder) add(leaf tlog.Hash) error {
	h, level, index := leaf, 0, b.n
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
	b.n++
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

// leafHasher computes RFC 6962 leaf hashes reusing one SHA-256 state.
type leafHasher struct {
	h   hash.Hash
	out tlog.Hash
}

func newLeafHasher() *leafHasher { return &leafHasher{h: sha256.New()} }

func (l *leafHasher) sum(entry []byte) tlog.Hash {
	l.h.Reset()
	l.h.Write(leafPrefix)
	l.h.Write(entry)
	l.h.Sum(l.out[:0])
	return l.out
}

var leafPrefix = []byte{0}
