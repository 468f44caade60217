package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"stele/publish"
	"stele/store"
)

func init() {
	register("publish", "the batch job: verify new epochs, sign, log and publish", runPublish)
}

func runPublish(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "publish", "-c stele.yaml [-json]")
	cfgFile := fs.String("c", "stele.yaml", "configuration `FILE`")
	asJSON := fs.Bool("json", false, "print a JSON summary on stdout")
	quiet := fs.Bool("q", false, "no progress on stderr, warnings and errors only")
	pos, code, ok := parseFlags(e, fs, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return usageError(fs, "unexpected argument %q", pos[0])
	}
	cfg, err := loadConfig(*cfgFile)
	if err != nil {
		fmt.Fprintf(e.stderr, "stele publish: %v\n", err)
		return exitUsage
	}
	signer, err := loadSigner(cfg.Key)
	if err != nil {
		fmt.Fprintf(e.stderr, "stele publish: %v\n", err)
		return exitUsage
	}
	level := slog.LevelInfo
	if *quiet {
		level = slog.LevelWarn
	}
	opts := publish.Options{Logger: slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: level}))}
	if !*quiet {
		if bar := newProgressBar(e.stderr); bar != nil {
			opts.Progress = bar.update
			defer bar.done()
		}
	}
	if now := os.Getenv("STELE_TEST_NOW"); now != "" {
		// Test-only: a fixed clock makes runs byte-for-byte reproducible.
		t, err := time.Parse(time.RFC3339, now)
		if err != nil {
			fmt.Fprintf(e.stderr, "stele publish: STELE_TEST_NOW: %v\n", err)
			return exitUsage
		}
		opts.Now = func() time.Time { return t }
	}
	if signer.Name() != cfg.Origin {
		fmt.Fprintf(e.stderr, "stele publish: the signing key is named %q but origin is %q: they must be equal\n", signer.Name(), cfg.Origin)
		return exitUsage
	}
	st, err := openSiteStore(cfg.Site)
	if err != nil {
		fmt.Fprintf(e.stderr, "stele publish: site %s: %v\n", cfg.Site, err)
		return exitUsage
	}
	job, err := publish.NewJob(*cfg, st, signer, opts)
	if err != nil {
		fmt.Fprintf(e.stderr, "stele publish: %v\n", err)
		return exitUsage
	}
	sum := job.Run(ctx)
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.Encode(sum)
	}
	for _, ns := range sum.Namespaces {
		line := fmt.Sprintf("stele publish: %s: %s, %d epochs verified", ns.Name, ns.Result, ns.EpochsVerified)
		if ns.LastEpoch != nil {
			line += fmt.Sprintf(" (%d..%d)", *ns.FirstEpoch, *ns.LastEpoch)
		}
		line += fmt.Sprintf(", log size %d, %s", ns.LogSize, ns.Status)
		if ns.Error != "" {
			line += ": " + ns.Error
		}
		fmt.Fprintln(e.stderr, line)
	}
	return sum.ExitCode
}

// loadConfig reads the configuration strictly: an unknown key is an error
// that names it, and relative paths are taken from the file's directory.
func loadConfig(path string) (*publish.Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var cfg publish.Config
	if err := dec.Decode(&cfg); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	dir := filepath.Dir(path)
	rel := func(p string) string {
		if p == "" || filepath.IsAbs(p) || strings.Contains(p, "://") {
			return p
		}
		return filepath.Join(dir, p)
	}
	cfg.Site, cfg.Key = rel(cfg.Site), rel(cfg.Key)
	for i := range cfg.Namespaces {
		cfg.Namespaces[i].Source = rel(cfg.Namespaces[i].Source)
	}
	return &cfg, nil
}

// openSiteStore opens where the site is published: an s3:// location
// (credentials from the standard AWS chain) or a local directory.
func openSiteStore(target string) (store.Store, error) {
	scheme, _, _ := strings.Cut(target, "://")
	switch {
	case strings.EqualFold(scheme, "s3") && strings.Contains(target, "://"):
		return store.OpenS3(context.Background(), target, store.S3Options{})
	case strings.Contains(target, "://"):
		return nil, errors.New("a site is published to a local directory or an s3:// location")
	}
	return store.NewDir(target)
}
