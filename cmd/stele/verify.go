package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"stele/store"
	"stele/verify"
)

func init() {
	register("verify", "verify a published log or site: checkpoints, every tile and entry", runVerify)
}

// verifyLogJSON is one log in the --json output (the specification's shape).
type verifyLogJSON struct {
	Origin         string `json:"origin"`
	Size           int64  `json:"size"`
	Root           string `json:"root"`
	EntriesChecked int64  `json:"entries_checked"`
	Status         string `json:"status"`
	Result         string `json:"result"`
	Error          string `json:"error,omitempty"`
	// Location is where the log was found under TARGET ("" for TARGET itself).
	Location   string  `json:"location"`
	DurationMS float64 `json:"duration_ms"`
}

func runVerify(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "verify", "TARGET -vkey KEY [-json]")
	var keys verifierList
	fs.Var(&keys, "vkey", "verifier `KEY` string, or @FILE with one key per line (repeatable); a base key verifies the logs named <base>/<namespace>")
	asJSON := fs.Bool("json", false, "print one JSON object on stdout")
	conc := fs.Int("concurrency", 16, "entry bundles fetched ahead")
	verbose := fs.Bool("v", false, "log progress on stderr")
	pos, code, ok := parseFlags(e, fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		return usageError(fs, "want exactly one TARGET (a directory or an http(s) URL)")
	}
	if len(keys.keys) == 0 {
		return usageError(fs, "-vkey is required")
	}
	target := pos[0]
	st, err := store.Open(target)
	if err != nil {
		return usageError(fs, "%v", err)
	}
	opts := verify.Options{Concurrency: *conc, Records: true}
	if *verbose {
		opts.Logger = slog.New(slog.NewTextHandler(e.stderr, nil))
	}
	prefixes, err := verify.FindLogs(ctx, st)
	if err != nil {
		return reportVerify(e, *asJSON, []verifyLogJSON{{Location: target, Result: verify.Classify(err), Error: err.Error()}})
	}
	var out []verifyLogJSON
	for _, p := range prefixes {
		var sub store.Store = st
		if p != "" {
			sub = store.Sub(st, p)
		}
		r := verify.Log(ctx, sub, keys.keys, opts)
		j := verifyLogJSON{
			Origin:         r.Origin,
			Size:           r.Size,
			EntriesChecked: r.EntriesChecked,
			Status:         r.Status,
			Result:         verify.Classify(r.Err),
			Location:       p,
			DurationMS:     float64(r.Duration.Microseconds()) / 1000,
		}
		if r.Err == nil {
			j.Root = r.Root.String()
		} else {
			j.Error = r.Err.Error()
		}
		out = append(out, j)
	}
	return reportVerify(e, *asJSON, out)
}

// reportVerify prints the results and returns the exit code: the most
// serious result wins (failed 1 > unchecked 3 > ok 0).
func reportVerify(e *env, asJSON bool, logs []verifyLogJSON) int {
	code := exitOK
	for _, l := range logs {
		switch l.Result {
		case verify.ResultFailed:
			code = exitViolation
		case verify.ResultUnchecked:
			if code == exitOK {
				code = exitIncomplete
			}
		}
	}
	if asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.Encode(struct {
			Logs []verifyLogJSON `json:"logs"`
		}{logs})
		return code
	}
	for _, l := range logs {
		where := l.Origin
		if where == "" {
			where = l.Location
		}
		d := time.Duration(l.DurationMS * float64(time.Millisecond)).Round(time.Millisecond)
		switch l.Result {
		case verify.ResultOK:
			fmt.Fprintf(e.stdout, "ok        %s size=%d root=%s entries=%d status=%s time=%s\n", where, l.Size, l.Root, l.EntriesChecked, l.Status, d)
		case verify.ResultFailed:
			fmt.Fprintf(e.stdout, "FAILED    %s size=%d entries=%d: %s\n", where, l.Size, l.EntriesChecked, l.Error)
		default:
			fmt.Fprintf(e.stdout, "UNCHECKED %s size=%d entries=%d: %s (retry later)\n", where, l.Size, l.EntriesChecked, l.Error)
		}
	}
	return code
}
