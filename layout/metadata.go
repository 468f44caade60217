package layout

// Metadata is what a static host sends with an object. It mirrors the
// store's metadata so this package stays a leaf.
type Metadata struct{ ContentType, CacheControl, ContentEncoding string }

// Cache policies.
const (
	Immutable = "public, max-age=31536000, immutable"
	NoCache   = "no-cache"
	Short     = "public, max-age=60" // objects that change with every run
)

// Metadata per kind of object, declared once.
var (
	MDCheckpoint  = Metadata{ContentType: "text/plain; charset=utf-8", CacheControl: NoCache}
	MDHashTile    = Metadata{ContentType: "application/octet-stream", CacheControl: Immutable}
	MDEntryBundle = Metadata{ContentType: "application/octet-stream", CacheControl: Immutable, ContentEncoding: "gzip"}
	MDArchived    = Metadata{ContentType: "text/plain; charset=utf-8", CacheControl: Immutable}
	MDHistory     = Metadata{ContentType: "application/json", CacheControl: Short}
	MDLock        = Metadata{ContentType: "application/json", CacheControl: NoCache}
	MDAPI         = Metadata{ContentType: "application/json", CacheControl: Short}
	MDAudit       = Metadata{ContentType: "application/json", CacheControl: Immutable}
)
