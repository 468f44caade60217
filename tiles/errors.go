package tiles

import "errors"

// Sentinel errors. Each is returned wrapped, with the detail of what was
// wrong and where; test for them with [errors.Is]. All four mean that bytes
// (or a path) were read completely and are wrong, as opposed to errors that
// mean something could not be read.
var (
	// ErrMalformedPath reports a string that is not a path [Path] would
	// produce.
	ErrMalformedPath = errors.New("tiles: malformed tile path")

	// ErrMalformedBundle reports entry-bundle bytes that do not parse, or
	// that hold a different number of entries than the tile's width.
	ErrMalformedBundle = errors.New("tiles: malformed entry bundle")

	// ErrMalformedTile reports a hash tile whose length is not 32 bytes
	// per hash of its width.
	ErrMalformedTile = errors.New("tiles: malformed hash tile")

	// ErrInconsistentTile reports tiles that do not hash to the tree head
	// they were read for: the log (or whatever stores it) served hashes
	// that are not part of the tree it signed.
	ErrInconsistentTile = errors.New("tiles: tile inconsistent with tree head")
)
