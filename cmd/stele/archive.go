package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"stele/archive"
	"stele/layout"
	"stele/store"
	"stele/verify"
)

func init() {
	register("archive", "pack a mirror's logs as zip archives (OUT/<ns>/NNN.zip)", runArchive)
}

// archiveLogJSON is one log in the -json output of archive.
type archiveLogJSON struct {
	Location string   `json:"location"` // the log's prefix in DIR
	Out      string   `json:"out"`      // the directory of its zips
	Size     int64    `json:"size"`
	Zips     []string `json:"zips"`
	Bytes    int64    `json:"bytes"`
	// Result is the verification of the zips ("" without -vkey).
	Result string `json:"result,omitempty"`
	Error  string `json:"error,omitempty"`
}

func runArchive(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "archive", "DIR OUT [-vkey KEY] [-json]")
	var keys verifierList
	fs.Var(&keys, "vkey", "verify the zips written with this verifier `KEY` (or @FILE; repeatable)")
	asJSON := fs.Bool("json", false, "print one JSON object on stdout")
	pos, code, ok := parseFlags(e, fs, args)
	if !ok {
		return code
	}
	if len(pos) != 2 {
		return usageError(fs, "want a directory DIR (a mirror, a site or a log) and an output directory OUT")
	}
	dir, out := pos[0], pos[1]
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return usageError(fs, "DIR %s is not a directory", dir)
	}
	st, err := store.NewDir(dir)
	if err != nil {
		return usageError(fs, "%v", err)
	}
	defer st.Close()
	prefixes, err := verify.FindLogs(ctx, st)
	if err != nil {
		fmt.Fprintf(e.stderr, "stele archive: finding the logs in %s: %v\n", dir, err)
		return exitIncomplete
	}
	var logs []archiveLogJSON
	code = exitOK
	for _, p := range prefixes {
		l := archiveLogJSON{Location: p, Out: out}
		if p != "" {
			l.Out = filepath.Join(out, layout.NamespaceOf(p))
		}
		res, err := archive.Pack(ctx, store.Sub(st, p), l.Out)
		l.Size, l.Zips, l.Bytes = res.Size, res.Files, res.Bytes
		if err != nil {
			l.Result, l.Error = verify.ResultUnchecked, err.Error()
			code = archiveWorse(code, exitIncomplete)
			logs = append(logs, l)
			continue
		}
		if len(keys.keys) > 0 {
			l.Result, l.Error = verifyArchive(ctx, l.Out, keys)
			switch l.Result {
			case verify.ResultFailed:
				code = archiveWorse(code, exitViolation)
			case verify.ResultUnchecked:
				code = archiveWorse(code, exitIncomplete)
			}
		}
		logs = append(logs, l)
	}
	if *asJSON {
		json.NewEncoder(e.stdout).Encode(struct {
			Logs []archiveLogJSON `json:"logs"`
		}{logs})
		return code
	}
	for _, l := range logs {
		where := l.Location
		if where == "" {
			where = dir
		}
		switch {
		case l.Error != "":
			fmt.Fprintf(e.stdout, "%-9s %s -> %s: %s\n", strings.ToUpper(l.Result), where, l.Out, l.Error)
		default:
			fmt.Fprintf(e.stdout, "packed    %s -> %s: size=%d, %d zips, %s%s\n", where, l.Out, l.Size, len(l.Zips), mirrorMB(l.Bytes), map[bool]string{true: ", verified", false: ""}[l.Result == verify.ResultOK])
		}
	}
	return code
}

// verifyArchive verifies the log packed in dir through the archive store.
func verifyArchive(ctx context.Context, dir string, keys verifierList) (result, errText string) {
	st, err := archive.OpenStore(dir)
	if err != nil {
		return verify.ResultFailed, err.Error()
	}
	if c, ok := st.(io.Closer); ok {
		defer c.Close()
	}
	r := verify.Log(ctx, st, keys.keys, verify.Options{Records: true})
	if r.Err != nil {
		return verify.Classify(r.Err), r.Err.Error()
	}
	return verify.ResultOK, ""
}

// archiveWorse returns the more serious of two exit codes (2 > 1 > 3 > 0).
func archiveWorse(a, b int) int {
	rank := map[int]int{exitOK: 0, exitIncomplete: 1, exitViolation: 2, exitUsage: 3}
	if rank[b] > rank[a] {
		return b
	}
	return a
}
