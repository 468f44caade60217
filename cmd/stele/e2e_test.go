package main

// End-to-end tests: the real binary, built once, driven the way a cron job
// drives it — a separate process, no terminal, a bare environment — and
// judged only by what such a job sees: the exit code, the JSON on stdout,
// the messages on stderr and the files under the site.

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// The binary under test is built on first use into e2eDir, which TestMain
// removes when the tests are done.
var (
	e2eDir      string
	e2eBuild    sync.Once
	e2eBin      string
	e2eBuildErr error
)

// errNoGo means there is no go command to build the binary with: the
// end-to-end tests skip.
var errNoGo = errors.New("no go command to build stele with")

func TestMain(m *testing.M) {
	code := m.Run()
	if e2eDir != "" {
		os.RemoveAll(e2eDir)
	}
	os.Exit(code)
}

// steleBin returns the path of the stele binary, building it from this
// package's directory the first time. It skips the test in -short mode and
// when no Go tool is at hand.
func steleBin(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test: builds and runs the binary; skipped in -short mode")
	}
	e2eBuild.Do(func() {
		gotool, err := exec.LookPath("go")
		if err != nil {
			if root := os.Getenv("GOROOT"); root != "" {
				gotool, err = filepath.Join(root, "bin", "go"), nil
			}
		}
		if err != nil {
			e2eBuildErr = fmt.Errorf("%w: %v", errNoGo, err)
			return
		}
		if e2eDir, err = os.MkdirTemp("", "stele-e2e-"); err != nil {
			e2eBuildErr = err
			return
		}
		bin := filepath.Join(e2eDir, "stele")
		if runtime.GOOS == "windows" {
			bin += ".exe"
		}
		out, err := exec.Command(gotool, "build", "-o", bin, ".").CombinedOutput()
		if err != nil {
			e2eBuildErr = fmt.Errorf("building stele: %v\n%s", err, out)
			return
		}
		e2eBin = bin
	})
	if e2eBin == "" {
		if errors.Is(e2eBuildErr, errNoGo) {
			t.Skipf("end-to-end test: %v", e2eBuildErr)
		}
		t.Fatal(e2eBuildErr)
	}
	return e2eBin
}

// e2eResult is what a finished command left behind.
type e2eResult struct {
	cmd            string
	code           int
	stdout, stderr string
}

func (r e2eResult) String() string {
	return fmt.Sprintf("%s: exit %d\n--- stdout\n%s--- stderr\n%s", r.cmd, r.code, r.stdout, r.stderr)
}

// e2eRun runs the stele binary in dir with args.
func e2eRun(t *testing.T, dir string, args ...string) e2eResult {
	t.Helper()
	return e2eExec(t, dir, nil, steleBin(t), args...)
}

// e2eExec runs a program in dir. The environment is what cron gives a job
// — a PATH and a HOME (a private one, so that nothing the tests do lands in
// the user's cache), no terminal — plus env.
func e2eExec(t *testing.T, dir string, env []string, name string, args ...string) e2eResult {
	t.Helper()
	steleBin(t) // makes e2eDir
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	home := filepath.Join(e2eDir, "home")
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "XDG_CACHE_HOME=" + filepath.Join(home, ".cache"), "LANG=C"}, env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := e2eResult{cmd: filepath.Base(name) + " " + strings.Join(args, " "), stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee) && ee.Exited():
		r.code = ee.ExitCode()
	default:
		t.Fatalf("running %s: %v\nstderr: %s", r.cmd, err, r.stderr)
	}
	return r
}

// e2eExpect runs the binary and fails the test unless it exits with code.
func e2eExpect(t *testing.T, code int, dir string, args ...string) e2eResult {
	t.Helper()
	r := e2eRun(t, dir, args...)
	if r.code != code {
		t.Fatalf("want exit %d\n%s", code, r)
	}
	return r
}

const e2eOrigin = "kt.e2e.example/stele"

// e2eWorkspace is one operator's setup: a signing key, simulated proof
// buckets under proofs/<ns>, and stele.yaml, all in dir.
type e2eWorkspace struct {
	dir  string
	vkey string // the verifier key, as keygen printed it
}

func newWorkspace(t *testing.T) *e2eWorkspace {
	t.Helper()
	w := &e2eWorkspace{dir: t.TempDir()}
	r := e2eExpect(t, exitOK, w.dir, "keygen", "-o", "stele.key", "-name", e2eOrigin)
	w.vkey = strings.TrimSpace(r.stdout)
	return w
}

func (w *e2eWorkspace) path(elem ...string) string {
	return filepath.Join(append([]string{w.dir}, elem...)...)
}

func (w *e2eWorkspace) site() string { return w.path("site") }

// gen runs `stele akd gen -dir proofs/<ns>` with args and returns the keys
// of the proof objects it wrote, in epoch order.
func (w *e2eWorkspace) gen(t *testing.T, ns string, args ...string) []string {
	t.Helper()
	r := e2eExpect(t, exitOK, w.dir, append([]string{"akd", "gen", "-dir", filepath.Join("proofs", ns)}, args...)...)
	var keys []string
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		if !strings.HasPrefix(line, "anchor ") {
			keys = append(keys, line)
		}
	}
	return keys
}

// root is the anchor `akd gen` wrote for the namespace's directory.
func (w *e2eWorkspace) root(t *testing.T, ns string) string {
	t.Helper()
	b, err := os.ReadFile(w.path("proofs", ns, "root"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// e2eNS is one namespace of a generated configuration.
type e2eNS struct {
	name, configuration, domain, root string
	ciphersuite                       int
}

// config writes stele.yaml (relative paths, as an operator would) with
// extra appended at the top level, and returns its path.
func (w *e2eWorkspace) config(t *testing.T, key string, nss []e2eNS, extra string) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "origin: %s\nsite: ./site\nkey: %s\ntime_budget: 2m\n%snamespaces:\n", e2eOrigin, key, extra)
	for _, ns := range nss {
		fmt.Fprintf(&b, "  - name: %s\n    source: ./proofs/%s\n    configuration: %s\n    root: %q\n", ns.name, ns.name, ns.configuration, ns.root)
		if ns.domain != "" {
			fmt.Fprintf(&b, "    domain: %s\n", ns.domain)
		}
		if ns.ciphersuite != 0 {
			fmt.Fprintf(&b, "    ciphersuite: %d\n", ns.ciphersuite)
		}
	}
	p := w.path("stele.yaml")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// publish runs `stele publish -c CONFIG --json` from an unrelated working
// directory (as cron does: relative paths come from the file's directory),
// expects exit code want and returns the decoded summary.
func (w *e2eWorkspace) publish(t *testing.T, want int, cfg string) (e2eSummary, e2eResult) {
	t.Helper()
	r := e2eExpect(t, want, t.TempDir(), "publish", "-c", cfg, "--json")
	var s e2eSummary
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil {
		t.Fatalf("publish --json printed no JSON summary: %v\n%s", err, r)
	}
	if s.ExitCode != want {
		t.Errorf("summary exit_code %d, process exit %d", s.ExitCode, want)
	}
	s.raw = r.stdout
	return s, r
}

// verify runs `stele verify SITE -vkey K --json`, expects exit code want
// and returns the logs by origin.
func (w *e2eWorkspace) verify(t *testing.T, want int, vkey string) map[string]e2eVerifiedLog {
	t.Helper()
	r := e2eExpect(t, want, w.dir, "verify", w.site(), "-vkey", vkey, "--json")
	var v struct {
		Logs []e2eVerifiedLog `json:"logs"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		t.Fatalf("verify --json: %v\n%s", err, r)
	}
	m := map[string]e2eVerifiedLog{}
	for _, l := range v.Logs {
		m[l.Origin] = l
	}
	return m
}

// e2eSummary is publish's --json summary, as documented.
type e2eSummary struct {
	Namespaces []e2eNSSummary `json:"namespaces"`
	ExitCode   int            `json:"exit_code"`
	raw        string
}

type e2eNSSummary struct {
	Name           string           `json:"name"`
	Result         string           `json:"result"`
	Status         string           `json:"status"`
	EpochsVerified int              `json:"epochs_verified"`
	FirstEpoch     *uint64          `json:"first_epoch"`
	LastEpoch      *uint64          `json:"last_epoch"`
	Violations     int              `json:"violations"`
	Unchecked      int              `json:"unchecked"`
	BytesRead      int64            `json:"bytes_read"`
	ObjectsWritten int64            `json:"objects_written"`
	Requests       map[string]int64 `json:"requests"`
	LogSize        int64            `json:"log_size"`
	DurationMS     float64          `json:"duration_ms"`
	Error          string           `json:"error"`
}

// span is "first..last" of the epochs the run verified, "none" without.
func (n e2eNSSummary) span() string {
	if n.FirstEpoch == nil || n.LastEpoch == nil {
		return "none"
	}
	return fmt.Sprintf("%d..%d", *n.FirstEpoch, *n.LastEpoch)
}

// ns returns the namespace's summary.
func (s e2eSummary) ns(t *testing.T, name string) e2eNSSummary {
	t.Helper()
	for _, n := range s.Namespaces {
		if n.Name == name {
			return n
		}
	}
	t.Fatalf("summary has no namespace %q: %s", name, s.raw)
	return e2eNSSummary{}
}

// checkFields checks that every namespace of the raw summary carries the
// documented fields; withEpochs adds the first and last epoch, which are
// only there when the run verified any.
func (s e2eSummary) checkFields(t *testing.T, withEpochs bool) {
	t.Helper()
	var raw struct {
		Namespaces []map[string]json.RawMessage `json:"namespaces"`
	}
	if err := json.Unmarshal([]byte(s.raw), &raw); err != nil {
		t.Fatal(err)
	}
	want := []string{"name", "result", "status", "epochs_verified", "violations", "unchecked", "bytes_read", "objects_written", "requests", "duration_ms"}
	if withEpochs {
		want = append(want, "first_epoch", "last_epoch")
	}
	for _, ns := range raw.Namespaces {
		for _, k := range want {
			if _, ok := ns[k]; !ok {
				t.Errorf("publish summary of %s lacks %q: %s", ns["name"], k, s.raw)
			}
		}
	}
}

// e2eVerifiedLog is one log of verify's --json output.
type e2eVerifiedLog struct {
	Origin         string `json:"origin"`
	Size           int64  `json:"size"`
	Root           string `json:"root"`
	EntriesChecked int64  `json:"entries_checked"`
	Status         string `json:"status"`
	Result         string `json:"result"`
	Error          string `json:"error"`
}

// siteHashes maps every object under the site to the SHA-256 of its bytes,
// leaving out stele's bookkeeping (.stele/) and the leases
// (logs/<ns>/lock), which every run rewrites.
func siteHashes(t *testing.T, site string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, rel := range siteFiles(t, site) {
		if strings.HasPrefix(rel, ".stele/") || (strings.HasPrefix(rel, "logs/") && strings.HasSuffix(rel, "/lock")) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(site, filepath.FromSlash(rel)))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(b)
		m[rel] = hex.EncodeToString(sum[:])
	}
	return m
}

// siteFiles lists every file under dir (slash-separated, relative), none
// when dir does not exist.
func siteFiles(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == dir {
			return fs.SkipDir
		}
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		files = append(files, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// diffHashes reports how after differs from before.
func diffHashes(before, after map[string]string) []string {
	var d []string
	for k, v := range before {
		switch w, ok := after[k]; {
		case !ok:
			d = append(d, "removed "+k)
		case w != v:
			d = append(d, "changed "+k)
		}
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			d = append(d, "added "+k)
		}
	}
	slices.Sort(d)
	return d
}

// logRecords reads every record of the namespace's log straight from the
// files under the site: the checkpoint's size, then the entry bundles
// (gzip-compressed or plain; C2SP: each entry a big-endian uint16 length
// and that many bytes).
func logRecords(t *testing.T, site, ns string) []map[string]any {
	t.Helper()
	dir := filepath.Join(site, "logs", ns)
	cp, err := os.ReadFile(filepath.Join(dir, "checkpoint"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitN(string(cp), "\n", 3)
	if len(lines) < 3 {
		t.Fatalf("checkpoint %q has no size line", cp)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size > 256*1000 {
		t.Fatalf("checkpoint size %q: %v (this helper reads small logs only)", lines[1], err)
	}
	var recs []map[string]any
	for n := int64(0); n*256 < size; n++ {
		name := fmt.Sprintf("%03d", n)
		width := min(size-n*256, 256)
		if width < 256 {
			name += fmt.Sprintf(".p/%d", width)
		}
		b, err := os.ReadFile(filepath.Join(dir, "tile", "entries", filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		if len(b) > 2 && b[0] == 0x1f && b[1] == 0x8b {
			zr, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if b, err = io.ReadAll(zr); err != nil {
				t.Fatal(err)
			}
		}
		for i := int64(0); i < width; i++ {
			if len(b) < 2 || len(b) < 2+int(b[0])<<8|int(b[1]) {
				t.Fatalf("entry bundle %s is short at entry %d", name, i)
			}
			l := int(b[0])<<8 | int(b[1])
			var rec map[string]any
			if err := json.Unmarshal(b[2:2+l], &rec); err != nil {
				t.Fatalf("entry %d: %v", n*256+i, err)
			}
			recs = append(recs, rec)
			b = b[2+l:]
		}
	}
	return recs
}

// TestE2EDemo: the demo runs the whole pipeline and its verification says
// ok for both namespaces; the key it prints verifies the site again.
func TestE2EDemo(t *testing.T) {
	t.Parallel()
	tmp := t.TempDir()
	dir := filepath.Join(tmp, "demo")
	r := e2eExpect(t, exitOK, tmp, "demo", "-dir", dir, "-serve=false")
	var oks int
	for _, line := range strings.Split(r.stdout, "\n") {
		if strings.HasPrefix(line, "ok ") {
			oks++
			if !strings.Contains(line, "status=online") {
				t.Errorf("demo verify line %q: want status=online", line)
			}
		}
		if strings.HasPrefix(line, "FAILED") || strings.HasPrefix(line, "UNCHECKED") {
			t.Errorf("demo verify line %q", line)
		}
	}
	if oks != 2 {
		t.Fatalf("want two verify lines saying ok (one per namespace)\n%s", r)
	}
	_, vkey, ok := strings.Cut(r.stdout, "== auditor key: ")
	vkey, _, _ = strings.Cut(vkey, "\n")
	if !ok || vkey == "" {
		t.Fatalf("demo printed no auditor key\n%s", r)
	}
	e2eExpect(t, exitOK, tmp, "verify", filepath.Join(dir, "site"), "-vkey", vkey)

	// The demo recreates only its own directories.
	other := filepath.Join(tmp, "mine")
	os.MkdirAll(other, 0o755)
	os.WriteFile(filepath.Join(other, "keep"), []byte("precious\n"), 0o644)
	r = e2eExpect(t, exitUsage, tmp, "demo", "-dir", other, "-serve=false")
	if !strings.Contains(r.stderr, "not made by stele demo") {
		t.Errorf("refusing a foreign directory: want a message saying why\n%s", r)
	}
	if b, _ := os.ReadFile(filepath.Join(other, "keep")); string(b) != "precious\n" {
		t.Error("demo touched a directory it did not make")
	}
}

// TestE2EPublishCycle is an operator's life: first run, a run with nothing
// new (nothing changes but the leases), new epochs, another run; the site
// verifies after each, for both AKD configurations.
func TestE2EPublishCycle(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	w.gen(t, "wa", "-config", "whatsapp_v1", "-users", "200", "-start", "100", "-epochs", "4", "-updates", "10")
	w.gen(t, "ex", "-config", "experimental", "-domain", "ExampleLabel", "-users", "100", "-epochs", "3", "-updates", "5")
	cfg := w.config(t, "./stele.key", []e2eNS{
		{name: "wa", configuration: "whatsapp_v1", root: w.root(t, "wa")},
		{name: "ex", configuration: "experimental", domain: "ExampleLabel", root: w.root(t, "ex"), ciphersuite: 2},
	}, "")

	// First run: everything there is.
	s, r := w.publish(t, exitOK, cfg)
	s.checkFields(t, true)
	for _, want := range []struct {
		ns          string
		epochs      int
		first, last uint64
		size        int64
		stderrLine  string
	}{{"wa", 4, 101, 104, 5, "wa: ok, 4 epochs verified (101..104)"}, {"ex", 3, 1, 3, 4, "ex: ok, 3 epochs verified (1..3)"}} {
		n := s.ns(t, want.ns)
		if n.Result != "ok" || n.Status != "online" || n.EpochsVerified != want.epochs || n.LogSize != want.size ||
			n.span() != fmt.Sprintf("%d..%d", want.first, want.last) {
			t.Errorf("first run, %s: %+v", want.ns, n)
		}
		if n.Violations != 0 || n.Unchecked != 0 || n.BytesRead <= 0 || n.ObjectsWritten <= 0 || n.Requests["PUT"] <= 0 || n.DurationMS <= 0 {
			t.Errorf("first run, %s: counters %+v", want.ns, n)
		}
		if !strings.Contains(r.stderr, want.stderrLine) {
			t.Errorf("stderr lacks %q\n%s", want.stderrLine, r)
		}
	}
	logs := w.verify(t, exitOK, w.vkey)
	for origin, size := range map[string]int64{e2eOrigin + "/wa": 5, e2eOrigin + "/ex": 4} {
		if l := logs[origin]; l.Result != "ok" || l.Status != "online" || l.Size != size || l.EntriesChecked != size {
			t.Errorf("verify %s: %+v", origin, l)
		}
	}
	// Negative control: another auditor's key does not verify this site.
	other := newWorkspace(t)
	for origin, l := range w.verify(t, exitViolation, other.vkey) {
		if l.Result != "failed" {
			t.Errorf("verify %s with a stranger's key: %+v", origin, l)
		}
	}

	// Nothing new: success, and not one byte changes but the leases.
	before := siteHashes(t, w.site())
	s, _ = w.publish(t, exitOK, cfg)
	s.checkFields(t, false)
	for _, n := range s.Namespaces {
		if n.Result != "ok" || n.Status != "online" || n.EpochsVerified != 0 || n.BytesRead != 0 {
			t.Errorf("run with nothing new, %s: %+v", n.Name, n)
		}
	}
	if d := diffHashes(before, siteHashes(t, w.site())); len(d) > 0 {
		t.Errorf("a run with nothing new changed the site: %v", d)
	}

	// The directories publish new epochs; the next run takes exactly those.
	w.gen(t, "wa", "-epochs", "3", "-updates", "10")
	w.gen(t, "ex", "-epochs", "2", "-updates", "5")
	s, _ = w.publish(t, exitOK, cfg)
	s.checkFields(t, true)
	for ns, want := range map[string][3]uint64{"wa": {3, 105, 107}, "ex": {2, 4, 5}} {
		n := s.ns(t, ns)
		if n.Result != "ok" || n.EpochsVerified != int(want[0]) || n.span() != fmt.Sprintf("%d..%d", want[1], want[2]) {
			t.Errorf("third run, %s: %+v", ns, n)
		}
	}
	after := siteHashes(t, w.site())
	for key, h := range before {
		immutable := strings.Contains(key, "/audits/") || strings.Contains(key, "/checkpoints/") || strings.Contains(key, "/tile/")
		if immutable && after[key] != h {
			t.Errorf("immutable object %s changed or vanished", key)
		}
	}
	logs = w.verify(t, exitOK, w.vkey)
	for origin, size := range map[string]int64{e2eOrigin + "/wa": 8, e2eOrigin + "/ex": 6} {
		if l := logs[origin]; l.Result != "ok" || l.Status != "online" || l.Size != size {
			t.Errorf("verify %s after new epochs: %+v", origin, l)
		}
	}
}

// TestE2EViolation: a corrupted proof is a violation — publish appends the
// evidence and exits 1, the log still verifies (exit 0) and is reported
// halted, and later runs stay halted without writing anything.
func TestE2EViolation(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	w.gen(t, "wa", "-config", "whatsapp_v1", "-users", "200", "-start", "100", "-epochs", "2", "-updates", "10")
	cfg := w.config(t, "./stele.key", []e2eNS{{name: "wa", configuration: "whatsapp_v1", root: w.root(t, "wa")}}, "")
	w.publish(t, exitOK, cfg)

	keys := w.gen(t, "wa", "-epochs", "3", "-updates", "10") // epochs 103..105
	if len(keys) != 3 {
		t.Fatalf("akd gen listed %d proofs, want 3: %q", len(keys), keys)
	}
	bad := keys[1] // epoch 104
	p := w.path("proofs", "wa", filepath.FromSlash(bad))
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)-1] ^= 0x01 // the last byte of an element's value: the roots no longer rebuild
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}

	s, r := w.publish(t, exitViolation, cfg)
	n := s.ns(t, "wa")
	if n.Result != "violation" || n.Status != "halted" || n.Violations != 1 || n.EpochsVerified != 1 || n.LogSize != 5 {
		t.Errorf("publish over a corrupted proof: %+v", n)
	}
	if !strings.Contains(r.stderr, "violation at epoch 104") {
		t.Errorf("stderr does not name the violation\n%s", r)
	}
	recs := logRecords(t, w.site(), "wa")
	last := recs[len(recs)-1]
	proof, _ := last["proof"].(map[string]any)
	if last["kind"] != "violation" || last["epoch"] != 104.0 || last["reason"] == nil || last["computed_digest"] == nil ||
		last["signature"] != nil || proof["name"] != bad {
		t.Errorf("last record is not the evidence of epoch 104: %v", last)
	}
	if recs[len(recs)-2]["kind"] != "verified" || recs[len(recs)-2]["epoch"] != 103.0 {
		t.Errorf("the record before the violation: %v", recs[len(recs)-2])
	}

	// The evidence is intact: the log verifies, and is reported halted.
	l := w.verify(t, exitOK, w.vkey)[e2eOrigin+"/wa"]
	if l.Result != "ok" || l.Status != "halted" || l.Size != 5 {
		t.Errorf("verify a halted log: %+v", l)
	}

	// Halted: the next run exits 1 again and writes nothing but its lease.
	before := siteHashes(t, w.site())
	s, r = w.publish(t, exitViolation, cfg)
	if n := s.ns(t, "wa"); n.Status != "halted" || n.EpochsVerified != 0 || !strings.Contains(r.stderr, "resume") {
		t.Errorf("run on a halted namespace: %+v\n%s", n, r)
	}
	if d := diffHashes(before, siteHashes(t, w.site())); len(d) > 0 {
		t.Errorf("a run on a halted namespace changed the site: %v", d)
	}
}

// TestE2EMissingProof: a proof object missing between published epochs is
// "could not check" (exit 3), not the end of the chain and not a violation:
// the log stays as it was, and once the object is back the next run
// completes.
func TestE2EMissingProof(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	w.gen(t, "wa", "-config", "whatsapp_v1", "-users", "200", "-start", "100", "-epochs", "2", "-updates", "10")
	cfg := w.config(t, "./stele.key", []e2eNS{{name: "wa", configuration: "whatsapp_v1", root: w.root(t, "wa")}}, "")
	w.publish(t, exitOK, cfg)
	w.gen(t, "wa", "-epochs", "3", "-updates", "10") // epochs 103..105
	held := w.path("held-103")
	if err := os.Rename(w.path("proofs", "wa", "103"), held); err != nil {
		t.Fatal(err)
	}

	before := siteHashes(t, w.site())
	s, r := w.publish(t, exitIncomplete, cfg)
	if n := s.ns(t, "wa"); n.Result != "unchecked" || n.Unchecked != 1 || n.EpochsVerified != 0 || n.LogSize != 3 || n.Status != "online" {
		t.Errorf("publish with epoch 103 missing: %+v", n)
	}
	if !strings.Contains(r.stderr, "103") {
		t.Errorf("stderr does not name the missing epoch\n%s", r)
	}
	if d := diffHashes(before, siteHashes(t, w.site())); len(d) > 0 {
		t.Errorf("a run that could not complete changed the log: %v", d)
	}

	if err := os.Rename(held, w.path("proofs", "wa", "103")); err != nil {
		t.Fatal(err)
	}
	s, _ = w.publish(t, exitOK, cfg)
	if n := s.ns(t, "wa"); n.Result != "ok" || n.EpochsVerified != 3 || n.span() != "103..105" {
		t.Errorf("publish once the proof is back: %+v", n)
	}
	if l := w.verify(t, exitOK, w.vkey)[e2eOrigin+"/wa"]; l.Size != 6 || l.Status != "online" {
		t.Errorf("verify: %+v", l)
	}
}

// TestE2EConfigErrors: each configuration mistake exits 2 with a message
// naming the problem, before anything is published.
func TestE2EConfigErrors(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	w.gen(t, "wa", "-config", "whatsapp_v1", "-users", "100", "-start", "100", "-epochs", "1", "-updates", "5")
	root := w.root(t, "wa")
	// The same digest with one hex digit changed: well-formed, wrong.
	wrongRoot := root[:len(root)-1] + "0"
	if strings.HasSuffix(root, "0") {
		wrongRoot = root[:len(root)-1] + "1"
	}
	key, err := os.ReadFile(w.path("stele.key"))
	if err != nil {
		t.Fatal(err)
	}
	writeKey := func(name string, data []byte, mode os.FileMode) {
		t.Helper()
		if err := os.WriteFile(w.path(name), data, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(w.path(name), mode); err != nil {
			t.Fatal(err)
		}
	}
	writeKey("open.key", key, 0o644)
	if err := os.Mkdir(w.path("dir.key"), 0o700); err != nil {
		t.Fatal(err)
	}
	e2eExpect(t, exitOK, w.dir, "keygen", "-o", "stranger.key", "-name", "kt.other.example/stele")
	wa := e2eNS{name: "wa", configuration: "whatsapp_v1", root: root}

	type tc struct {
		name  string
		key   string
		extra string // top-level YAML
		root  string
		want  []string // in stderr
	}
	cases := []tc{
		{name: "unknown key", key: "./stele.key", extra: "colour: blue\n", want: []string{"colour"}},
		{name: "missing key file", key: "./absent.key", want: []string{"signing key", "absent.key"}},
		{name: "unreadable key file", key: "./dir.key", want: []string{"signing key", "dir.key"}},
		{name: "key mode 0644", key: "./open.key", want: []string{"open.key", "0644", "group or others"}},
		{name: "key name is not the origin", key: "./stranger.key", want: []string{"kt.other.example/stele", e2eOrigin}},
		{name: "root does not match the source", key: "./stele.key", root: wrongRoot, want: []string{wrongRoot, "does not match the source"}},
	}
	if os.Geteuid() != 0 { // root reads any file
		writeKey("locked.key", key, 0o000)
		cases = append(cases, tc{name: "key file without read permission", key: "./locked.key", want: []string{"signing key", "locked.key"}})
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ns := wa
			if c.root != "" {
				ns.root = c.root
			}
			cfg := w.config(t, c.key, []e2eNS{ns}, c.extra)
			r := e2eExpect(t, exitUsage, t.TempDir(), "publish", "-c", cfg, "--json")
			for _, s := range c.want {
				if !strings.Contains(r.stderr, s) {
					t.Errorf("stderr does not name %q\n%s", s, r)
				}
			}
			// The lease (logs/<ns>/lock) and the store's bookkeeping are
			// all a run may leave behind: nothing is published.
			var written []string
			for _, f := range siteFiles(t, w.site()) {
				if !strings.HasPrefix(f, ".stele/") && f != "logs/wa/lock" {
					written = append(written, f)
				}
			}
			if len(written) > 0 {
				t.Errorf("a configuration error published %v", written)
			}
			os.RemoveAll(w.site())
		})
	}

	// Once the log has entries, a root other than its entry 0 is an error
	// too, and the log stays as it was.
	cfg := w.config(t, "./stele.key", []e2eNS{wa}, "")
	w.publish(t, exitOK, cfg)
	before := siteHashes(t, w.site())
	other := wa
	other.root = strings.Replace(root, "100/", "99/", 1)
	cfg = w.config(t, "./stele.key", []e2eNS{other}, "")
	s, r := w.publish(t, exitUsage, cfg)
	if n := s.ns(t, "wa"); n.Result != "config" || !strings.Contains(r.stderr, "entry 0") {
		t.Errorf("root differing from entry 0: %+v\n%s", n, r)
	}
	if d := diffHashes(before, siteHashes(t, w.site())); len(d) > 0 {
		t.Errorf("a configuration error changed the log: %v", d)
	}
}

// TestE2EHelp: -h is success and prints the usage on stdout, for every
// command the binary lists.
func TestE2EHelp(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	r := e2eExpect(t, exitOK, dir, "help")
	var cmds []string
	for _, line := range strings.Split(r.stdout, "\n") {
		if f := strings.Fields(line); strings.HasPrefix(line, "  ") && len(f) > 1 {
			cmds = append(cmds, f[0])
		}
	}
	for _, must := range []string{"publish", "demo", "verify"} {
		if !slices.Contains(cmds, must) {
			t.Fatalf("help lists %v, without %s", cmds, must)
		}
	}
	for _, c := range cmds {
		r := e2eExpect(t, exitOK, dir, c, "-h")
		if !strings.Contains(r.stdout, "usage: stele "+c) {
			t.Errorf("%s -h: no usage on stdout\n%s", c, r)
		}
	}
	if r := e2eRun(t, dir, "publish", "-c", filepath.Join(dir, "absent.yaml")); r.code != exitUsage || !strings.Contains(r.stderr, "absent.yaml") {
		t.Errorf("publish with no configuration file: want exit 2 naming the file\n%s", r)
	}
}

// deployDir holds the deployment examples, from this package's directory.
var deployDir = filepath.Join("..", "..", "deploy")

// TestE2EDeployKubernetes: the CronJob's configuration is one stele
// accepts, and the manifest keeps the settings its comments promise.
func TestE2EDeployKubernetes(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join(deployDir, "kubernetes", "cronjob.yaml"))
	if err != nil {
		t.Skipf("no deployment examples here: %v", err)
	}
	docs := map[string]map[string]any{}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	for {
		var d map[string]any
		if err := dec.Decode(&d); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("cronjob.yaml: %v", err)
		}
		if d != nil {
			docs[d["kind"].(string)] = d
		}
	}
	get := func(v any, path ...any) any {
		t.Helper()
		for _, p := range path {
			switch p := p.(type) {
			case string:
				v = v.(map[string]any)[p]
			case int:
				v = v.([]any)[p]
			}
		}
		return v
	}

	cfgText, _ := get(docs["ConfigMap"], "data", "stele.yaml").(string)
	cfgFile := filepath.Join(t.TempDir(), "stele.yaml")
	os.WriteFile(cfgFile, []byte(cfgText), 0o644)
	cfg, err := loadConfig(cfgFile)
	if err != nil {
		t.Fatalf("the ConfigMap's stele.yaml: %v", err)
	}

	spec := get(docs["CronJob"], "spec")
	if get(spec, "concurrencyPolicy") != "Forbid" {
		t.Error("concurrencyPolicy is not Forbid")
	}
	pod := get(spec, "jobTemplate", "spec", "template", "spec")
	if get(pod, "restartPolicy") != "Never" {
		t.Error("podFailurePolicy needs restartPolicy: Never")
	}
	if _, ok := get(pod, "securityContext").(map[string]any)["fsGroup"]; ok {
		t.Error("fsGroup makes the Secret's files group-readable, and stele refuses the key")
	}
	container := get(pod, "containers", 0)
	mounts := map[string]string{}
	for _, m := range get(container, "volumeMounts").([]any) {
		mounts[get(m, "name").(string)] = get(m, "mountPath").(string)
	}
	for _, v := range get(pod, "volumes").([]any) {
		if sec, ok := get(v, "secret").(map[string]any); ok {
			if sec["defaultMode"] != 0o400 {
				t.Errorf("the key's Secret has defaultMode %v, want 0400", sec["defaultMode"])
			}
			if want := mounts[get(v, "name").(string)] + "/stele.key"; cfg.Key != want {
				t.Errorf("key: %s, but the Secret is mounted at %s", cfg.Key, want)
			}
		}
	}
	if args := fmt.Sprint(get(container, "args")); !strings.Contains(args, mounts["config"]+"/stele.yaml") {
		t.Errorf("the container runs %s, not the ConfigMap's stele.yaml under %s", args, mounts["config"])
	}
	rule := get(spec, "jobTemplate", "spec", "podFailurePolicy", "rules", 0)
	if get(rule, "action") != "FailJob" || get(rule, "onExitCodes", "containerName") != get(container, "name") ||
		fmt.Sprint(get(rule, "onExitCodes", "values")) != fmt.Sprint([]any{exitViolation, exitUsage}) {
		t.Errorf("the first podFailurePolicy rule should fail the Job on exits 1 and 2 of stele: %v", rule)
	}
}

// TestE2EDeployScripts drives the cron wrapper and the proof fetcher with
// the real binary, as the crontab does, against a bucket stood in for by
// a directory and a fake AWS CLI: every exit code of stele becomes the
// documented noise.
func TestE2EDeployScripts(t *testing.T) {
	t.Parallel()
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no POSIX shell")
	}
	if _, err := os.Stat(filepath.Join(deployDir, "stele-cron.sh")); err != nil {
		t.Skipf("no deployment examples here: %v", err)
	}
	cron, _ := filepath.Abs(filepath.Join(deployDir, "stele-cron.sh"))
	fetch, _ := filepath.Abs(filepath.Join(deployDir, "fetch-proofs.sh"))

	w := newWorkspace(t)
	// The directory's bucket: a simulated directory outside the source.
	w.gen(t, "bucket", "-config", "whatsapp_v1", "-users", "100", "-start", "100", "-epochs", "3", "-updates", "5")
	root := w.root(t, "bucket")
	cfg := w.config(t, "./stele.key", []e2eNS{{name: "wa", configuration: "whatsapp_v1", root: root}}, "")
	// A fake AWS CLI: `aws s3 cp --recursive ... s3://bucket/<key>/ DST`
	// copies that folder of the bucket directory, if there is one.
	awsFake := w.path("aws")
	os.WriteFile(awsFake, []byte(`#!/bin/sh
eval "src=\${$(($# - 1))}"
eval "dst=\${$#}"
key=${src#s3://bucket/}
echo "$key" >>"$FAKE_S3.calls"
[ -d "$FAKE_S3/$key" ] || exit 0
mkdir -p "$dst" && cp -R "$FAKE_S3/$key." "$dst"
`), 0o755)
	pages := w.path("pages")
	os.WriteFile(w.path("page"), []byte("#!/bin/sh\necho \"$1\" >>"+pages+"\n"), 0o755)
	log := w.path("log", "publish.log")
	env := []string{"STELE=" + steleBin(t), "STELE_CONFIG=" + cfg, "STELE_LOG=" + log, "STELE_PAGE=" + w.path("page"),
		"STELE_MAX_INCOMPLETE=2", "AWS=" + awsFake, "FAKE_S3=" + w.path("proofs", "bucket")}
	runFetch := func() e2eResult {
		t.Helper()
		r := e2eExec(t, w.dir, env, sh, fetch, "s3://bucket", w.path("proofs", "wa"), w.site(), "wa", strings.Split(root, "/")[0])
		if r.code != 0 {
			t.Fatalf("fetch-proofs.sh: %s", r)
		}
		return r
	}
	runCron := func(want int, quiet bool) e2eResult {
		t.Helper()
		r := e2eExec(t, w.dir, env, sh, cron)
		if r.code != want || quiet != (r.stdout+r.stderr == "") {
			t.Fatalf("want exit %d, quiet %v\n%s", want, quiet, r)
		}
		return r
	}
	readFile := func(p string) string {
		b, _ := os.ReadFile(p)
		return string(b)
	}
	logSize := func() int64 {
		return w.verify(t, exitOK, w.vkey)[e2eOrigin+"/wa"].Size
	}

	// A new log: the fetcher starts after the anchor, cron publishes.
	if r := runFetch(); !strings.Contains(r.stdout, "3 epochs copied, next 104") {
		t.Errorf("first fetch: %s", r)
	}
	runCron(0, true)
	if !strings.Contains(readFile(log), "exit=0 {") || logSize() != 4 {
		t.Errorf("after the first run: log size %d, log %q", logSize(), readFile(log))
	}

	// New epochs, a fresh machine (no proofs kept): only the new ones are
	// fetched, from the site's last verified epoch on.
	w.gen(t, "bucket", "-epochs", "2", "-updates", "5")
	os.RemoveAll(w.path("proofs", "wa"))
	os.Remove(w.path("proofs", "bucket.calls"))
	runFetch()
	if calls := readFile(w.path("proofs", "bucket.calls")); !strings.HasPrefix(calls, "104/\n105/\n106/") {
		t.Errorf("second fetch asked for %q, want 104/, 105/, 106/ (and the one after)", calls)
	}
	runCron(0, true)
	if logSize() != 6 {
		t.Errorf("log size %d after the second run, want 6", logSize())
	}

	// Epoch 107 is missing but 108 is there: stele publishes 106 and exits
	// 3, the wrapper logs it and stays quiet — until it has happened twice
	// in a row.
	w.gen(t, "bucket", "-epochs", "3", "-updates", "5")
	os.Rename(w.path("proofs", "bucket", "107"), w.path("held-107"))
	runFetch()
	runCron(0, true)
	if !strings.Contains(readFile(log), "exit=3 {") || readFile(pages) != "" || logSize() != 7 {
		t.Errorf("an incomplete run paged, was not logged or did not publish 106: size %d, pages %q, log %q", logSize(), readFile(pages), readFile(log))
	}
	if r := runCron(0, false); !strings.Contains(r.stderr, "2 runs in a row") || !strings.Contains(readFile(pages), "2 runs in a row") {
		t.Errorf("two incomplete runs in a row should page: %s\npages %q", r, readFile(pages))
	}
	os.Rename(w.path("held-107"), w.path("proofs", "bucket", "107"))
	runFetch()
	runCron(0, true)
	if _, err := os.Stat(log + ".incomplete"); !errors.Is(err, fs.ErrNotExist) || logSize() != 9 {
		t.Errorf("a complete run should end the streak: %v, log size %d", err, logSize())
	}

	// A configuration error pages and exits 2, naming the problem.
	os.Chmod(w.path("stele.key"), 0o644)
	os.Remove(pages)
	if r := runCron(exitUsage, false); !strings.Contains(r.stderr, "configuration error") || !strings.Contains(r.stderr, "group or others") {
		t.Errorf("a key others can read: %s", r)
	}
	if !strings.Contains(readFile(pages), "exit 2") {
		t.Errorf("exit 2 did not page: %q", readFile(pages))
	}
	os.Chmod(w.path("stele.key"), 0o600)

	// A violation pages and exits 1.
	keys := w.gen(t, "bucket", "-epochs", "1", "-updates", "5")
	p := w.path("proofs", "bucket", filepath.FromSlash(keys[0]))
	b, _ := os.ReadFile(p)
	b[len(b)-1] ^= 1
	os.WriteFile(p, b, 0o644)
	runFetch()
	if r := runCron(exitViolation, false); !strings.Contains(r.stderr, "VIOLATION") || !strings.Contains(readFile(pages), "exit 1") {
		t.Errorf("a violation: %s\npages %q", r, readFile(pages))
	}
}
