package site

import (
	"time"

	"stele/record"
)

// The data the pages are rendered from. Rendering is pure: the publisher
// gathers these values (from its run and from the store) and the Render
// functions turn them into bytes. Every string here is treated as text and
// escaped, whatever it holds.

// Meta is what every page says about the site and its auditor.
type Meta struct {
	// Title is the site's title (the configuration's title).
	Title string
	// Origin is the base origin, the auditor key's name
	// ("kt.example.com/stele").
	Origin string
	// VerifierKey is the auditor's verifier key under the base origin
	// ("<name>+<hash>+<base64>"), from which every log's key derives.
	VerifierKey string
	// PlexiKey is the auditor's Ed25519 public key in hexadecimal, as
	// Plexi's /info lists it.
	PlexiKey string
	// URL is the site's public URL, used in the offline commands the pages
	// show; when empty they show "https://<origin>" and the page's script
	// puts in the address the page was loaded from.
	URL string
}

// Log statuses as the pages show them. A log is also shown as stale, by the
// page's script, when its last verification is older than the index's
// StaleAfter.
const (
	LogOnline         = "online"
	LogHalted         = "halted"
	LogInitialization = "initialization"
)

// LogRef identifies a namespace's log on the pages that show its records.
type LogRef struct {
	// Name is the namespace (it matches layout.NamespacePattern).
	Name string
	// Origin is the log's origin, "<base origin>/<namespace>".
	Origin string
	// VerifierKey is the log's own verifier key (the auditor key under
	// the log's origin).
	VerifierKey string
}

// Log is a namespace's log as the site index and its overview show it.
type Log struct {
	LogRef
	// Status is LogOnline, LogHalted or LogInitialization.
	Status        string
	Configuration string
	Domain        string // the experimental configuration's domain label
	// Anchor is the configured trust anchor, "<epoch>/<hex digest>".
	Anchor string
	// SourceURL is the public URL of the proof bucket, "" when it has none.
	SourceURL string
	// Size and RootHash (base64, as in the checkpoint) are the log's tree
	// head; Size 0 means no checkpoint yet.
	Size     int64
	RootHash string
	// LastEpoch is the last verified epoch (nil when none), verified at
	// LastVerifiedAt (Unix milliseconds).
	LastEpoch      *uint64
	LastVerifiedAt int64
	// Halt is the violation that halts the log, when Status is LogHalted.
	Halt *Violation
}

// Violation locates a violation record in a log.
type Violation struct {
	Entry  int64  `json:"entry"`
	Epoch  uint64 `json:"epoch"`
	Reason string `json:"reason"`
}

// Index is the site's front page.
type Index struct {
	Meta Meta
	Logs []Log
	// StaleAfter is how old a log's last verification may be before the
	// page's script marks it stale; 0 means DefaultStaleAfter.
	StaleAfter time.Duration
}

// DefaultStaleAfter is the age past which a log whose last verification is
// that old is shown as stale.
const DefaultStaleAfter = 24 * time.Hour

// Overview is a namespace's page.
type Overview struct {
	Meta Meta
	Log  Log
	// Pages is the index of the log's epoch pages, for the newest pages
	// and the violations.
	Pages *EpochIndex
	// StaleAfter is as in Index.
	StaleAfter time.Duration
}

// Entry is one record of a log, as an epoch page shows it.
type Entry struct {
	// Index is the entry's position in the log.
	Index int64
	// Line is the record exactly as logged; the page shows its leaf hash,
	// which the in-browser verifier compares with the log's.
	Line []byte
	// Record is Line parsed.
	Record *record.Record
	// ProofURLs are public URLs of Record.Proofs, in order, "" for a proof
	// with none; a shorter slice means none for the rest.
	ProofURLs []string
}

// Epochs is the page of one entry bundle: entries 256·Bundle onwards.
type Epochs struct {
	Meta   Meta
	Log    LogRef
	Bundle int64
	// Entries are the bundle's records in order, from its first entry.
	Entries []Entry
}

// EpochList is the list of a namespace's epoch pages.
type EpochList struct {
	Meta  Meta
	Log   LogRef
	Pages *EpochIndex
}

// History is one page of a namespace's archived checkpoints.
type History struct {
	Meta Meta
	Log  LogRef
	// Sizes are the sizes of every archived checkpoint, ascending (the
	// log's history object).
	Sizes []int64
	// Page is the page to render: 0 for the oldest layout.HistoryPageSize
	// sizes, and so on; the last page is the history's index page.
	Page int
}
