package publish

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"time"

	"stele/checkpoint"
	"stele/layout"
	"stele/site"
	"stele/source"
	"stele/store"
)

// Options are the job's collaborators. The zero value is ready to use.
type Options struct {
	// Logger receives progress and decisions; nil discards them.
	Logger *slog.Logger
	// Now is the clock (default time.Now); tests fix it to make runs
	// byte-for-byte reproducible.
	Now func() time.Time
	// OpenSource opens a namespace's proof source (default source.Open).
	OpenSource func(location string) (source.Source, error)
	// Progress, when set, is called after every appended epoch.
	Progress func(p Progress)
}

// Progress is a snapshot of one namespace's run.
type Progress struct {
	Namespace string
	Epochs    int    // epochs appended so far in this run
	Last      uint64 // the last epoch appended
	BytesRead int64
}

// Job is one run of the batch job over every configured namespace.
type Job struct {
	cfg    Config
	site   *countingStore
	signer *checkpoint.Signer
	opts   Options
	log    *slog.Logger
	infos  map[string]site.NamespaceInfo // what /namespaces says, updated as the run goes
	// notBefore is the auditor key's first use (Unix ms), for /info.
	notBefore int64
}

// NewJob checks that the signing key fits the configuration. cfg must have
// been validated.
func NewJob(cfg Config, st store.Store, signer *checkpoint.Signer, opts Options) (*Job, error) {
	if signer.Name() != cfg.Origin {
		return nil, fmt.Errorf("%w: the signing key is named %q but origin is %q: they must be equal", ErrConfig, signer.Name(), cfg.Origin)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.OpenSource == nil {
		opts.OpenSource = source.Open
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Workers == 0 {
		cfg.Workers = runtime.NumCPU()
	}
	return &Job{cfg: cfg, site: newCountingStore(st), signer: signer, opts: opts, log: opts.Logger, infos: map[string]site.NamespaceInfo{}}, nil
}

// Summary is what one run did.
type Summary struct {
	Namespaces []NamespaceSummary `json:"namespaces"`
	// ExitCode is the run's exit code: the most serious of the namespaces'
	// (2 > 1 > 3 > 0).
	ExitCode   int     `json:"exit_code"`
	DurationMS float64 `json:"duration_ms"`
}

// NamespaceSummary is what one run did for one namespace.
type NamespaceSummary struct {
	Name string `json:"name"`
	// Result: "ok" (verified what there was, possibly nothing), "violation"
	// (appended evidence, or halted by earlier evidence), "unchecked"
	// (stopped at something it could not fetch or decode, a held lease, a
	// lost swap: retry), "config" (the configuration does not fit the
	// source or the log).
	Result         string   `json:"result"`
	Status         string   `json:"status"` // online, halted, initialization
	EpochsVerified int      `json:"epochs_verified"`
	FirstEpoch     *uint64  `json:"first_epoch,omitempty"`
	LastEpoch      *uint64  `json:"last_epoch,omitempty"`
	Violations     int      `json:"violations"`
	Unchecked      int      `json:"unchecked"`
	BytesRead      int64    `json:"bytes_read"`
	ObjectsWritten int64    `json:"objects_written"`
	Requests       Requests `json:"requests"`        // to the site store
	SourceRequests Requests `json:"source_requests"` // to the proof source
	LogSize        int64    `json:"log_size"`
	DurationMS     float64  `json:"duration_ms"`
	Error          string   `json:"error,omitempty"`
}

// Results of a namespace's run.
const (
	ResultOK        = "ok"
	ResultViolation = "violation"
	ResultUnchecked = "unchecked"
	ResultConfig    = "config"
)

// ExitCode maps a result to the process exit code.
func ExitCode(result string) int {
	switch result {
	case ResultOK:
		return 0
	case ResultViolation:
		return 1
	case ResultConfig:
		return 2
	default:
		return 3
	}
}

// severity orders exit codes: 2 > 1 > 3 > 0.
func severity(code int) int {
	return map[int]int{0: 0, 3: 1, 1: 2, 2: 3}[code]
}

// Run runs the job once over every namespace, in configuration order, and
// reports what it did. It never returns early on one namespace's failure.
func (j *Job) Run(ctx context.Context) Summary {
	wall := time.Now()
	var sum Summary
	budget, cancel := context.WithTimeout(ctx, j.cfg.TimeBudget.Duration)
	defer cancel()
	// The site-wide objects are read first; if one cannot be, nothing is
	// written this run (exit 3): they are rewritten from what was read.
	loadErr := j.loadKeyInfo(ctx)
	for i := range j.cfg.Namespaces {
		ns := &j.cfg.Namespaces[i]
		if _, ok := j.infos[ns.Name]; !ok && loadErr == nil {
			loadErr = j.loadInfo(ctx, ns)
		}
	}
	for i := range j.cfg.Namespaces {
		ns := &j.cfg.Namespaces[i]
		var s NamespaceSummary
		if loadErr != nil {
			s = NamespaceSummary{Name: ns.Name, Result: ResultUnchecked, Error: loadErr.Error()}
			j.log.Warn("namespace not run", "namespace", ns.Name, "err", loadErr)
		} else {
			s = j.runNamespace(ctx, budget, ns)
		}
		if severity(ExitCode(s.Result)) > severity(sum.ExitCode) {
			sum.ExitCode = ExitCode(s.Result)
		}
		sum.Namespaces = append(sum.Namespaces, s)
	}
	sum.DurationMS = float64(time.Since(wall).Microseconds()) / 1000
	return sum
}

// loadInfo seeds a namespace's NamespaceInfo from the published one, or
// from the configuration when none is published yet. A failure to read
// it other than its absence is returned: the site's namespace list would
// otherwise be rewritten with the namespace back at "Initialization".
func (j *Job) loadInfo(ctx context.Context, ns *Namespace) error {
	info := site.NewNamespaceInfo(ns.Name, "", ns.Root, site.StatusInitialization, ns.Ciphersuite)
	obj, err := j.site.Get(ctx, layout.Namespace(ns.Name))
	switch {
	case err == nil:
		var published site.NamespaceInfo
		if json.Unmarshal(obj.Data, &published) == nil && published.Name == ns.Name {
			info = published
		}
	case !errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("reading %s: %w", layout.Namespace(ns.Name), err)
	}
	j.infos[ns.Name] = info
	return nil
}

func isCanceled(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}
