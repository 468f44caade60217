package main

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"

	"stele/archive"
	"stele/checkpoint"
	"stele/layout"
	"stele/record"
	"stele/source"
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
	// From is the size of the remembered tree an incremental check
	// started from (entries_checked counts only what came after it).
	From int64 `json:"from,omitempty"`
	// AuditsChecked counts the audit objects checked with -api.
	AuditsChecked int `json:"audits_checked,omitempty"`
	// Warnings are worth a look but prove nothing wrong (also on stderr).
	Warnings []string `json:"warnings,omitempty"`
	// Spans are the [start, end) ranges of entries checked when TARGET
	// holds only part of the log (one zip of a larger archive).
	Spans [][2]int64 `json:"spans,omitempty"`
	// VerifiedAt is when the newest signed record was verified (RFC 3339).
	VerifiedAt string `json:"verified_at,omitempty"`
	// Evidence is the file where a split view's checkpoints were saved;
	// SplitView holds both signed notes.
	Evidence  string    `json:"evidence,omitempty"`
	SplitView *[]string `json:"split_view,omitempty"`
}

func runVerify(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "verify", "TARGET -vkey KEY [-json] [-state DIR|none] [-full] [-max-age D] [-deep all|N|P%]")
	var keys verifierList
	fs.Var(&keys, "vkey", "verifier `KEY` string, or @FILE with one key per line (repeatable); a base key verifies the logs named <base>/<namespace>")
	asJSON := fs.Bool("json", false, "print one JSON object on stdout")
	conc := fs.Int("concurrency", 16, "entry bundles fetched ahead")
	verbose := fs.Bool("v", false, "log progress on stderr")
	deep := fs.String("deep", "", "also re-fetch and re-verify the AKD proofs of logged epochs: `all`, N epochs, or P% (a random sample, printed with its seed)")
	deepSeed := fs.Uint64("deep-seed", 0, "repeat an earlier -deep sample: the `SEED` it printed")
	api := fs.String("api", "", "also check that the Plexi audit objects of logged epochs state what the records do: `all`, N epochs, or P% (a random sample, printed with its seed)")
	apiSeedFlag := fs.Uint64("api-seed", 0, "repeat an earlier -api sample: the `SEED` it printed")
	var sources sourceFlags
	fs.Var(&sources, "source", "where -deep fetches proofs: `LOCATION`, or NS=LOCATION per namespace (repeatable); default: each namespace's log_directory")
	stateFlag := fs.String("state", "", "where to remember the last verified checkpoint of each origin: `DIR`, or none (default: $STELE_STATE, else stele/ under the user's cache directory)")
	full := fs.Bool("full", false, "re-check everything, not only what is new since the remembered checkpoint")
	maxAge := fs.Duration("max-age", 0, "also fail when a log's newest signed record was verified longer ago than `D` (a Go duration)")
	pos, code, ok := parseFlags(e, fs, args)
	if !ok {
		return code
	}
	if *maxAge < 0 {
		return usageError(fs, "-max-age must be positive")
	}
	states, evidence, err := stateDirs(*stateFlag)
	if err != nil {
		return usageError(fs, "%v", err)
	}
	if len(pos) != 1 {
		return usageError(fs, "want exactly one TARGET (a directory or an http(s) URL)")
	}
	if len(keys.keys) == 0 {
		return usageError(fs, "-vkey is required")
	}
	target := pos[0]
	var st store.Store
	if archive.IsArchive(target) {
		if st, err = archive.OpenStore(target); err != nil {
			fmt.Fprintf(e.stderr, "stele verify: %v\n", err)
			if errors.Is(err, archive.ErrUnsafeEntry) {
				return exitViolation
			}
			return exitIncomplete
		}
		if c, ok := st.(io.Closer); ok {
			defer c.Close()
		}
	} else if st, err = store.Open(target); err != nil {
		return usageError(fs, "%v", err)
	}
	opts := verify.Options{Concurrency: *conc, Records: true}
	if archive.IsArchive(target) {
		// One zip of a larger archive verifies the entries it holds.
		opts.Spans = func(size int64) []verify.Span {
			if start, end, ok := archive.Held(st, size); ok {
				return []verify.Span{{Start: start, End: end}}
			}
			return nil
		}
	}
	if states != "" {
		// With -full the remembered checkpoint still has to be contained
		// in the new one (a split view is caught); everything is checked.
		opts.Resume, opts.Full = states.Load, *full
	}
	if *verbose {
		opts.Logger = slog.New(slog.NewTextHandler(e.stderr, nil))
	}
	seed, apiSeed := sampleSeed(*deepSeed), sampleSeed(*apiSeedFlag)
	if *deep != "" {
		if _, err := verify.NewSampler[int](*deep, seed); err != nil {
			return usageError(fs, "-deep %v", err)
		}
	}
	if *api != "" {
		if _, err := verify.NewSampler[int](*api, apiSeed); err != nil {
			return usageError(fs, "-api %v", err)
		}
	}
	prefixes, err := verify.FindLogs(ctx, st)
	if err != nil {
		return reportVerify(e, *asJSON, []verifyLogJSON{{Location: target, Result: verify.Classify(err), Error: err.Error()}})
	}
	if *api != "" && len(prefixes) == 1 && prefixes[0] == "" {
		return usageError(fs, "-api needs a site root (audit objects live at namespaces/<ns>/audits/<epoch>); %s is a single log", target)
	}
	var out []verifyLogJSON
	for _, p := range prefixes {
		var sub store.Store = st
		if p != "" {
			sub = store.Sub(st, p)
		}
		logOpts := opts
		var sampler *verify.Sampler[*record.Record]
		var apiSampler *verify.Sampler[verify.Audit]
		if *deep != "" {
			sampler, _ = verify.NewSampler[*record.Record](*deep, seed)
		}
		if *api != "" {
			apiSampler, _ = verify.NewSampler[verify.Audit](*api, apiSeed)
		}
		if sampler != nil || apiSampler != nil {
			logOpts.Entry = func(i int64, entry []byte) error {
				rec, err := record.Parse(entry)
				if err != nil {
					return nil
				}
				if sampler != nil && rec.Kind == record.KindVerified {
					sampler.Offer(rec)
				}
				if a, ok := verify.AuditOf(rec); ok && apiSampler != nil {
					apiSampler.Offer(a)
				}
				return nil
			}
		}
		ns := layout.NamespaceOf(p)
		if p != "" {
			if verify.Initializing(ctx, st, ns) {
				if _, err := sub.Get(ctx, layout.Checkpoint); errors.Is(err, os.ErrNotExist) {
					j := verifyLogJSON{Origin: ns, Status: verify.StatusInitialization, Result: verify.ResultOK, Location: p}
					if origin, size := rememberedLog(states, keys.keys, ns); size > 0 {
						// A log verified before cannot go back to nothing.
						j.Origin, j.Result = origin, verify.ResultFailed
						j.Error = fmt.Sprintf("logs/%s/checkpoint: the site lists the namespace as not started, but its log was verified before at size %d: a rollback", ns, size)
					}
					out = append(out, j)
					continue
				}
			}
		}
		r := verify.Log(ctx, sub, keys.keys, logOpts)
		if p != "" && r.Err == nil && !strings.HasSuffix(r.Origin, "/"+ns) {
			// One namespace's log served in another's place.
			r.Err = &verify.Failure{Object: p + "checkpoint", Err: fmt.Errorf("the log of origin %q, not of namespace %q", r.Origin, ns)}
		}
		if sampler != nil && r.Err == nil && r.Status != verify.StatusOpaque {
			r.Err = deepVerify(ctx, e, st, p, sources, sampler, seed, *deep)
		}
		var audits int
		if apiSampler != nil && r.Err == nil && r.Status != verify.StatusOpaque {
			audits, r.Err = apiVerify(ctx, e, st, p, apiSampler, apiSeed, *api)
		}
		if r.Err == nil && states != "" {
			if err := states.Save(r.Origin, r.Next); err != nil {
				fmt.Fprintf(e.stderr, "stele verify: %v\n", err)
			}
		}
		j := verifyLogJSON{
			Origin:         r.Origin,
			Size:           r.Size,
			EntriesChecked: r.EntriesChecked,
			Status:         r.Status,
			Result:         verify.Classify(r.Err),
			Location:       p,
			DurationMS:     float64(r.Duration.Microseconds()) / 1000,
			From:           r.From,
			AuditsChecked:  audits,
			Warnings:       r.Warnings,
		}
		for _, w := range r.Warnings {
			fmt.Fprintf(e.stderr, "stele verify: %s: warning: %s\n", r.Origin, w)
		}
		for _, sp := range r.Spans {
			j.Spans = append(j.Spans, [2]int64{sp.Start, sp.End})
		}
		if r.VerifiedAt != 0 {
			j.VerifiedAt = time.UnixMilli(r.VerifiedAt).UTC().Format(time.RFC3339)
		}
		if r.Err == nil {
			j.Root = r.Root.String()
			// A part of a log (one zip) is an archive, not the log's
			// current state: its age says nothing about the auditor.
			if *maxAge > 0 && r.Status != verify.StatusOpaque && r.Spans == nil {
				if age := time.Since(time.UnixMilli(r.VerifiedAt)); r.VerifiedAt == 0 || age > *maxAge {
					j.Status, j.Result = verify.StatusStale, verify.ResultFailed
					j.Error = fmt.Sprintf("stale: the newest verified epoch was verified at %s, %s ago, more than -max-age %s", j.VerifiedAt, age.Round(time.Second), *maxAge)
					if r.VerifiedAt == 0 {
						j.Error = "stale: no signed record (no verified epoch) in the log"
					}
				}
			}
		} else {
			j.Error = r.Err.Error()
		}
		if sv := verify.AsSplitView(r.Err); sv != nil {
			j.SplitView = &[]string{string(sv.First), string(sv.Second)}
			if path, err := evidence.SaveEvidence(sv, time.Now()); err != nil {
				fmt.Fprintf(e.stderr, "stele verify: %v\n", err)
			} else {
				j.Evidence = path
			}
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
			from := ""
			if l.From > 0 {
				from = fmt.Sprintf(" from=%d", l.From)
			}
			for _, sp := range l.Spans {
				from += fmt.Sprintf(" part=%d-%d", sp[0], sp[1])
			}
			if l.AuditsChecked > 0 {
				from += fmt.Sprintf(" audits=%d", l.AuditsChecked)
			}
			fmt.Fprintf(e.stdout, "ok        %s size=%d root=%s entries=%d%s status=%s time=%s\n", where, l.Size, l.Root, l.EntriesChecked, from, l.Status, d)
		case verify.ResultFailed:
			word := "FAILED   "
			if l.Status == verify.StatusStale {
				word = "STALE    "
			}
			fmt.Fprintf(e.stdout, "%s %s size=%d entries=%d: %s\n", word, where, l.Size, l.EntriesChecked, l.Error)
			if l.SplitView != nil {
				sv := *l.SplitView
				fmt.Fprintf(e.stdout, "SPLIT VIEW: the first checkpoint (remembered from an earlier run, or archived by the log):\n%s\nand the current one:\n%s\n", sv[0], sv[1])
				if l.Evidence != "" {
					fmt.Fprintf(e.stdout, "evidence saved to %s\n", l.Evidence)
				}
			}
		default:
			fmt.Fprintf(e.stdout, "UNCHECKED %s size=%d entries=%d: %s (retry later)\n", where, l.Size, l.EntriesChecked, l.Error)
		}
	}
	return code
}

// stateDirs resolves -state: the directory of remembered states ("" for
// none) and where split-view evidence goes (the state directory, or the
// default one when states are disabled).
func stateDirs(flag string) (states, evidence verify.StateDir, err error) {
	if flag == "" {
		flag = os.Getenv("STELE_STATE")
	}
	def, derr := verify.DefaultStateDir()
	switch flag {
	case "none":
		if derr != nil {
			return "", verify.StateDir(os.TempDir()), nil
		}
		return "", def, nil
	case "":
		if derr != nil {
			return "", "", fmt.Errorf("%w: give -state DIR or -state none", derr)
		}
		return def, def, nil
	}
	return verify.StateDir(flag), verify.StateDir(flag), nil
}

// sourceFlags is the repeatable -source flag: LOCATION for every log, or
// NS=LOCATION for one namespace.
type sourceFlags struct {
	any   string
	perNS map[string]string
}

func (f *sourceFlags) String() string { return "" }

func (f *sourceFlags) Set(v string) error {
	if ns, loc, ok := strings.Cut(v, "="); ok && layout.ValidNamespace(ns) && !strings.Contains(ns, "/") {
		if f.perNS == nil {
			f.perNS = map[string]string{}
		}
		f.perNS[ns] = loc
		return nil
	}
	f.any = v
	return nil
}

// deepVerify re-verifies the sampled records' proofs from the namespace's
// source: -source, or the log_directory its Plexi namespace object names.
func deepVerify(ctx context.Context, e *env, site store.Store, prefix string, sources sourceFlags, s *verify.Sampler[*record.Record], seed uint64, spec string) error {
	ns := layout.NamespaceOf(prefix)
	loc := sources.perNS[ns]
	if loc == "" {
		loc = sources.any
	}
	if loc == "" && ns != "" {
		if obj, err := site.Get(ctx, layout.Namespace(ns)); err == nil {
			var info struct {
				LogDirectory *string `json:"log_directory"`
			}
			if json.Unmarshal(obj.Data, &info) == nil && info.LogDirectory != nil {
				loc = *info.LogDirectory
			}
		}
	}
	if loc == "" {
		return fmt.Errorf("-deep: no source for %q: give -source LOCATION (or NS=LOCATION)", ns)
	}
	src, err := source.Open(loc)
	if err != nil {
		return fmt.Errorf("-deep: source %s: %w", loc, err)
	}
	sample := s.Sample()
	var epochs []string
	for _, r := range sample {
		epochs = append(epochs, strconv.FormatUint(r.Epoch, 10))
	}
	fmt.Fprintf(e.stderr, "stele verify: -deep %s -deep-seed %d: re-verifying %d proofs from %s: epochs %s\n", spec, seed, len(sample), loc, strings.Join(epochs, " "))
	return verify.DeepCheck(ctx, src, sample, runtime.NumCPU(), nil)
}

// sampleSeed is the seed given, or a random one when none was.
func sampleSeed(given uint64) uint64 {
	if given != 0 {
		return given
	}
	var b [8]byte
	rand.Read(b[:])
	return binary.LittleEndian.Uint64(b[:]) | 1
}

// apiVerify checks the sampled audit objects of the log at prefix against
// its records, printing the sample and its seed.
func apiVerify(ctx context.Context, e *env, site store.Store, prefix string, s *verify.Sampler[verify.Audit], seed uint64, spec string) (int, error) {
	ns := layout.NamespaceOf(prefix)
	sample := s.Sample()
	var epochs []string
	for i, a := range sample {
		if i == 20 {
			epochs = append(epochs, fmt.Sprintf("and %d more", len(sample)-i))
			break
		}
		epochs = append(epochs, strconv.FormatUint(a.Epoch, 10))
	}
	fmt.Fprintf(e.stderr, "stele verify: -api %s -api-seed %d: checking %d audit objects of %s: epochs %s\n", spec, seed, len(sample), ns, strings.Join(epochs, " "))
	return verify.CheckAudits(ctx, site, ns, sample, 16)
}

// rememberedLog returns the origin and size of a namespace's log that an
// earlier run verified and remembered (size 0 when none), trying each
// key's origin for the namespace.
func rememberedLog(states verify.StateDir, keys []*checkpoint.Verifier, ns string) (string, int64) {
	if states == "" {
		return "", 0
	}
	for _, k := range keys {
		origin := k.Name() + "/" + ns
		st, err := states.Load(origin)
		if err != nil || st == nil {
			continue
		}
		if c, err := checkpoint.OpenWithOrigin(st.Checkpoint, keys...); err == nil && c.Size > 0 {
			return origin, c.Size
		}
	}
	return "", 0
}
