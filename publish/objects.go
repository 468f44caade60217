package publish

import "stele/store"

// Metadata per kind of object, declared once (the specification's object
// table). Hash tiles and entry bundles never change once written; the
// checkpoint changes on every run.
var (
	mdCheckpoint = store.Metadata{
		ContentType:  "text/plain; charset=utf-8",
		CacheControl: "no-cache",
	}
	mdHashTile = store.Metadata{
		ContentType:  "application/octet-stream",
		CacheControl: "public, max-age=31536000, immutable",
	}
	mdEntryBundle = store.Metadata{
		ContentType:     "application/octet-stream",
		CacheControl:    "public, max-age=31536000, immutable",
		ContentEncoding: "gzip",
	}
)

// CheckpointKey is the key of a log's checkpoint, relative to the log's root.
const CheckpointKey = "checkpoint"
