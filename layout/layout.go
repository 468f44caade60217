// Package layout names the objects of a published stele site: where each
// namespace's log, archived checkpoints, lease and Plexi API objects live
// under the site root, and the metadata each kind of object is served with.
// The publisher writes by these names and every reader (verify, mirror,
// the browser verifier) reads by them, so they are defined once, here.
//
// The table is the specification's "Objects under the site root". Objects
// whose key is also a prefix of other keys (Plexi's /namespaces and
// /namespaces/<ns>) are stored at "<key>/index.html", which every static
// host serves for "<key>".
package layout

import (
	"regexp"
	"strconv"
	"strings"
)

// NamespacePattern is what a namespace name must match: names become path
// segments and key names.
var NamespacePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// ValidNamespace reports whether name can be a namespace.
func ValidNamespace(name string) bool { return NamespacePattern.MatchString(name) }

// LogPrefix is the key prefix of a namespace's log: "logs/<ns>/". Keys
// inside the log (checkpoint, tile/...) are relative to it.
func LogPrefix(ns string) string { return "logs/" + ns + "/" }

// NamespaceOf is the namespace whose log prefix is prefix (the inverse of
// LogPrefix), or "" for the prefix "" of a log at the root.
func NamespaceOf(prefix string) string {
	return strings.TrimSuffix(strings.TrimPrefix(prefix, "logs/"), "/")
}

// Keys relative to a log's prefix.
const (
	Checkpoint = "checkpoint"
	History    = "history" // JSON list of archived checkpoint sizes
	Lock       = "lock"    // the publisher's lease
)

// ArchivedCheckpoint is the key, relative to a log's prefix, of the copy of
// the checkpoint of the given size.
func ArchivedCheckpoint(size int64) string {
	return "checkpoints/" + strconv.FormatInt(size, 10)
}

// Plexi read API objects, relative to the site root.
const (
	Info       = "info"
	Namespaces = "namespaces/index.html" // served as /namespaces
)

// Namespace is the key of a namespace's NamespaceInfo, served as
// /namespaces/<ns>.
func Namespace(ns string) string { return "namespaces/" + ns + "/index.html" }

// Audit is the key of the Plexi signature of one epoch.
func Audit(ns string, epoch uint64) string {
	return "namespaces/" + ns + "/audits/" + strconv.FormatUint(epoch, 10)
}

// LastVerifiedEpoch is the key of a namespace's last-verified-epoch object.
func LastVerifiedEpoch(ns string) string { return "namespaces/" + ns + "/last-verified-epoch" }
