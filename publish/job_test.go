package publish_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"stele/akd"
	"stele/akdsim"
	"stele/checkpoint"
	"stele/layout"
	"stele/publish"
	"stele/record"
	"stele/source"
	"stele/store"
	"stele/store/storefault"
	"stele/verify"
)

// The fixture of the job tests: a site directory, simulated AKD
// directories as proof sources, and a fixed clock.

const jobOrigin = "kt.example.test/stele"

var jobNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// nsSpec is one simulated namespace.
type nsSpec struct {
	name, config, domain string
	ciphersuite          uint32
	start, seed          uint64
	users, updates       int
}

// The two configurations, so that both hashing paths and both Plexi
// serialisations run.
var (
	specWA = nsSpec{name: "wa", config: akd.NameWhatsAppV1, ciphersuite: 1, start: 700, seed: 1, users: 24, updates: 3}
	specEX = nsSpec{name: "ex", config: akd.NameExperimental, domain: "ExampleLabel", ciphersuite: 2, start: 0, seed: 2, users: 16, updates: 2}
)

func (sp nsSpec) akdConfig(t testing.TB) akd.Config {
	t.Helper()
	c, err := akd.ParseConfig(sp.config, sp.domain)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// genSource writes (or extends) the simulated directory of sp in dir.
func genSource(t testing.TB, dir string, sp nsSpec, epochs int) akdsim.Summary {
	t.Helper()
	sum, err := akdsim.Extend(dir, akdsim.Params{Config: sp.akdConfig(t), Seed: sp.seed, Start: sp.start, Users: sp.users}, epochs, sp.updates)
	if err != nil {
		t.Fatalf("generating %s: %v", sp.name, err)
	}
	return sum
}

// jobSite is one site and its namespaces' sources.
type jobSite struct {
	t        testing.TB
	dir      string
	signer   *checkpoint.Signer
	verifier *checkpoint.Verifier
	specs    []nsSpec
	src      map[string]string // namespace -> proof directory
	// cfg is the configuration every run starts from (validated per run, so
	// tests may change it between runs).
	cfg    publish.Config
	now    time.Time
	logger *slog.Logger
}

// newJobSite generates epochs epochs for each namespace and an empty site.
func newJobSite(t testing.TB, epochs int, specs ...nsSpec) *jobSite {
	t.Helper()
	src := map[string]string{}
	for _, sp := range specs {
		dir := filepath.Join(t.TempDir(), sp.name)
		genSource(t, dir, sp, epochs)
		src[sp.name] = dir
	}
	return newJobSiteFrom(t, src, specs...)
}

// newJobSiteFrom makes an empty site publishing the given sources.
func newJobSiteFrom(t testing.TB, src map[string]string, specs ...nsSpec) *jobSite {
	t.Helper()
	s := &jobSite{t: t, dir: t.TempDir(), signer: newSigner(t, jobOrigin), specs: specs, src: src, now: jobNow}
	v, err := checkpoint.NewVerifier(s.signer.VerifierKey())
	if err != nil {
		t.Fatal(err)
	}
	s.verifier = v
	s.cfg = publish.Config{Origin: jobOrigin, Site: s.dir, Key: "unused.key", Workers: 2}
	for _, sp := range specs {
		s.cfg.Namespaces = append(s.cfg.Namespaces, publish.Namespace{
			Name: sp.name, Source: src[sp.name], Configuration: sp.config, Domain: sp.domain,
			Root: s.rootOf(sp.name).String(), Ciphersuite: sp.ciphersuite,
		})
	}
	if tt, ok := t.(*testing.T); ok {
		s.logger = slog.New(slog.NewTextHandler(tlogWriter{tt}, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	return s
}

// tlogWriter routes a logger to the test's log.
type tlogWriter struct{ t *testing.T }

func (w tlogWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// rootOf is the anchor the simulated directory of ns wrote.
func (s *jobSite) rootOf(ns string) publish.Anchor {
	s.t.Helper()
	b, err := os.ReadFile(filepath.Join(s.src[ns], "root"))
	if err != nil {
		s.t.Fatal(err)
	}
	a, err := publish.ParseAnchor(strings.TrimSpace(string(b)))
	if err != nil {
		s.t.Fatal(err)
	}
	return a
}

func (s *jobSite) spec(ns string) nsSpec {
	for _, sp := range s.specs {
		if sp.name == ns {
			return sp
		}
	}
	s.t.Fatalf("no namespace %s", ns)
	return nsSpec{}
}

// nsConfig returns the configuration of ns, to change it for later runs.
func (s *jobSite) nsConfig(ns string) *publish.Namespace {
	for i := range s.cfg.Namespaces {
		if s.cfg.Namespaces[i].Name == ns {
			return &s.cfg.Namespaces[i]
		}
	}
	s.t.Fatalf("no namespace %s", ns)
	return nil
}

// extend adds epochs to every namespace's source.
func (s *jobSite) extend(epochs int) {
	s.t.Helper()
	for _, sp := range s.specs {
		genSource(s.t, s.src[sp.name], sp, epochs)
	}
}

// openStore opens the site directory; it is closed when the test ends.
func (s *jobSite) openStore() *store.Dir {
	s.t.Helper()
	return openDirStore(s.t, s.dir)
}

func openDirStore(t testing.TB, dir string) *store.Dir {
	t.Helper()
	d, err := store.NewDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// config is a validated copy of s.cfg.
func (s *jobSite) config() publish.Config {
	s.t.Helper()
	cfg := s.cfg
	cfg.Namespaces = slices.Clone(s.cfg.Namespaces)
	if err := cfg.Validate(); err != nil {
		s.t.Fatal(err)
	}
	return cfg
}

// run runs the job once on the site directory with the fixture's clock.
func (s *jobSite) run() publish.Summary {
	s.t.Helper()
	d := s.openStore()
	defer d.Close()
	return s.runOn(d, s.now, publish.Options{})
}

// runOn runs the job once on st at the time now; opts.Now and a missing
// Logger are filled in.
func (s *jobSite) runOn(st store.Store, now time.Time, opts publish.Options) publish.Summary {
	s.t.Helper()
	opts.Now = func() time.Time { return now }
	if opts.Logger == nil {
		opts.Logger = s.logger
	}
	job, err := publish.NewJob(s.config(), st, s.signer, opts)
	if err != nil {
		s.t.Fatal(err)
	}
	return job.Run(context.Background())
}

// nsSum returns the summary of ns.
func nsSum(t testing.TB, sum publish.Summary, ns string) publish.NamespaceSummary {
	t.Helper()
	for _, n := range sum.Namespaces {
		if n.Name == ns {
			return n
		}
	}
	t.Fatalf("no summary for %s in %+v", ns, sum)
	return publish.NamespaceSummary{}
}

// wantResult fails the test unless ns ended with result and the run with
// exit code.
func wantResult(t testing.TB, sum publish.Summary, ns, result string, code int) publish.NamespaceSummary {
	t.Helper()
	n := nsSum(t, sum, ns)
	if n.Result != result || sum.ExitCode != code {
		t.Fatalf("%s: result %q (exit %d), want %q (exit %d); error: %s", ns, n.Result, sum.ExitCode, result, code, n.Error)
	}
	return n
}

// published is what an independent verifier finds in one log.
type published struct {
	res  verify.Result
	recs []*record.Record
	raw  [][]byte
}

// check verifies the log of ns as `stele verify` would, with record
// checks, and returns its records.
func (s *jobSite) check(st store.Store, ns string) published {
	s.t.Helper()
	var p published
	p.res = verify.Log(context.Background(), store.Sub(st, layout.LogPrefix(ns)), []*checkpoint.Verifier{s.verifier}, verify.Options{
		Records: true,
		Entry: func(i int64, e []byte) error {
			rec, err := record.Parse(e)
			if err != nil {
				return err
			}
			p.raw = append(p.raw, bytes.Clone(e))
			p.recs = append(p.recs, rec)
			return nil
		},
	})
	if p.res.Err != nil {
		s.t.Fatalf("verifying %s: %v", ns, p.res.Err)
	}
	return p
}

// shape writes records as "anchor:700 verified:701 ...".
func shape(recs []*record.Record) string {
	var b strings.Builder
	for i, r := range recs {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s:%d", r.Kind, r.Epoch)
	}
	return b.String()
}

// chain describes the records of a log that is the anchor and then every
// epoch from the anchor's to last, verified.
func chain(anchor, last uint64) string {
	parts := []string{fmt.Sprintf("anchor:%d", anchor)}
	for e := anchor + 1; e <= last; e++ {
		parts = append(parts, fmt.Sprintf("verified:%d", e))
	}
	return strings.Join(parts, " ")
}

// sourceKey returns the name and bytes of the one proof object of epoch e.
func (s *jobSite) sourceKey(ns string, e uint64) (source.Key, []byte) {
	s.t.Helper()
	matches, err := filepath.Glob(filepath.Join(s.src[ns], fmt.Sprint(e), "*", "*"))
	if err != nil || len(matches) != 1 {
		s.t.Fatalf("%s epoch %d: %d proof objects (%v)", ns, e, len(matches), err)
	}
	rel, _ := filepath.Rel(s.src[ns], matches[0])
	k, err := source.ParseKey(filepath.ToSlash(rel))
	if err != nil {
		s.t.Fatal(err)
	}
	b, err := os.ReadFile(matches[0])
	if err != nil {
		s.t.Fatal(err)
	}
	return k, b
}

func (s *jobSite) proofPath(ns string, k source.Key) string {
	return filepath.Join(s.src[ns], filepath.FromSlash(k.String()))
}

// wantLog checks that the log of ns holds exactly the records described by
// want, that every record is the source's (digests, proof names, sizes and
// hashes) and that every signed record's Plexi audit object is published.
func (s *jobSite) wantLog(st store.Store, ns, want string) published {
	s.t.Helper()
	p := s.check(st, ns)
	if got := shape(p.recs); got != want {
		s.t.Fatalf("%s holds\n\t%s\nwant\n\t%s", ns, got, want)
	}
	if p.res.Size != int64(len(p.recs)) {
		s.t.Fatalf("%s: checkpoint size %d, %d records", ns, p.res.Size, len(p.recs))
	}
	sp := s.spec(ns)
	pub := s.signer.PublicKey()
	for _, r := range p.recs {
		if r.Configuration != sp.config || r.Domain != sp.domain {
			s.t.Errorf("%s epoch %d: configuration %s %q", ns, r.Epoch, r.Configuration, r.Domain)
		}
		if r.Kind == record.KindVerified {
			k, data := s.sourceKey(ns, r.Epoch)
			sum := sha256.Sum256(data)
			if r.PreviousDigest != hex.EncodeToString(k.Prev[:]) || r.Digest != hex.EncodeToString(k.Cur[:]) ||
				len(r.Proofs) != 1 || r.Proofs[0] != (record.Proof{Name: k.String(), Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}) {
				s.t.Errorf("%s epoch %d: the record does not describe the source's proof %s", ns, r.Epoch, k)
			}
		}
		if r.Signature == nil {
			continue
		}
		if r.Signature.Ciphersuite != sp.ciphersuite {
			s.t.Errorf("%s epoch %d: ciphersuite %d", ns, r.Epoch, r.Signature.Ciphersuite)
		}
		o, err := st.Get(context.Background(), layout.Audit(ns, r.Epoch))
		if err != nil {
			s.t.Errorf("%s epoch %d: audit object: %v", ns, r.Epoch, err)
			continue
		}
		resp, err := record.ParseSignatureResponse(bytes.TrimSuffix(o.Data, []byte("\n")))
		if err != nil {
			s.t.Errorf("%s epoch %d: audit object: %v", ns, r.Epoch, err)
			continue
		}
		if resp.Epoch != r.Epoch || hex.EncodeToString(resp.Digest) != r.Digest || resp.Timestamp != r.Signature.Timestamp || resp.Verify(pub) != nil {
			s.t.Errorf("%s epoch %d: the audit object does not match the record", ns, r.Epoch)
		}
	}
	return p
}

// snapshot reads every file of the site tree except the store's
// temporary files.
func snapshot(t testing.TB, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if rel == ".stele/tmp" {
				return filepath.SkipDir
			}
			return nil
		}
		b, err := os.ReadFile(p)
		files[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// changed lists the files that differ between two snapshots.
func changed(before, after map[string]string) []string {
	var out []string
	for k, v := range after {
		if old, ok := before[k]; !ok || old != v {
			out = append(out, k)
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// leaseFiles are the files a run may change when it has nothing to do:
// each namespace's lease and its metadata sidecar.
func leaseFiles(ns ...string) []string {
	var out []string
	for _, n := range ns {
		out = append(out, ".stele/meta/logs/"+n+"/lock", "logs/"+n+"/lock")
	}
	slices.Sort(out)
	return out
}

func TestJobPublishAndVerify(t *testing.T) {
	s := newJobSite(t, 6, specWA, specEX)
	sum := s.run()
	if sum.ExitCode != 0 {
		t.Fatalf("exit %d: %+v", sum.ExitCode, sum)
	}
	st := s.openStore()
	for _, sp := range s.specs {
		n := wantResult(t, sum, sp.name, publish.ResultOK, 0)
		a := s.rootOf(sp.name)
		if n.Status != "online" || n.EpochsVerified != 6 || n.FirstEpoch == nil || *n.FirstEpoch != a.Epoch+1 ||
			*n.LastEpoch != a.Epoch+6 || n.LogSize != 7 || n.Violations != 0 || n.Unchecked != 0 || n.BytesRead == 0 {
			t.Errorf("%s summary: %+v", sp.name, n)
		}
		p := s.wantLog(st, sp.name, chain(a.Epoch, a.Epoch+6))
		if p.res.Status != verify.StatusOnline {
			t.Errorf("%s: status %s", sp.name, p.res.Status)
		}
		// The anchor is entry 0, as configured.
		if p.recs[0].Digest != hex.EncodeToString(a.Digest[:]) {
			t.Errorf("%s: entry 0 is %s, want the root %s", sp.name, p.recs[0].Digest, a)
		}
		// The checkpoint is archived and listed in the history.
		if _, err := st.Get(t.Context(), layout.LogPrefix(sp.name)+layout.ArchivedCheckpoint(7)); err != nil {
			t.Errorf("%s: archived checkpoint: %v", sp.name, err)
		}
	}
}

// A run with nothing new writes only the leases: two writes per
// namespace (take and release), and no other object changes.
func TestJobNothingNew(t *testing.T) {
	s := newJobSite(t, 4, specWA, specEX)
	if sum := s.run(); sum.ExitCode != 0 {
		t.Fatalf("first run: %+v", sum)
	}
	before := snapshot(t, s.dir)
	sum := s.run()
	for _, sp := range s.specs {
		n := wantResult(t, sum, sp.name, publish.ResultOK, 0)
		if n.ObjectsWritten != 2 || n.EpochsVerified != 0 || n.LogSize != 5 {
			t.Errorf("%s: %d objects written, %d epochs, size %d; want 2, 0, 5", sp.name, n.ObjectsWritten, n.EpochsVerified, n.LogSize)
		}
	}
	if got, want := changed(before, snapshot(t, s.dir)), leaseFiles("ex", "wa"); !slices.Equal(got, want) {
		t.Errorf("changed files %q, want only the leases %q", got, want)
	}
}

// New epochs are picked up by the next run, from where the log ends.
func TestJobNewEpochs(t *testing.T) {
	s := newJobSite(t, 3, specWA, specEX)
	if sum := s.run(); sum.ExitCode != 0 {
		t.Fatalf("first run: %+v", sum)
	}
	s.extend(5)
	sum := s.run()
	st := s.openStore()
	for _, sp := range s.specs {
		a := s.rootOf(sp.name)
		n := wantResult(t, sum, sp.name, publish.ResultOK, 0)
		if n.EpochsVerified != 5 || *n.FirstEpoch != a.Epoch+4 || *n.LastEpoch != a.Epoch+8 || n.LogSize != 9 {
			t.Errorf("%s summary: %+v", sp.name, n)
		}
		s.wantLog(st, sp.name, chain(a.Epoch, a.Epoch+8))
	}
}

// flipLastByte corrupts a proof object in place: its last byte is part of
// an element's value, so the proof still decodes and proves other roots.
func flipLastByte(t testing.TB, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)-1] ^= 0x01
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// A proof that decodes but does not prove its step is evidence: the
// violation is appended, nothing after it, the namespace halts until the
// operator resumes it from a new anchor.
func TestJobViolationHaltResume(t *testing.T) {
	s := newJobSite(t, 8, specWA, specEX)
	a := s.rootOf("wa")
	bad := a.Epoch + 4
	k, data := s.sourceKey("wa", bad)
	flipLastByte(t, s.proofPath("wa", k))

	sum := s.run()
	n := wantResult(t, sum, "wa", publish.ResultViolation, 1)
	if n.Status != "halted" || n.Violations != 1 || n.EpochsVerified != 3 || n.LogSize != 5 {
		t.Errorf("summary: %+v", n)
	}
	wantResult(t, sum, "ex", publish.ResultOK, 1) // the other namespace is unaffected
	st := s.openStore()
	p := s.wantLog(st, "wa", chain(a.Epoch, bad-1)+fmt.Sprintf(" violation:%d", bad))
	if p.res.Status != verify.StatusHalted {
		t.Errorf("verify status %s, want halted", p.res.Status)
	}
	v := p.recs[len(p.recs)-1]
	corrupted := slices.Clone(data)
	corrupted[len(corrupted)-1] ^= 0x01
	sha := sha256.Sum256(corrupted)
	if v.Signature != nil || v.Reason == "" || v.ComputedPrevious == "" || v.ComputedDigest == "" ||
		v.Digest != hex.EncodeToString(k.Cur[:]) || v.PreviousDigest != hex.EncodeToString(k.Prev[:]) ||
		len(v.Proofs) != 1 || v.Proofs[0].SHA256 != hex.EncodeToString(sha[:]) || v.Proofs[0].Name != k.String() {
		t.Errorf("violation record: %+v", v)
	}
	if v.ComputedPrevious == v.PreviousDigest && v.ComputedDigest == v.Digest {
		t.Errorf("the computed roots are the claimed ones")
	}
	if _, err := st.Get(t.Context(), layout.Audit("wa", bad)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("an audit object for the violated epoch: %v", err)
	}

	// Halted: the next run appends nothing and still exits 1.
	before := snapshot(t, s.dir)
	sum = s.run()
	n = wantResult(t, sum, "wa", publish.ResultViolation, 1)
	if n.Status != "halted" || n.ObjectsWritten != 2 || n.LogSize != 5 {
		t.Errorf("halted run: %+v", n)
	}
	if got := changed(before, snapshot(t, s.dir)); !slices.Equal(got, leaseFiles("ex", "wa")) {
		t.Errorf("a halted run changed %q", got)
	}

	// The operator resumes from the directory's root after the bad epoch.
	resume := publish.Anchor{Epoch: bad, Digest: k.Cur}
	s.nsConfig("wa").Resume = resume.String()
	sum = s.run()
	n = wantResult(t, sum, "wa", publish.ResultOK, 0)
	last := a.Epoch + 8
	if n.Status != "online" || n.EpochsVerified != int(last-bad) || n.LogSize != 5+1+int64(last-bad) {
		t.Errorf("resumed run: %+v", n)
	}
	want := chain(a.Epoch, bad-1) + fmt.Sprintf(" violation:%d ", bad) + chain(bad, last)
	p = s.wantLog(st, "wa", want)
	if p.res.Status != verify.StatusOnline || p.recs[5].Digest != hex.EncodeToString(k.Cur[:]) {
		t.Errorf("after resume: status %s, anchor %+v", p.res.Status, p.recs[5])
	}
	// Resume is ignored once the log is online again.
	s.extend(1)
	sum = s.run()
	wantResult(t, sum, "wa", publish.ResultOK, 0)
	s.wantLog(st, "wa", want+fmt.Sprintf(" verified:%d", last+1))
}

// A missing proof object in the middle of the chain is not a violation
// and not the end of the directory: the run stops before it, says it could
// not check, and the next run continues once the object is back.
func TestJobMissingProof(t *testing.T) {
	s := newJobSite(t, 8, specWA)
	a := s.rootOf("wa")
	gap := a.Epoch + 5
	k, data := s.sourceKey("wa", gap)
	path := s.proofPath("wa", k)
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	sum := s.run()
	n := wantResult(t, sum, "wa", publish.ResultUnchecked, 3)
	if n.Unchecked != 1 || n.EpochsVerified != 4 || n.LogSize != 5 || !strings.Contains(n.Error, fmt.Sprint(gap)) {
		t.Errorf("summary: %+v", n)
	}
	st := s.openStore()
	s.wantLog(st, "wa", chain(a.Epoch, gap-1))

	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	sum = s.run()
	wantResult(t, sum, "wa", publish.ResultOK, 0)
	s.wantLog(st, "wa", chain(a.Epoch, a.Epoch+8))
}

// A proof that cannot be decoded is unchecked, never a violation.
func TestJobMalformedProof(t *testing.T) {
	s := newJobSite(t, 5, specEX)
	a := s.rootOf("ex")
	k, data := s.sourceKey("ex", a.Epoch+3)
	path := s.proofPath("ex", k)
	if err := os.WriteFile(path, data[:len(data)-7], 0o644); err != nil { // cut inside an element
		t.Fatal(err)
	}
	n := wantResult(t, s.run(), "ex", publish.ResultUnchecked, 3)
	if n.Violations != 0 || n.LogSize != 3 {
		t.Errorf("summary: %+v", n)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	wantResult(t, s.run(), "ex", publish.ResultOK, 0)
	s.wantLog(s.openStore(), "ex", chain(a.Epoch, a.Epoch+5))
}

// Two objects claiming one epoch are a violation whose record holds both.
func TestJobTwoObjects(t *testing.T) {
	s := newJobSite(t, 6, specEX)
	a := s.rootOf("ex")
	e := a.Epoch + 3
	k, data := s.sourceKey("ex", e)
	other := k
	other.Cur[0] ^= 0xff
	otherData := append(slices.Clone(data), 0) // not the same bytes either
	if err := os.MkdirAll(filepath.Dir(s.proofPath("ex", other)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.proofPath("ex", other), otherData, 0o644); err != nil {
		t.Fatal(err)
	}
	n := wantResult(t, s.run(), "ex", publish.ResultViolation, 1)
	if n.Violations != 1 || n.LogSize != 4 {
		t.Errorf("summary: %+v", n)
	}
	p := s.wantLog(s.openStore(), "ex", chain(a.Epoch, e-1)+fmt.Sprintf(" violation:%d", e))
	v := p.recs[len(p.recs)-1]
	proofs := map[string]record.Proof{}
	for _, obj := range []struct {
		k source.Key
		b []byte
	}{{k, data}, {other, otherData}} {
		sum := sha256.Sum256(obj.b)
		proofs[obj.k.String()] = record.Proof{Name: obj.k.String(), Size: int64(len(obj.b)), SHA256: hex.EncodeToString(sum[:])}
	}
	if len(v.Proofs) != 2 || v.Proofs[0].Name >= v.Proofs[1].Name || v.Proofs[0] != proofs[v.Proofs[0].Name] || v.Proofs[1] != proofs[v.Proofs[1].Name] {
		t.Errorf("violation proofs %+v, want both of %+v", v.Proofs, slices.Collect(maps.Values(proofs)))
	}
	if v.ComputedPrevious != "" || v.ComputedDigest != "" || !strings.Contains(v.Reason, "two") {
		t.Errorf("violation record: %+v", v)
	}
}

// A proof that does not start where the previous epoch ended breaks the
// chain: a violation, even though the proof itself verifies.
func TestJobChainBreak(t *testing.T) {
	s := newJobSite(t, 6, specWA)
	a := s.rootOf("wa")
	e := a.Epoch + 2
	k, _ := s.sourceKey("wa", e)
	moved := k
	moved.Prev[31] ^= 0x01
	if err := os.MkdirAll(filepath.Dir(s.proofPath("wa", moved)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(s.proofPath("wa", k), s.proofPath("wa", moved)); err != nil {
		t.Fatal(err)
	}
	n := wantResult(t, s.run(), "wa", publish.ResultViolation, 1)
	if n.LogSize != 3 {
		t.Errorf("summary: %+v", n)
	}
	p := s.wantLog(s.openStore(), "wa", chain(a.Epoch, e-1)+fmt.Sprintf(" violation:%d", e))
	v := p.recs[len(p.recs)-1]
	if v.PreviousDigest != hex.EncodeToString(moved.Prev[:]) || len(v.Proofs) != 1 || v.Proofs[0].Name != moved.String() {
		t.Errorf("violation record: %+v", v)
	}
}

// A root that is not where the directory's next proof starts is a
// configuration error, and nothing is written, not even the lease.
func TestJobAnchorMismatchOnEmptyLog(t *testing.T) {
	s := newJobSite(t, 3, specWA)
	wrong := s.rootOf("wa")
	wrong.Digest[0] ^= 0x80
	s.nsConfig("wa").Root = wrong.String()
	sum := s.run()
	n := wantResult(t, sum, "wa", publish.ResultConfig, 2)
	if n.LogSize != 0 || n.ObjectsWritten != 0 || !strings.Contains(n.Error, publish.ErrConfig.Error()) || n.Status != "initialization" {
		t.Errorf("summary: %+v", n)
	}
	if files := snapshot(t, s.dir); len(files) != 0 {
		t.Errorf("the site holds %q, want nothing", slices.Sorted(maps.Keys(files)))
	}
}

// A root that differs from a published log's entry 0 is a configuration
// error too; the log is left as it was.
func TestJobRootDiffersFromEntry0(t *testing.T) {
	s := newJobSite(t, 3, specWA)
	wantResult(t, s.run(), "wa", publish.ResultOK, 0)
	s.extend(2)
	before := snapshot(t, s.dir)
	for name, change := range map[string]func(a *publish.Anchor){
		"digest": func(a *publish.Anchor) { a.Digest[5] ^= 1 },
		"epoch":  func(a *publish.Anchor) { a.Epoch++ },
	} {
		a := s.rootOf("wa")
		change(&a)
		s.nsConfig("wa").Root = a.String()
		n := wantResult(t, s.run(), "wa", publish.ResultConfig, 2)
		if n.LogSize != 4 || n.EpochsVerified != 0 || n.Status != "online" {
			t.Errorf("%s: summary %+v, want the log's size and status", name, n)
		}
	}
	if got := changed(before, snapshot(t, s.dir)); !slices.Equal(got, leaseFiles("wa")) {
		t.Errorf("runs with a wrong root changed %q", got)
	}
}

func TestJobMaxEpochsPerRun(t *testing.T) {
	s := newJobSite(t, 10, specEX)
	s.nsConfig("ex").MaxEpochsPerRun = 4
	a := s.rootOf("ex")
	st := s.openStore()
	for i, last := range []uint64{4, 8, 10, 10} {
		n := wantResult(t, s.run(), "ex", publish.ResultOK, 0)
		if n.EpochsVerified != int(last-min(last, uint64(4*i))) {
			t.Errorf("run %d: %d epochs verified", i+1, n.EpochsVerified)
		}
		s.wantLog(st, "ex", chain(a.Epoch, a.Epoch+last))
	}
}

// stallingSource holds every proof of an epoch from stall on until its
// context ends: a source too slow for the time budget.
type stallingSource struct {
	source.Source
	stall uint64
}

func (s stallingSource) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	if k, err := source.ParseKey(name); err == nil && k.Epoch >= s.stall {
		<-ctx.Done()
		return nil, fmt.Errorf("stalled: %w", ctx.Err())
	}
	return s.Source.Open(ctx, name)
}

// When the time budget runs out the run publishes what it verified and
// succeeds; the next run continues.
func TestJobTimeBudget(t *testing.T) {
	s := newJobSite(t, 8, specWA)
	a := s.rootOf("wa")
	st := s.openStore()

	// A budget spent before anything is verified: the anchor only.
	s.cfg.TimeBudget.Duration = time.Nanosecond
	n := wantResult(t, s.run(), "wa", publish.ResultOK, 0)
	if n.EpochsVerified != 0 || n.LogSize != 1 {
		t.Errorf("tiny budget: %+v", n)
	}
	s.wantLog(st, "wa", chain(a.Epoch, a.Epoch))

	// A budget that runs out at epoch +4, stalled by the source.
	s.cfg.TimeBudget.Duration = 2 * time.Second
	stall := a.Epoch + 4
	opts := publish.Options{OpenSource: func(loc string) (source.Source, error) {
		src, err := source.Open(loc)
		return stallingSource{src, stall}, err
	}}
	d := s.openStore()
	n = wantResult(t, s.runOn(d, s.now, opts), "wa", publish.ResultOK, 0)
	d.Close()
	if n.EpochsVerified != 3 || n.Unchecked != 0 {
		t.Errorf("budget reached: %+v", n)
	}
	s.wantLog(st, "wa", chain(a.Epoch, stall-1))

	s.cfg.TimeBudget.Duration = 0
	wantResult(t, s.run(), "wa", publish.ResultOK, 0)
	s.wantLog(st, "wa", chain(a.Epoch, a.Epoch+8))
}

// Two publishers on one site at the same time, as two overlapping cron
// runs would be: for each namespace one of them appends, the other finds
// the lease held (or, later, nothing new), and the log never forks.
func TestJobConcurrentPublishers(t *testing.T) {
	s := newJobSite(t, 2, specWA, specEX)
	s.logger = nil // two jobs' logs interleaved say nothing
	total := 2
	outcomes := map[string]int{}
	for round := range 10 {
		if round > 0 {
			s.extend(1 + round%2)
			total += 1 + round%2
		}
		var sums [2]publish.Summary
		var wg sync.WaitGroup
		for i := range sums {
			// Different clocks: the two publishers' records differ in their
			// bytes, so a fork could not hide behind identical records.
			now := jobNow.Add(time.Duration(round)*time.Minute + time.Duration(i)*time.Millisecond)
			d := s.openStore()
			wg.Go(func() {
				defer d.Close()
				sums[i] = s.runOn(d, now, publish.Options{})
			})
		}
		wg.Wait()
		for _, sp := range s.specs {
			var appended int
			for i := range sums {
				n := nsSum(t, sums[i], sp.name)
				switch {
				case n.Result == publish.ResultOK && (n.EpochsVerified > 0 || n.ObjectsWritten > 2):
					appended++
					outcomes["appended"]++
				case n.Result == publish.ResultOK:
					outcomes["nothing new"]++
				case n.Result == publish.ResultUnchecked && strings.Contains(n.Error, publish.ErrLeaseHeld.Error()):
					outcomes["lease held"]++
				case n.Result == publish.ResultUnchecked && strings.Contains(n.Error, publish.ErrLostSwap.Error()):
					outcomes["lost swap"]++
				default:
					t.Fatalf("round %d, publisher %d, %s: %s: %s", round, i, sp.name, n.Result, n.Error)
				}
			}
			if appended != 1 {
				t.Fatalf("round %d, %s: %d publishers appended", round, sp.name, appended)
			}
			a := s.rootOf(sp.name)
			s.wantLog(s.openStore(), sp.name, chain(a.Epoch, a.Epoch+uint64(total)))
		}
	}
	t.Logf("outcomes: %v", outcomes)
}

// gatedStore holds the checkpoint swaps of one publisher until released.
type gatedStore struct {
	store.Store
	key     string
	reached chan struct{} // closed when the swap is held
	release chan struct{}
	once    sync.Once
}

func (g *gatedStore) Swap(ctx context.Context, key, etag string, data []byte, md store.Metadata) error {
	if key == g.key {
		g.once.Do(func() { close(g.reached) })
		<-g.release
	}
	return g.Store.Swap(ctx, key, etag, data, md)
}

// A publisher that stalls past its lease's expiry, just before its swap,
// is overtaken: the next one takes the lease and publishes. The first
// one's records are durable and visible by then (bundles are made durable
// before anything derived from them), so the second adopts them and
// publishes the checkpoint the first meant to, on an object store and on
// the directory store alike. The log holds every record once.
func TestJobLeaseTakeover(t *testing.T) {
	for _, backend := range []string{backendMem, backendDir} {
		t.Run(backend, func(t *testing.T) {
			s := newJobSite(t, 3, specWA)
			s.logger = nil
			// open returns a new client of the site.
			open := func() store.Store { return s.openStore() }
			if backend == backendMem {
				m := storefault.NewMem()
				open = func() store.Store { return m }
			}
			wantResult(t, s.runOn(open(), s.now, publish.Options{}), "wa", publish.ResultOK, 0)
			s.extend(4)
			a := s.rootOf("wa")

			slow := &gatedStore{Store: open(), key: layout.LogPrefix("wa") + publish.CheckpointKey,
				reached: make(chan struct{}), release: make(chan struct{})}
			done := make(chan publish.Summary)
			go func() { done <- s.runOn(slow, s.now, publish.Options{}) }()
			<-slow.reached

			later := s.now.Add(s.config().LeaseTTL.Duration + time.Second)
			n := wantResult(t, s.runOn(open(), later, publish.Options{}), "wa", publish.ResultOK, 0)
			if n.EpochsVerified != 4 {
				t.Errorf("the second publisher appended %d epochs, want 4", n.EpochsVerified)
			}
			close(slow.release)
			// The first publisher's bundles were durable, and so visible,
			// before its tiles: the second adopted its records and signed
			// the very checkpoint the first meant to, which the first finds
			// stored and is done.
			wantResult(t, <-done, "wa", publish.ResultOK, 0)
			p := s.wantLog(open(), "wa", chain(a.Epoch, a.Epoch+7))
			// The records are the first publisher's, as it signed them.
			signedAt := s.now.UnixMilli()
			for _, r := range p.recs[4:] {
				if r.Signature.Timestamp != signedAt {
					t.Errorf("epoch %d signed at %d, want %d", r.Epoch, r.Signature.Timestamp, signedAt)
				}
			}
			wantResult(t, s.runOn(open(), later, publish.Options{}), "wa", publish.ResultOK, 0)
		})
	}
}
