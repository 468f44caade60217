package publish

import (
	"stele/layout"
	"stele/store"
)

// md converts the layout's metadata of a kind of object to the store's.
func md(m layout.Metadata) store.Metadata { return store.Metadata(m) }

var (
	mdCheckpoint  = md(layout.MDCheckpoint)
	mdHashTile    = md(layout.MDHashTile)
	mdEntryBundle = md(layout.MDEntryBundle)
)

// CheckpointKey is the key of a log's checkpoint, relative to the log's root.
const CheckpointKey = layout.Checkpoint
