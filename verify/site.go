package verify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"stele/layout"
	"stele/store"
)

// FindLogs returns the key prefixes of the logs at a target: [""] when st
// itself holds a log (a "checkpoint" object), otherwise "logs/<ns>/" for
// each namespace of the site. A site's namespaces come from listing
// "logs/" where the store can list (a directory), and from the stored
// Plexi object "namespaces/index.html" where it cannot (plain HTTP).
func FindLogs(ctx context.Context, st store.Store) ([]string, error) {
	if _, err := st.Get(ctx, "checkpoint"); err == nil {
		return []string{""}, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("fetching checkpoint: %w", err)
	}
	keys, err := st.List(ctx, "logs/")
	if err == nil {
		var out []string
		for _, k := range keys {
			ns, ok := strings.CutSuffix(strings.TrimPrefix(k, "logs/"), "/checkpoint")
			if ok && layout.ValidNamespace(ns) {
				out = append(out, layout.LogPrefix(ns))
			}
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("no checkpoint and no logs/<namespace>/checkpoint: %w", os.ErrNotExist)
		}
		return out, nil
	}
	obj, gerr := st.Get(ctx, layout.Namespaces)
	if gerr != nil {
		return nil, fmt.Errorf("no checkpoint, cannot list logs/ (%v), and fetching namespaces/index.html: %w", err, gerr)
	}
	var idx struct {
		Namespaces []struct {
			Name string `json:"name"`
		} `json:"namespaces"`
	}
	if err := json.Unmarshal(obj.Data, &idx); err != nil {
		return nil, failf("namespaces/index.html", "not a Plexi namespaces object: %v", err)
	}
	var out []string
	for _, n := range idx.Namespaces {
		if !layout.ValidNamespace(n.Name) {
			return nil, failf("namespaces/index.html", "namespace name %q is not a valid name", n.Name)
		}
		out = append(out, layout.LogPrefix(n.Name))
	}
	sort.Strings(out)
	if len(out) == 0 {
		return nil, failf("namespaces/index.html", "lists no namespaces")
	}
	return out, nil
}

// Initializing reports whether the site's Plexi namespaces object lists
// namespace with the status "Initialization" and no last verified epoch:
// a namespace whose log does not exist yet, so that a missing checkpoint
// is expected rather than a failure to fetch it.
func Initializing(ctx context.Context, site store.Store, namespace string) bool {
	obj, err := site.Get(ctx, layout.Namespaces)
	if err != nil {
		return false
	}
	var idx struct {
		Namespaces []struct {
			Name              string  `json:"name"`
			Status            string  `json:"status"`
			LastVerifiedEpoch *uint64 `json:"last_verified_epoch"`
		} `json:"namespaces"`
	}
	if json.Unmarshal(obj.Data, &idx) != nil {
		return false
	}
	for _, n := range idx.Namespaces {
		if n.Name == namespace {
			return n.Status == "Initialization" && n.LastVerifiedEpoch == nil
		}
	}
	return false
}
