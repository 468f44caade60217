package verify

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"time"
)

// State is what a verification remembers of a log so that the next one
// checks only what is new: the signed checkpoint it verified, verbatim, and
// what the record checks need to continue from the last entry.
type State struct {
	// Checkpoint is the signed note that was verified.
	Checkpoint []byte `json:"checkpoint"`
	// Status is the log's status then (StatusOpaque, StatusOnline, ...).
	Status string `json:"status"`
	// LastEntry is the log's last entry (for a stele audit log, the last
	// record), or nil for an empty log.
	LastEntry []byte `json:"last_entry,omitempty"`
	// VerifiedAt is the verified_at (Unix milliseconds) of the newest signed
	// record, 0 when there is none.
	VerifiedAt int64 `json:"verified_at,omitempty"`
	// Archived lists the sizes of the archived checkpoints already checked.
	Archived []int64 `json:"archived,omitempty"`
}

// StateDir keeps one State per origin as a JSON file in a directory, and
// split-view evidence under its "evidence" subdirectory. File names escape
// the origin, so any origin names one file inside the directory.
//
// Save writes a temporary file and renames it over the old one, so a crash
// leaves either the old state or the new one, never a torn file.
type StateDir string

// DefaultStateDir is "stele" under the user's cache directory.
func DefaultStateDir() (StateDir, error) {
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("finding the user's cache directory: %w", err)
	}
	return StateDir(filepath.Join(d, "stele")), nil
}

// fileName escapes origin into one safe path element.
func fileName(origin string) string {
	n := url.PathEscape(origin)
	// PathEscape keeps "." and ".."; no such origin is valid, but refuse
	// to name them anyway.
	if n == "." || n == ".." || n == "" {
		n = "%" + n
	}
	return n
}

func (d StateDir) path(origin string) string {
	return filepath.Join(string(d), "state", fileName(origin)+".json")
}

// Load returns the remembered state of origin, or (nil, nil) when there is
// none.
func (d StateDir) Load(origin string) (*State, error) {
	data, err := os.ReadFile(d.path(origin))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the verification state of %s: %w", origin, err)
	}
	var s *State
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("reading the verification state of %s: %w", origin, err)
	}
	if s == nil || len(s.Checkpoint) == 0 {
		return nil, fmt.Errorf("reading the verification state of %s: %s holds no checkpoint (verify with -full, or remove the file)", origin, d.path(origin))
	}
	return s, nil
}

// Save replaces the remembered state of origin atomically. A nil state
// (a check that produced none, such as a partial one) leaves the
// remembered state as it is.
func (d StateDir) Save(origin string, s *State) error {
	if s == nil {
		return nil
	}
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding the verification state of %s: %w", origin, err)
	}
	if err := writeAtomic(d.path(origin), append(data, '\n')); err != nil {
		return fmt.Errorf("saving the verification state of %s: %w", origin, err)
	}
	return nil
}

// SaveEvidence writes a split view's evidence (both checkpoints) to a new
// file under "evidence" and returns its path.
func (d StateDir) SaveEvidence(sv *SplitView, now time.Time) (string, error) {
	name := fileName(sv.Origin) + "-" + now.UTC().Format("20060102T150405.000000000Z") + ".txt"
	p := filepath.Join(string(d), "evidence", name)
	if err := writeAtomic(p, sv.Evidence()); err != nil {
		return "", fmt.Errorf("saving split-view evidence: %w", err)
	}
	return p, nil
}

// writeAtomic writes data to a temporary file next to p, syncs it and
// renames it to p.
func writeAtomic(p string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, p)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}
