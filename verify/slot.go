package verify

import (
	"bytes"
	"context"

	"golang.org/x/mod/sumdb/tlog"

	"stele/tiles"
)

// slot is one entry bundle in flight, with its level-0 hash tile: the
// memory of a bundle's fetch, decoding and hashing, reused from bundle to
// bundle so that a pass allocates little beyond its first few bundles.
//
// The fetching goroutine fills in everything below t and signals ready;
// the consumer then owns the slot until it hands it back for reuse.
type slot struct {
	t       tlog.Tile // the entry bundle (L = -1), set before the fetch
	path    string    // where the bundle was read
	tpath   string    // where its level-0 tile was read
	entries [][]byte  // the bundle's t.W entries, aliasing raw or dec
	hashes  []byte    // the level-0 tile's t.W hashes, aliasing tileBuf
	// bad is the index of the first entry whose hash is not the tile's,
	// or -1; err is then the Failure saying so. Otherwise err is an error
	// of the fetch or decoding, which comes before every entry.
	bad  int
	err  error
	root tlog.Hash // the subtree root of a full, matching bundle

	raw     []byte // the bundle as read
	tileBuf []byte
	dec     tiles.BundleDecoder
	lh      *leafHasher
	scratch [tiles.Width / 2]tlog.Hash
	ready   chan struct{}
}

func newSlot() *slot {
	return &slot{lh: newLeafHasher(), ready: make(chan struct{}, 1)}
}

// fetch reads, decodes and parses the bundle, reads its level-0 tile and
// checks every entry's hash against it while the entry is still in cache;
// for a full bundle it also computes the subtree root the tile commits to,
// so that the consumer's work per bundle is one node, not 256 leaves.
func (s *slot) fetch(ctx context.Context, o objects) {
	s.path, s.tpath, s.entries, s.hashes, s.bad, s.err = "", "", nil, nil, -1, nil
	data, raw, path, width, err := o.bundleData(ctx, s.t, s.raw, &s.dec)
	s.raw, s.path = raw, path
	if err != nil {
		s.err = err
		return
	}
	entries, err := tiles.ParseBundleN(data, width)
	if err != nil {
		s.err = &Failure{Object: path, Err: err}
		return
	}
	s.entries = entries[:s.t.W]
	ht := tlog.Tile{H: tiles.Height, L: 0, N: s.t.N, W: s.t.W}
	s.hashes, s.tileBuf, s.tpath, s.err = o.tileData(ctx, ht, s.tileBuf)
	if s.err != nil {
		return
	}
	for i, e := range s.entries {
		h := s.lh.sum(e)
		if !bytes.Equal(h[:], s.hashes[i*tlog.HashSize:(i+1)*tlog.HashSize]) {
			s.bad = i
			s.err = failf(s.tpath, "entry %d (in %s) hashes to %s, the tile holds %s",
				s.t.N*tiles.Width+int64(i), s.path, h, hashAt(s.hashes, i))
			return
		}
	}
	if s.t.W == tiles.Width {
		s.root = tileRoot(s.hashes, s.scratch[:])
	}
}
