package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"

	"stele/akd"
	"stele/akdsim"
)

func init() { register("akd", "verify or generate AKD append-only proofs", runAKD) }

// runAKD dispatches "akd verify" and "akd gen".
func runAKD(ctx context.Context, e *env, args []string) int {
	if len(args) > 0 {
		switch args[0] {
		case "verify":
			return runAKDVerify(ctx, e, args[1:])
		case "gen":
			return runAKDGen(e, args[1:])
		case "-h", "-help", "--help", "help":
			fmt.Fprint(e.stdout, akdUsage)
			return exitOK
		}
	}
	fmt.Fprint(e.stderr, akdUsage)
	return exitUsage
}

const akdUsage = `usage: stele akd <subcommand> [flags]

  verify OBJECT [-config C] [-domain D] [-epoch E -prev HEX -cur HEX] [--json]
        check one proof object (a file or an http(s) URL)
  gen -dir DIR -config C [-domain D] -epochs N -updates K [-users U] [-start E] [-seed S]
        write or extend a simulated AKD directory

Run 'stele akd <subcommand> -h' for its flags.
`

// proofKey matches a proof object's name: <epoch>/<hex prev>/<hex cur>.
var proofKey = regexp.MustCompile(`(?:^|/)(0|[1-9][0-9]*)/([0-9a-f]{64})/([0-9a-f]{64})$`)

// akdVerdict is the --json output of akd verify.
type akdVerdict struct {
	Verdict          string `json:"verdict"` // verified, violation or malformed
	ComputedPrevious string `json:"computed_previous"`
	ComputedCurrent  string `json:"computed_current"`
	Error            string `json:"error"`
}

func runAKDVerify(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "akd verify", "OBJECT [flags]")
	config := fs.String("config", akd.NameWhatsAppV1, "configuration: whatsapp_v1 or experimental")
	domain := fs.String("domain", "", "domain label of the experimental configuration")
	epochFlag := fs.String("epoch", "", "target epoch E of the step E-1 -> E (default: from the object's name)")
	prevFlag := fs.String("prev", "", "hex root of epoch E-1 (default: from the object's name)")
	curFlag := fs.String("cur", "", "hex root of epoch E (default: from the object's name)")
	workers := fs.Int("workers", 0, "goroutines hashing at once (0: all cores)")
	maxBytes := fs.Int64("max-bytes", 0, "largest proof accepted, in bytes (0: 1 GiB)")
	asJSON := fs.Bool("json", false, "print the verdict as JSON on stdout")
	pos, code, ok := parseFlags(e, fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		return usageError(fs, "akd verify takes one OBJECT")
	}
	object := pos[0]
	cfg, err := akd.ParseConfig(*config, *domain)
	if err != nil {
		return usageError(fs, "%v", err)
	}
	epoch, prev, cur, err := stepOf(object, *epochFlag, *prevFlag, *curFlag)
	if err != nil {
		return usageError(fs, "%v", err)
	}

	out := akdVerdict{}
	report := func(code int) int {
		if *asJSON {
			enc := json.NewEncoder(e.stdout)
			enc.Encode(out)
			return code
		}
		switch out.Verdict {
		case "verified":
			fmt.Fprintf(e.stdout, "verified: step %d -> %d\n", epoch-1, epoch)
		case "violation":
			fmt.Fprintf(e.stdout, "VIOLATION: step %d -> %d: %s\n", epoch-1, epoch, out.Error)
		default:
			fmt.Fprintf(e.stdout, "not checked: %s\n", out.Error)
		}
		if out.ComputedPrevious != "" {
			fmt.Fprintf(e.stdout, "computed previous root %s\ncomputed current root  %s\n", out.ComputedPrevious, out.ComputedCurrent)
		}
		return code
	}

	r, err := openObject(ctx, object)
	if err != nil {
		out.Verdict, out.Error = "malformed", err.Error()
		return report(exitIncomplete)
	}
	defer r.Close()
	res, err := akd.Verify(ctx, r, cfg, epoch, prev, cur, &akd.Options{Workers: *workers, Limits: akd.Limits{MaxBytes: *maxBytes}})
	var v *akd.ViolationError
	switch {
	case err == nil:
		out.Verdict = "verified"
		out.ComputedPrevious, out.ComputedCurrent = hex.EncodeToString(res.Previous[:]), hex.EncodeToString(res.Current[:])
		if !*asJSON {
			fmt.Fprintf(e.stderr, "%d inserted, %d unchanged, %d bytes\n", res.Inserted, res.Unchanged, res.Bytes)
		}
		return report(exitOK)
	case errors.As(err, &v):
		out.Verdict, out.Error = "violation", v.Reason
		if v.Roots {
			out.ComputedPrevious, out.ComputedCurrent = hex.EncodeToString(v.ComputedPrevious[:]), hex.EncodeToString(v.ComputedCurrent[:])
		}
		return report(exitViolation)
	default:
		// Malformed, unreadable, cancelled: nothing was learnt; retry.
		out.Verdict, out.Error = "malformed", err.Error()
		return report(exitIncomplete)
	}
}

// stepOf returns the step a proof object is checked against: the flags,
// or else the object's name.
func stepOf(object, epochFlag, prevFlag, curFlag string) (epoch uint64, prev, cur [32]byte, err error) {
	name := object
	if u, perr := url.Parse(object); perr == nil && (u.Scheme == "http" || u.Scheme == "https") {
		name = u.Path
	}
	name = strings.ReplaceAll(name, `\`, "/")
	var fromName []string
	if m := proofKey.FindStringSubmatch(name); m != nil {
		fromName = m[1:]
	}
	pick := func(flagVal string, i int, what string) (string, error) {
		if flagVal != "" {
			return flagVal, nil
		}
		if fromName == nil {
			return "", fmt.Errorf("-%s is needed: the object's name is not <epoch>/<hex prev>/<hex cur>", what)
		}
		return fromName[i], nil
	}
	es, err := pick(epochFlag, 0, "epoch")
	if err != nil {
		return 0, prev, cur, err
	}
	if epoch, err = strconv.ParseUint(es, 10, 64); err != nil || epoch == 0 {
		return 0, prev, cur, fmt.Errorf("bad epoch %q (want an integer >= 1)", es)
	}
	for _, x := range []struct {
		dst  *[32]byte
		val  string
		i    int
		what string
	}{{&prev, prevFlag, 1, "prev"}, {&cur, curFlag, 2, "cur"}} {
		s, err := pick(x.val, x.i, x.what)
		if err != nil {
			return 0, prev, cur, err
		}
		b, err := hex.DecodeString(s)
		if err != nil || len(b) != 32 {
			return 0, prev, cur, fmt.Errorf("bad -%s %q (want 64 hex digits)", x.what, s)
		}
		*x.dst = [32]byte(b)
	}
	return epoch, prev, cur, nil
}

// openObject opens a proof object: a local file, or an http(s) URL
// streamed as it downloads.
func openObject(ctx context.Context, object string) (io.ReadCloser, error) {
	if !strings.HasPrefix(object, "http://") && !strings.HasPrefix(object, "https://") {
		f, err := os.Open(object)
		if err != nil {
			return nil, fmt.Errorf("opening proof: %w", err)
		}
		return f, nil
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, object, nil)
	if err != nil {
		return nil, fmt.Errorf("fetching proof: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching proof: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		return nil, fmt.Errorf("fetching proof %s: %s", object, resp.Status)
	}
	return resp.Body, nil
}

func runAKDGen(e *env, args []string) int {
	fs := newFlags(e, "akd gen", "-dir DIR [flags]")
	dir := fs.String("dir", "", "directory to create or extend (required)")
	config := fs.String("config", "", "configuration of a new directory: whatsapp_v1 or experimental")
	domain := fs.String("domain", "", "domain label (experimental configuration)")
	epochs := fs.Int("epochs", 1, "epochs to add")
	updates := fs.Int("updates", 10, "updates per added epoch (each inserts a fresh leaf, and a stale marker for an existing user)")
	users := fs.Int("users", 0, "users at the anchor (new directory only)")
	start := fs.Uint64("start", 0, "the anchor's epoch (new directory only)")
	seed := fs.Uint64("seed", 1, "random seed (new directory only)")
	pos, code, ok := parseFlags(e, fs, args)
	if !ok {
		return code
	}
	if len(pos) != 0 {
		return usageError(fs, "akd gen takes no arguments")
	}
	if *dir == "" {
		return usageError(fs, "-dir is required")
	}
	if *epochs < 0 || *updates < 1 || *users < 0 {
		return usageError(fs, "-epochs must be >= 0, -updates >= 1, -users >= 0")
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	p := akdsim.Params{Start: *start, Users: *users}
	if set["seed"] {
		p.Seed = *seed
	}
	if *config != "" || *domain != "" {
		name := *config
		if name == "" {
			name = akd.NameExperimental
		}
		cfg, err := akd.ParseConfig(name, *domain)
		if err != nil {
			return usageError(fs, "%v", err)
		}
		p.Config = cfg
	}
	if _, err := os.Stat(*dir + "/.akdsim"); err != nil {
		if p.Config.Name() == "" {
			return usageError(fs, "-config is required for a new directory")
		}
		if !set["seed"] {
			p.Seed = *seed
		}
	}
	sum, err := akdsim.Extend(*dir, p, *epochs, *updates)
	if err != nil {
		fmt.Fprintf(e.stderr, "stele: %v\n", err)
		if errors.Is(err, akdsim.ErrParams) {
			return exitUsage
		}
		return exitIncomplete
	}
	fmt.Fprintf(e.stdout, "anchor %s\n", sum.Anchor)
	for _, k := range sum.Keys {
		fmt.Fprintln(e.stdout, k)
	}
	fmt.Fprintf(e.stderr, "%d proofs, %d bytes; last epoch %d\n", len(sum.Keys), sum.ProofBytes, sum.LastEpoch)
	return exitOK
}
