package verify

import (
	"fmt"

	"golang.org/x/mod/sumdb/tlog"

	"stele/tiles"
)

// Span is a range of entries [Start, End) of a log.
type Span struct{ Start, End int64 }

// partialSpans returns the spans that spans (Options.Spans) gives for a
// log of the given size, or nil when they are unset, none, or cover the
// whole log: all of these mean the whole log. Spans must be in order,
// apart, within the log, and start and end on entry-bundle boundaries
// (End may also be the size): else the error is a plain one, as the
// caller's options are wrong, not the log.
func partialSpans(spans func(int64) []Span, size int64) ([]Span, error) {
	if spans == nil {
		return nil, nil
	}
	sp := spans(size)
	if len(sp) == 0 || len(sp) == 1 && sp[0] == (Span{0, size}) {
		return nil, nil
	}
	var last int64
	for _, s := range sp {
		switch {
		case s.Start < last || s.End <= s.Start || s.End > size:
			return nil, fmt.Errorf("entries %d to %d: not a range of a log of %d entries in order", s.Start, s.End, size)
		case s.Start%tiles.Width != 0 || s.End%tiles.Width != 0 && s.End != size:
			return nil, fmt.Errorf("entries %d to %d: not on entry-bundle boundaries", s.Start, s.End)
		}
		last = s.End
	}
	return sp, nil
}

// skip grows the tree from t.b.n to target, a multiple of tiles.Width or
// the log's size, without reading the entries in between: it pushes the
// roots of their subtrees, read through hr and so authenticated against
// the checkpoint. Only nodes of tile levels are pushed, the largest that
// fit, so that every node of a tile level still reaches checkTileNode in
// order and the upper tiles are compared as in a full pass.
func (t *treeCheck) skip(hr tlog.HashReader, target int64) error {
	from := t.b.n
	var idx []int64
	var levels []int
	for pos := from; pos < target; {
		l := 0
		for next := tiles.Height; next < 63; next += tiles.Height {
			if pos%(1<<next) != 0 || pos+(1<<next) > target {
				break
			}
			l = next
		}
		idx = append(idx, tlog.StoredHashIndex(l, pos>>l))
		levels = append(levels, l)
		pos += 1 << l
	}
	if len(idx) == 0 {
		return nil
	}
	hs, err := hr.ReadHashes(idx)
	if err != nil {
		return tileErr(fmt.Sprintf("reading the subtree roots of entries %d to %d", from, target), err)
	}
	for i, h := range hs {
		if err := t.b.push(h, levels[i]); err != nil {
			return err
		}
	}
	return nil
}
