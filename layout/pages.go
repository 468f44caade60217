package layout

import "strconv"

// The website's pages and the objects they need, relative to the site root.
//
//	index.html                                 every namespace: status, checkpoint, keys, how to verify
//	logs/<ns>/index.html                       one namespace: status, violations, links to the pages below
//	logs/<ns>/epochs/<k>.html                  the records of entry bundle k (entries 256k..256k+255)
//	logs/<ns>/epochs/index.html                every epoch page, newest first
//	logs/<ns>/epochs/index.json                the epoch pages' index: epoch range per page, violations
//	logs/<ns>/checkpoint-history/index.html    the newest archived checkpoints, newest first
//	logs/<ns>/checkpoint-history/<p>.html      archived checkpoints 100p..100p+99 (older pages)
//	assets/verify-<hash>.js                    the in-browser verifier, named by its content
//
// A page of a full entry bundle never changes (the records are in the log
// for good, and the page holds no "current" data), so it is served as
// immutable; every other page changes as the log grows and is short-lived.
// Pages are HTML stored gzip-compressed with Content-Encoding: gzip.
//
// Numbers in page names are plain decimal (no tlog-tiles grouping): k is
// the entry bundle's index, p the history page's.
const (
	IndexPage = "index.html"
	// AssetPrefix holds the site's static assets (the verifier script),
	// each named by a hash of its content and immutable.
	AssetPrefix = "assets/"
)

// HistoryPageSize is the number of archived checkpoints on one history page.
const HistoryPageSize = 100

// NamespacePage is the key of a namespace's overview page.
func NamespacePage(ns string) string { return LogPrefix(ns) + "index.html" }

// EpochPage is the key of the page of entry bundle k of a namespace's log.
func EpochPage(ns string, k int64) string {
	return LogPrefix(ns) + "epochs/" + strconv.FormatInt(k, 10) + ".html"
}

// EpochList is the key of the list of a namespace's epoch pages.
func EpochList(ns string) string { return LogPrefix(ns) + "epochs/index.html" }

// EpochIndex is the key of the JSON index of a namespace's epoch pages.
func EpochIndex(ns string) string { return LogPrefix(ns) + "epochs/index.json" }

// HistoryIndex is the key of the newest page of a namespace's checkpoint
// history.
func HistoryIndex(ns string) string { return LogPrefix(ns) + "checkpoint-history/index.html" }

// HistoryPage is the key of page p of a namespace's checkpoint history,
// archived checkpoints 100p to 100p+99 in the order of the history list.
func HistoryPage(ns string, p int) string {
	return LogPrefix(ns) + "checkpoint-history/" + strconv.Itoa(p) + ".html"
}

// Asset is the key of a static asset by its name.
func Asset(name string) string { return AssetPrefix + name }

// Metadata of pages and assets.
var (
	// MDPage is a page that changes as the log grows.
	MDPage = Metadata{ContentType: "text/html; charset=utf-8", CacheControl: Short, ContentEncoding: "gzip"}
	// MDPageImmutable is the page of a full entry bundle.
	MDPageImmutable = Metadata{ContentType: "text/html; charset=utf-8", CacheControl: Immutable, ContentEncoding: "gzip"}
	// MDScript is a content-addressed script.
	MDScript = Metadata{ContentType: "text/javascript; charset=utf-8", CacheControl: Immutable, ContentEncoding: "gzip"}
	// MDPageIndex is the JSON index of the epoch pages.
	MDPageIndex = Metadata{ContentType: "application/json", CacheControl: Short}
)
