package tiles

import (
	"container/list"
	"sync"

	"golang.org/x/mod/sumdb/tlog"
)

// tileCache keeps the most recently used authenticated hash tiles, at
// most one per (level, number): the widest seen, which also serves every
// narrower width of the same tile. A nil *tileCache caches nothing.
type tileCache struct {
	mu    sync.Mutex
	max   int
	lru   *list.List // of *cacheEntry, most recently used first
	index map[tileKey]*list.Element
}

type tileKey struct {
	l int
	n int64
}

type cacheEntry struct {
	key  tileKey
	data []byte
}

func newTileCache(max int) *tileCache {
	return &tileCache{max: max, lru: list.New(), index: make(map[tileKey]*list.Element)}
}

// get returns the first t.W hashes of tile (t.L, t.N), or nil if the cache
// does not hold that many.
func (c *tileCache) get(t tlog.Tile) []byte {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.index[tileKey{t.L, t.N}]
	if !ok {
		return nil
	}
	d := e.Value.(*cacheEntry).data
	n := t.W * tlog.HashSize
	if len(d) < n {
		return nil
	}
	c.lru.MoveToFront(e)
	return d[:n:n]
}

// put records authenticated tiles. The data is kept, not copied: tile data
// is never modified once read.
func (c *tileCache) put(tiles []tlog.Tile, data [][]byte) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for i, t := range tiles {
		k := tileKey{t.L, t.N}
		if e, ok := c.index[k]; ok {
			ce := e.Value.(*cacheEntry)
			if len(data[i]) > len(ce.data) {
				ce.data = data[i]
			}
			c.lru.MoveToFront(e)
			continue
		}
		c.index[k] = c.lru.PushFront(&cacheEntry{key: k, data: data[i]})
		for c.lru.Len() > c.max {
			old := c.lru.Remove(c.lru.Back()).(*cacheEntry)
			delete(c.index, old.key)
		}
	}
}
