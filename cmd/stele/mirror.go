package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"stele/mirror"
	"stele/store"
	"stele/verify"
)

func init() {
	register("mirror", "download a complete verified copy of a site or log", runMirror)
}

// mirrorLogJSON is one log in the -json output of mirror: verify's shape,
// plus whether the log was downloaded again after local copies failed.
type mirrorLogJSON struct {
	Origin         string  `json:"origin"`
	Size           int64   `json:"size"`
	Root           string  `json:"root"`
	EntriesChecked int64   `json:"entries_checked"`
	Status         string  `json:"status"`
	Result         string  `json:"result"`
	Error          string  `json:"error,omitempty"`
	Location       string  `json:"location"`
	Retried        bool    `json:"retried,omitempty"`
	DurationMS     float64 `json:"duration_ms"`
}

// mirrorJSON is the -json output of mirror.
type mirrorJSON struct {
	Logs           []mirrorLogJSON `json:"logs"`
	Result         string          `json:"result"`
	Error          string          `json:"error,omitempty"`
	ObjectsFetched int64           `json:"objects_fetched"`
	ObjectsReused  int64           `json:"objects_reused"`
	Bytes          int64           `json:"bytes"`
	Missing        []string        `json:"missing"`
	DurationMS     float64         `json:"duration_ms"`
}

func runMirror(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "mirror", "URL DIR -vkey KEY [-concurrency N] [-json] [-q]")
	var keys verifierList
	fs.Var(&keys, "vkey", "verifier `KEY` string, or @FILE with one key per line (repeatable); a base key verifies the logs named <base>/<namespace>")
	conc := fs.Int("concurrency", 16, "objects fetched at once")
	asJSON := fs.Bool("json", false, "print one JSON object on stdout")
	quiet := fs.Bool("q", false, "no progress on stderr")
	pos, code, ok := parseFlags(e, fs, args)
	if !ok {
		return code
	}
	if len(pos) != 2 {
		return usageError(fs, "want a source URL (or directory) and a destination DIR")
	}
	if len(keys.keys) == 0 {
		return usageError(fs, "-vkey is required")
	}
	if *conc < 1 {
		return usageError(fs, "-concurrency must be at least 1")
	}
	from, to := pos[0], pos[1]
	if strings.Contains(to, "://") {
		return usageError(fs, "DIR %q must be a local directory", to)
	}
	src, err := openMirrorSource(from)
	if err != nil {
		return usageError(fs, "%v", err)
	}
	if a, b := mirrorAbsPath(from), mirrorAbsPath(to); a != "" && a == b {
		return usageError(fs, "source and destination are the same directory")
	}
	dst, err := store.NewDir(to)
	if err != nil {
		fmt.Fprintf(e.stderr, "stele mirror: %v\n", err)
		return exitIncomplete
	}
	defer dst.Close()

	opts := mirror.Options{Verifiers: keys.keys, Concurrency: *conc}
	var bar *mirrorBar
	if !*quiet {
		bar = newMirrorBar(e.stderr)
		opts.Progress = bar.update
		if !bar.tty {
			opts.Logger = slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		}
	}
	res := mirror.Mirror(ctx, src, dst, opts)
	if bar != nil {
		bar.done()
	}
	return reportMirror(e, *asJSON, from, to, res)
}

// openMirrorSource opens an http(s) URL for mirroring, or a local
// directory.
func openMirrorSource(from string) (store.Store, error) {
	scheme, _, ok := strings.Cut(from, "://")
	if ok {
		switch strings.ToLower(scheme) {
		case "http", "https":
			return mirror.NewRemote(from, nil)
		default:
			return nil, fmt.Errorf("cannot mirror from %q: want an http(s) URL or a directory", from)
		}
	}
	fi, err := os.Stat(from)
	if err != nil {
		return nil, fmt.Errorf("source: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("source %s is not a directory", from)
	}
	return store.NewDir(from)
}

func mirrorAbsPath(p string) string {
	if strings.Contains(p, "://") {
		return ""
	}
	a, err := filepath.Abs(p)
	if err != nil {
		return ""
	}
	if r, err := filepath.EvalSymlinks(a); err == nil {
		return r
	}
	return a
}

// reportMirror prints the outcome and returns the exit code.
func reportMirror(e *env, asJSON bool, from, to string, res mirror.Result) int {
	code := exitOK
	switch res.Outcome() {
	case verify.ResultFailed:
		code = exitViolation
	case verify.ResultUnchecked:
		code = exitIncomplete
	}
	out := mirrorJSON{
		Result:         res.Outcome(),
		ObjectsFetched: res.Progress.Fetched,
		ObjectsReused:  res.Progress.Reused,
		Bytes:          res.Progress.Bytes,
		Missing:        res.Missing,
		DurationMS:     float64(res.Progress.Elapsed.Microseconds()) / 1000,
	}
	if out.Missing == nil {
		out.Missing = []string{}
	}
	if res.Err != nil {
		out.Error = res.Err.Error()
	}
	for _, l := range res.Logs {
		j := mirrorLogJSON{
			Origin: l.Origin, Size: l.Size, EntriesChecked: l.EntriesChecked, Status: l.Status,
			Result: verify.Classify(l.Err), Location: l.Prefix, Retried: l.Retried,
			DurationMS: float64(l.Duration.Microseconds()) / 1000,
		}
		if l.Err == nil {
			j.Root = l.Root.String()
		} else {
			j.Error = l.Err.Error()
		}
		out.Logs = append(out.Logs, j)
	}
	if asJSON {
		if out.Logs == nil {
			out.Logs = []mirrorLogJSON{}
		}
		json.NewEncoder(e.stdout).Encode(out)
		return code
	}
	for _, l := range out.Logs {
		where := l.Origin
		if where == "" {
			where = l.Location
		}
		switch l.Result {
		case verify.ResultOK:
			fmt.Fprintf(e.stdout, "ok        %s size=%d root=%s entries=%d status=%s\n", where, l.Size, l.Root, l.EntriesChecked, l.Status)
		case verify.ResultFailed:
			fmt.Fprintf(e.stdout, "FAILED    %s size=%d entries=%d: %s\n", where, l.Size, l.EntriesChecked, l.Error)
		default:
			fmt.Fprintf(e.stdout, "UNCHECKED %s size=%d entries=%d: %s (run the mirror again to resume)\n", where, l.Size, l.EntriesChecked, l.Error)
		}
	}
	if res.Err != nil {
		fmt.Fprintf(e.stdout, "%-9s %s: %v\n", strings.ToUpper(verify.Classify(res.Err)), from, res.Err)
	}
	p := res.Progress
	fmt.Fprintf(e.stdout, "mirrored %s to %s: %d objects fetched (%s), %d reused, %d missing at the source, in %s (%.1f MB/s)\n",
		from, to, p.Fetched, mirrorMB(p.Bytes), p.Reused, len(res.Missing), p.Elapsed.Round(time.Millisecond), p.BytesPerSecond()/1e6)
	return code
}

func mirrorMB(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }

// mirrorBar shows a mirror's progress on stderr: one redrawn line on a
// terminal, a plain line every few seconds otherwise.
type mirrorBar struct {
	mu    sync.Mutex
	w     io.Writer
	tty   bool
	last  time.Time
	drawn bool
}

func newMirrorBar(w io.Writer) *mirrorBar {
	b := &mirrorBar{w: w, last: time.Now()}
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			b.tty = true
		}
	}
	return b
}

func (b *mirrorBar) update(p mirror.Progress) {
	b.mu.Lock()
	defer b.mu.Unlock()
	every := 10 * time.Second
	if b.tty {
		every = 100 * time.Millisecond
	}
	now := time.Now()
	if now.Sub(b.last) < every {
		return
	}
	b.last = now
	line := fmt.Sprintf("mirror: %d/%d objects (%d reused), %s, %.1f MB/s", p.Done(), max(p.Expected, p.Done()), p.Reused, mirrorMB(p.Bytes), p.BytesPerSecond()/1e6)
	if eta := p.ETA(); eta > 0 {
		line += ", ETA " + eta.Round(time.Second).String()
	}
	if b.tty {
		fmt.Fprintf(b.w, "\r\033[K%s", line)
		b.drawn = true
	} else {
		fmt.Fprintln(b.w, line)
	}
}

func (b *mirrorBar) done() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.drawn {
		fmt.Fprint(b.w, "\r\033[K")
	}
}
