package publish

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"stele/akd"
	"stele/layout"
)

// ErrConfig marks a configuration error: fix the configuration (exit 2).
var ErrConfig = errors.New("configuration error")

// Config is the configuration of `stele publish` (YAML). The comments on
// its fields are the reference for the file; stele.example.yaml is a
// commented example. Unknown keys are an error.
type Config struct {
	// Origin is the base origin, schemeless, with no trailing slash, e.g.
	// "kt.example.com/stele". It must equal the signing key's name. Each
	// namespace's log has the origin "<origin>/<namespace>".
	Origin string `yaml:"origin"`
	// Site is where the site is published: a local directory (the
	// default, "./site") or s3://BUCKET/PREFIX?region=R&endpoint=URL&use_path_style=true
	// (the query optional; credentials from the standard AWS chain).
	Site string `yaml:"site"`
	// Key is the signing key file written by `stele keygen` (mode 0600;
	// refused when group or others can access it).
	Key string `yaml:"key"`
	// Title is the site's title on its pages (default "stele").
	Title string `yaml:"title"`
	// TimeBudget bounds one run, as a Go duration ("10m"): past it the job
	// stops verifying and publishes what it has done. Default 10m.
	TimeBudget Duration `yaml:"time_budget"`
	// LeaseTTL is how long a run's lease on a namespace lasts; a lease
	// older than this is taken over. It must be longer than TimeBudget.
	// Default TimeBudget + 5m.
	LeaseTTL Duration `yaml:"lease_ttl"`
	// Workers is how many proofs are verified at once. Default: the
	// number of CPUs.
	Workers int `yaml:"workers"`
	// MaxBytesInFlight bounds the proof bytes being verified at once
	// (each needs about its own size in memory). Default 1 GiB.
	MaxBytesInFlight int64 `yaml:"max_bytes_in_flight"`
	// Namespaces are the key directories audited, one log each.
	Namespaces []Namespace `yaml:"namespaces"`
}

// Namespace is one audited key directory.
type Namespace struct {
	// Name matches [A-Za-z0-9][A-Za-z0-9._-]{0,127}; it becomes a path
	// segment ("logs/<name>/", "namespaces/<name>") and part of the origin.
	Name string `yaml:"name"`
	// Source is where the directory publishes its proofs, objects named
	// "<epoch>/<prev>/<cur>": a local directory, s3://BUCKET/PREFIX?...
	// (the standard AWS credential chain, anonymous without credentials),
	// or a bucket's public https:// URL (the S3 listing API over HTTPS;
	// a prefix inside the bucket is ?prefix=P/).
	Source string `yaml:"source"`
	// Configuration is the AKD hashing configuration: "whatsapp_v1" or
	// "experimental" (then Domain is required).
	Configuration string `yaml:"configuration"`
	// Domain is the experimental configuration's domain label.
	Domain string `yaml:"domain"`
	// Root is the trust anchor, "<epoch>/<hex digest>" as Plexi's
	// namespace root: the log's entry 0. It must match the previous root of
	// the next epoch's proof while the log is empty, and entry 0 after.
	Root string `yaml:"root"`
	// Ciphersuite is the Plexi signature serialisation: 1 protobuf (the
	// default), 2 bincode.
	Ciphersuite uint32 `yaml:"ciphersuite"`
	// MaxEpochsPerRun bounds the epochs appended in one run (0: no bound).
	MaxEpochsPerRun int `yaml:"max_epochs_per_run"`
	// MaxProofBytes is the largest proof object accepted; a larger one is
	// "unchecked". Default 1 GiB.
	MaxProofBytes int64 `yaml:"max_proof_bytes"`
	// Resume, "<epoch>/<hex digest>", re-enables a namespace halted by a
	// violation: the next run appends it as a new anchor and continues
	// from there. Ignored unless the log's last record is a violation.
	Resume string `yaml:"resume"`
}

// Duration is a time.Duration written as a Go duration string in YAML.
type Duration struct{ time.Duration }

// UnmarshalText parses a Go duration ("90s", "10m").
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return err
	}
	if v < 0 {
		return fmt.Errorf("negative duration %s", b)
	}
	d.Duration = v
	return nil
}

// Anchor is a parsed "<epoch>/<hex digest>".
type Anchor struct {
	Epoch  uint64
	Digest [32]byte
}

func (a Anchor) String() string { return fmt.Sprintf("%d/%x", a.Epoch, a.Digest) }

// ParseAnchor parses "<epoch>/<hex digest>" (lower-case hex, 32 bytes).
func ParseAnchor(s string) (Anchor, error) {
	e, h, ok := strings.Cut(s, "/")
	if !ok {
		return Anchor{}, fmt.Errorf("%q is not <epoch>/<hex digest>", s)
	}
	epoch, err := strconv.ParseUint(e, 10, 64)
	if err != nil || (len(e) > 1 && e[0] == '0') {
		return Anchor{}, fmt.Errorf("%q: bad epoch %q", s, e)
	}
	var a Anchor
	a.Epoch = epoch
	if len(h) != 64 || strings.ToLower(h) != h {
		return Anchor{}, fmt.Errorf("%q: the digest must be 64 lower-case hex digits", s)
	}
	if _, err := hex.Decode(a.Digest[:], []byte(h)); err != nil {
		return Anchor{}, fmt.Errorf("%q: bad digest: %v", s, err)
	}
	return a, nil
}

// Validate checks the configuration and fills in defaults. Its errors wrap
// ErrConfig and name the field.
func (c *Config) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s", ErrConfig, fmt.Sprintf(format, a...))
	}
	if c.Origin == "" || strings.HasSuffix(c.Origin, "/") || strings.Contains(c.Origin, "://") || strings.ContainsAny(c.Origin, " \t\n+") {
		return bad("origin %q must be a schemeless name such as kt.example.com/stele, without a trailing slash", c.Origin)
	}
	if c.Site == "" {
		c.Site = "./site"
	}
	if c.Key == "" {
		return bad("key: the signing key file is required")
	}
	if c.Title == "" {
		c.Title = "stele"
	}
	if c.TimeBudget.Duration == 0 {
		c.TimeBudget.Duration = 10 * time.Minute
	}
	if c.LeaseTTL.Duration == 0 {
		c.LeaseTTL.Duration = c.TimeBudget.Duration + 5*time.Minute
	}
	if c.LeaseTTL.Duration <= c.TimeBudget.Duration {
		return bad("lease_ttl (%s) must be longer than time_budget (%s)", c.LeaseTTL, c.TimeBudget)
	}
	if c.Workers < 0 {
		return bad("workers must not be negative")
	}
	if c.MaxBytesInFlight < 0 {
		return bad("max_bytes_in_flight must not be negative")
	}
	if c.MaxBytesInFlight == 0 {
		c.MaxBytesInFlight = 1 << 30
	}
	if len(c.Namespaces) == 0 {
		return bad("namespaces: at least one is required")
	}
	seen := map[string]bool{}
	for i := range c.Namespaces {
		ns := &c.Namespaces[i]
		if !layout.ValidNamespace(ns.Name) {
			return bad("namespaces[%d]: name %q must match [A-Za-z0-9][A-Za-z0-9._-]{0,127}", i, ns.Name)
		}
		if seen[ns.Name] {
			return bad("namespaces[%d]: name %q appears twice", i, ns.Name)
		}
		seen[ns.Name] = true
		if ns.Source == "" {
			return bad("namespace %s: source is required", ns.Name)
		}
		if _, err := akd.ParseConfig(ns.Configuration, ns.Domain); err != nil {
			return bad("namespace %s: configuration %q, domain %q: %v", ns.Name, ns.Configuration, ns.Domain, err)
		}
		if ns.Configuration != akd.NameExperimental && ns.Domain != "" {
			return bad("namespace %s: domain is only for the experimental configuration", ns.Name)
		}
		if _, err := ParseAnchor(ns.Root); err != nil {
			return bad("namespace %s: root: %v", ns.Name, err)
		}
		if ns.Resume != "" {
			if _, err := ParseAnchor(ns.Resume); err != nil {
				return bad("namespace %s: resume: %v", ns.Name, err)
			}
		}
		switch ns.Ciphersuite {
		case 0:
			ns.Ciphersuite = 1
		case 1, 2:
		default:
			return bad("namespace %s: ciphersuite %d: want 1 (protobuf) or 2 (bincode)", ns.Name, ns.Ciphersuite)
		}
		if ns.MaxEpochsPerRun < 0 || ns.MaxProofBytes < 0 {
			return bad("namespace %s: max_epochs_per_run and max_proof_bytes must not be negative", ns.Name)
		}
		if ns.MaxProofBytes == 0 {
			ns.MaxProofBytes = 1 << 30
		}
	}
	return nil
}
