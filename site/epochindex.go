package site

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"stele/record"
)

// EpochIndex is the JSON index of a namespace's epoch pages, stored at
// layout.EpochIndex. Page k holds entries 256k to 256k+255; the index says
// which epochs each page covers and where the log's violations are, so the
// publisher can rewrite the namespace's pages without reading the whole log,
// and a reader can find the page of an epoch without an index of its own:
//
//	{"size":300,"pages":[{"first":722600,"last":722855,"entries":256},
//	  {"first":722856,"last":722899,"entries":44}],
//	 "violations":[{"entry":299,"epoch":722899,"reason":"..."}]}
//
// It is derived from the log and trusted by nobody: the pages link to the
// records, which the in-browser verifier checks against the log.
type EpochIndex struct {
	// Size is the number of entries the index covers.
	Size int64 `json:"size"`
	// Pages are the epoch pages in order, page k at position k.
	Pages []PageRange `json:"pages"`
	// Violations are the log's violation records, in log order.
	Violations []Violation `json:"violations"`
}

// PageRange is what one epoch page covers.
type PageRange struct {
	First   uint64 `json:"first"`   // epoch of the page's first entry
	Last    uint64 `json:"last"`    // epoch of its last entry
	Entries int    `json:"entries"` // 1 to 256
}

// PageWidth is the number of entries on a full epoch page: an entry
// bundle's.
const PageWidth = 256

// ErrMalformedIndex is wrapped by every error about bytes that are not an
// epoch index.
var ErrMalformedIndex = errors.New("malformed epoch index")

// Add appends entry i, whose record is rec, to the index. i must be the
// index's size: entries are added in log order.
func (x *EpochIndex) Add(i int64, rec *record.Record) error {
	if i != x.Size {
		return fmt.Errorf("adding entry %d to an epoch index of size %d", i, x.Size)
	}
	if i%PageWidth == 0 {
		x.Pages = append(x.Pages, PageRange{First: rec.Epoch})
	}
	p := &x.Pages[len(x.Pages)-1]
	p.Last = rec.Epoch
	p.Entries++
	if rec.Kind == record.KindViolation {
		x.Violations = append(x.Violations, Violation{Entry: i, Epoch: rec.Epoch, Reason: rec.Reason})
	}
	x.Size++
	return nil
}

// TruncatePages drops page k and every page after it, and the violations
// they held, so that entries from 256k on can be added again.
func (x *EpochIndex) TruncatePages(k int64) {
	if k < 0 {
		k = 0
	}
	if k >= int64(len(x.Pages)) {
		return
	}
	x.Pages = x.Pages[:k]
	x.Size = k * PageWidth
	n := 0
	for _, v := range x.Violations {
		if v.Entry < x.Size {
			x.Violations[n] = v
			n++
		}
	}
	x.Violations = x.Violations[:n]
}

// Marshal encodes the index as compact JSON with a final newline.
func (x *EpochIndex) Marshal() ([]byte, error) {
	y := *x
	if y.Pages == nil {
		y.Pages = []PageRange{}
	}
	if y.Violations == nil {
		y.Violations = []Violation{}
	}
	return Marshal(y)
}

// ParseEpochIndex decodes an epoch index and checks that it is consistent:
// every page but the last is full, the pages add up to the size, epochs do
// not decrease, and each violation lies within the index on the page that
// covers its epoch. Errors wrap ErrMalformedIndex.
func ParseEpochIndex(b []byte) (*EpochIndex, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var x EpochIndex
	if err := dec.Decode(&x); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedIndex, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the object", ErrMalformedIndex)
	}
	var total int64
	for k, p := range x.Pages {
		switch {
		case p.Entries < 1 || p.Entries > PageWidth:
			return nil, fmt.Errorf("%w: page %d has %d entries", ErrMalformedIndex, k, p.Entries)
		case p.Entries < PageWidth && k != len(x.Pages)-1:
			return nil, fmt.Errorf("%w: page %d is not full but is not the last", ErrMalformedIndex, k)
		case p.First > p.Last:
			return nil, fmt.Errorf("%w: page %d runs from epoch %d back to %d", ErrMalformedIndex, k, p.First, p.Last)
		case k > 0 && x.Pages[k-1].Last > p.First:
			return nil, fmt.Errorf("%w: page %d starts before page %d ends", ErrMalformedIndex, k, k-1)
		}
		total += int64(p.Entries)
	}
	if total != x.Size {
		return nil, fmt.Errorf("%w: pages hold %d entries, size is %d", ErrMalformedIndex, total, x.Size)
	}
	for j, v := range x.Violations {
		if v.Entry < 0 || v.Entry >= x.Size || (j > 0 && x.Violations[j-1].Entry >= v.Entry) {
			return nil, fmt.Errorf("%w: violation %d at entry %d is out of place", ErrMalformedIndex, j, v.Entry)
		}
		if p := x.Pages[v.Entry/PageWidth]; v.Epoch < p.First || v.Epoch > p.Last {
			return nil, fmt.Errorf("%w: violation at entry %d names epoch %d, outside its page", ErrMalformedIndex, v.Entry, v.Epoch)
		}
	}
	if x.Pages == nil {
		x.Pages = []PageRange{}
	}
	if x.Violations == nil {
		x.Violations = []Violation{}
	}
	return &x, nil
}

// PageOf is the epoch page holding entry i.
func PageOf(i int64) int64 { return i / PageWidth }
