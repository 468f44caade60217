package tiles

import (
	"encoding/binary"
	"fmt"
)

// AppendEntry appends entry to the entry bundle bundle, prefixed with its
// length as a big-endian uint16, and returns the extended bundle. It
// returns an error if the entry is longer than [MaxEntrySize]; an empty
// entry is allowed. It does not count entries: keeping a bundle to at most
// [Width] entries is the caller's business.
func AppendEntry(bundle, entry []byte) ([]byte, error) {
	if len(entry) > MaxEntrySize {
		return bundle, fmt.Errorf("tiles: appending a %d-byte entry to a bundle: entries are at most %d bytes", len(entry), MaxEntrySize)
	}
	bundle = binary.BigEndian.AppendUint16(bundle, uint16(len(entry)))
	return append(bundle, entry...), nil
}

// ParseBundle splits an entry bundle into its entries. The entries alias
// data (each with its capacity clipped to its length, so appending to one
// cannot overwrite the next). A bundle holds 1 to [Width] entries; empty
// data, a truncated length prefix or entry, and bytes after the 256th
// entry are errors wrapping [ErrMalformedBundle], saying at which entry and
// byte offset the bundle went wrong.
//
// Whatever ParseBundle accepts, appending its entries with [AppendEntry]
// gives back the same bytes.
func ParseBundle(data []byte) ([][]byte, error) {
	entries, off, err := parseEntries(data, Width)
	if err != nil {
		return nil, err
	}
	if off != len(data) {
		return nil, fmt.Errorf("%w: %d bytes after entry %d, the most a bundle holds, at byte offset %d", ErrMalformedBundle, len(data)-off, Width-1, off)
	}
	return entries, nil
}

// ParseBundleN is [ParseBundle] for a bundle that must hold exactly want
// entries, the width of its tile (1..[Width]): fewer entries, or bytes
// after the last wanted entry, are errors wrapping [ErrMalformedBundle]. A
// want outside 1..Width is a caller's error, reported without the
// sentinel.
func ParseBundleN(data []byte, want int) ([][]byte, error) {
	if want < 1 || want > Width {
		return nil, fmt.Errorf("tiles: parsing an entry bundle of %d entries: width not in 1..%d", want, Width)
	}
	entries, off, err := parseEntries(data, want)
	if err != nil {
		return nil, err
	}
	if len(entries) != want {
		return nil, fmt.Errorf("%w: %d entries, want %d", ErrMalformedBundle, len(entries), want)
	}
	if off != len(data) {
		return nil, fmt.Errorf("%w: %d bytes after entry %d, the last of the tile's %d, at byte offset %d", ErrMalformedBundle, len(data)-off, want-1, want, off)
	}
	return entries, nil
}

// parseEntries reads up to max entries from the start of data and returns
// them with the offset just past the last one.
func parseEntries(data []byte, max int) ([][]byte, int, error) {
	if len(data) == 0 {
		return nil, 0, fmt.Errorf("%w: empty bundle", ErrMalformedBundle)
	}
	var entries [][]byte
	off := 0
	for off < len(data) && len(entries) < max {
		i := len(entries)
		if len(data)-off < 2 {
			return nil, 0, fmt.Errorf("%w: entry %d at byte offset %d: truncated length prefix", ErrMalformedBundle, i, off)
		}
		n := int(binary.BigEndian.Uint16(data[off:]))
		start := off + 2
		if len(data)-start < n {
			return nil, 0, fmt.Errorf("%w: entry %d at byte offset %d: length %d, but only %d bytes follow", ErrMalformedBundle, i, off, n, len(data)-start)
		}
		if entries == nil {
			entries = make([][]byte, 0, estimateEntries(len(data), n, max))
		}
		entries = append(entries, data[start:start+n:start+n])
		off = start + n
	}
	return entries, off, nil
}

// estimateEntries guesses how many entries a bundle of size bytes holds
// from the length of its first entry, to size the result slice once in the
// common case of entries of similar length.
func estimateEntries(size, first, max int) int {
	guess := size/(first+2) + 1
	return min(guess, max)
}
