package site

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// The Plexi read API, as static objects. Field names, order and presence
// are Plexi's own (plexi_core's serde shapes), so a Plexi client pointed at
// a stele site reads it unchanged.

// KeyInfo is one auditor key in /info.
type KeyInfo struct {
	PublicKey string `json:"public_key"` // hex, 32 bytes
	NotBefore int64  `json:"not_before"` // Unix ms
}

// Info is /info. Logs lists the site-relative URL of each namespace's
// tlog-tiles log ("/logs/<ns>/"): where stele's record of what it signed is.
type Info struct {
	Keys []KeyInfo `json:"keys"`
	Logs []string  `json:"logs"`
}

// Namespace statuses, as Plexi spells them.
const (
	StatusOnline         = "Online"
	StatusInitialization = "Initialization"
	StatusDisabled       = "Disabled"
)

// NamespaceInfo is /namespaces/<ns> and an element of /namespaces.
type NamespaceInfo struct {
	Name              string  `json:"name"`
	LogDirectory      *string `json:"log_directory"`
	Root              *string `json:"root"`
	LastVerifiedEpoch *uint64 `json:"last_verified_epoch,omitempty"`
	Status            string  `json:"status"`
	ReportsURI        string  `json:"reports_uri"`
	AuditsURI         string  `json:"audits_uri"`
	SignatureVersion  uint32  `json:"signature_version"`
	Ciphersuite       uint32  `json:"ciphersuite"`
}

// NewNamespaceInfo fills the fields Plexi derives from the name and the
// ciphersuite. logDirectory and root may be empty (JSON null).
func NewNamespaceInfo(name, logDirectory, root, status string, ciphersuite uint32) NamespaceInfo {
	ni := NamespaceInfo{
		Name:             name,
		Status:           status,
		ReportsURI:       "/namespaces/" + name + "/reports",
		AuditsURI:        "/namespaces/" + name + "/audits",
		SignatureVersion: ciphersuite,
		Ciphersuite:      ciphersuite,
	}
	if logDirectory != "" {
		ni.LogDirectory = &logDirectory
	}
	if root != "" {
		ni.Root = &root
	}
	return ni
}

// Namespaces is /namespaces.
type Namespaces struct {
	Namespaces []NamespaceInfo `json:"namespaces"`
}

// LastVerifiedEpoch is /namespaces/<ns>/last-verified-epoch.
type LastVerifiedEpoch struct {
	JobID     string `json:"job_id"`
	Epoch     uint64 `json:"epoch"`
	StartHash string `json:"start_hash"` // hex digest of epoch-1
	EndHash   string `json:"end_hash"`   // hex digest of epoch
	Timestamp int64  `json:"timestamp"`  // Unix ms of the verification
}

// Marshal encodes an API object as compact JSON with a final newline.
func Marshal(v any) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("encoding API object: %w", err)
	}
	return append(b, '\n'), nil
}

// jobNamespace is the UUID namespace of stele's job IDs: the UUIDv5 of the
// name "stele" in RFC 9562's URL namespace.
var jobNamespace = uuid5([16]byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}, "stele")

// JobID is the deterministic job_id of the verification of one epoch: the
// UUIDv5 of "<namespace>/<epoch>" in stele's namespace, so rerunning a job
// (or adopting its leftovers) gives the same identifier.
func JobID(namespace string, epoch uint64) string {
	u := uuid5(jobNamespace, fmt.Sprintf("%s/%d", namespace, epoch))
	h := hex.EncodeToString(u[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func uuid5(ns [16]byte, name string) [16]byte {
	h := sha1.New()
	h.Write(ns[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50 // version 5
	u[8] = u[8]&0x3f | 0x80 // RFC 9562 variant
	return u
}
