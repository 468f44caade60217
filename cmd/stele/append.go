package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"stele/publish"
	"stele/store"
	"stele/tiles"
)

func init() {
	register("append", "append lines as entries to a static tlog-tiles log", runAppend)
}

// appendBatch is how many entries are handed to the log at a time.
const appendBatch = 4096

func runAppend(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "append", "-dir DIR -key FILE [-origin ORIGIN] [FILE...]")
	dir := fs.String("dir", "", "the log's `DIR`ectory (created if absent)")
	keyFile := fs.String("key", "", "signing key `FILE` (from stele keygen)")
	origin := fs.String("origin", "", "log `ORIGIN` (default: the key's name; must be it or start with it and a slash)")
	pos, code, ok := parseFlags(e, fs, args)
	if !ok {
		return code
	}
	if *dir == "" || *keyFile == "" {
		return usageError(fs, "-dir and -key are required")
	}
	signer, err := loadSigner(*keyFile)
	if err != nil {
		fmt.Fprintf(e.stderr, "stele append: %v\n", err)
		return exitUsage
	}
	if *origin == "" {
		*origin = signer.Name()
	}
	if *origin != signer.Name() && !strings.HasPrefix(*origin, signer.Name()+"/") {
		return usageError(fs, "origin %q must be the key's name %q or start with %q", *origin, signer.Name(), signer.Name()+"/")
	}
	st, err := store.NewDir(*dir)
	if err != nil {
		fmt.Fprintf(e.stderr, "stele append: %v\n", err)
		return exitIncomplete
	}
	log, err := publish.OpenLog(ctx, st, signer.WithName(*origin), *origin)
	if err != nil {
		fmt.Fprintf(e.stderr, "stele append: %v\n", err)
		return appendExit(err)
	}
	before := log.Size()
	inputs := pos
	if len(inputs) == 0 {
		inputs = []string{"-"}
	}
	for _, name := range inputs {
		if code := appendFile(ctx, e, log, name); code != exitOK {
			return code
		}
	}
	c, err := log.Commit(ctx)
	if err != nil {
		fmt.Fprintf(e.stderr, "stele append: %v\n", err)
		return appendExit(err)
	}
	fmt.Fprintf(e.stderr, "stele append: %s: %d entries appended, size %d, root %s\n", c.Origin, c.Size-before, c.Size, c.Hash)
	return exitOK
}

// appendFile appends each line of the file name ("-" is standard input) as
// one entry. A final line without a newline is an entry too; an empty line
// is an empty entry.
func appendFile(ctx context.Context, e *env, log *publish.Log, name string) int {
	var r io.Reader = e.stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			fmt.Fprintf(e.stderr, "stele append: %v\n", err)
			return exitUsage
		}
		defer f.Close()
		r = f
	}
	br := bufio.NewReaderSize(r, 1<<16)
	var batch [][]byte
	flush := func() int {
		if err := log.Append(ctx, batch); err != nil {
			fmt.Fprintf(e.stderr, "stele append: %v\n", err)
			return appendExit(err)
		}
		batch = batch[:0]
		return exitOK
	}
	for line := 1; ; line++ {
		b, err := br.ReadBytes('\n')
		if len(b) > 0 {
			entry := []byte(strings.TrimSuffix(string(b), "\n"))
			if len(entry) > tiles.MaxEntrySize {
				fmt.Fprintf(e.stderr, "stele append: %s:%d: line is %d bytes, over the %d-byte entry limit\n", name, line, len(entry), tiles.MaxEntrySize)
				return exitUsage
			}
			batch = append(batch, entry)
			if len(batch) == appendBatch {
				if code := flush(); code != exitOK {
					return code
				}
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "stele append: reading %s: %v\n", name, err)
			return exitIncomplete
		}
	}
	return flush()
}

// appendExit maps an error from the log to an exit code: a log whose
// published state does not verify under our key is a failed verification
// (1); everything else could not complete and is safe to retry (3).
func appendExit(err error) int {
	if errors.Is(err, publish.ErrCorrupt) {
		return exitViolation
	}
	return exitIncomplete
}
