package s3e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
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

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"stele/internal/s3test"
)

func TestMain(m *testing.M) {
	code := s3test.Main(m)
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// The stele binary, built on first use.
var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

// steleBin builds the binary the first time and returns its path.
func steleBin(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "stele-s3e2e-"); binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "stele")
		if runtime.GOOS == "windows" {
			binPath += ".exe"
		}
		out, err := exec.Command("go", "build", "-o", binPath, "stele/cmd/stele").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("building stele: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

const origin = "kt.example.test/stele"

// world is one test's server, workspace and signing key.
type world struct {
	t    *testing.T
	srv  *s3test.Server
	dir  string
	bin  string
	key  string // signing key file
	vkey string // its verifier key
	env  []string
	// now, when set, fixes the publisher's clock (STELE_TEST_NOW).
	now string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test on S3: builds and runs the binary; skipped in -short mode")
	}
	srv := s3test.Start(t)
	w := &world{t: t, srv: srv, dir: t.TempDir(), bin: steleBin(t)}
	home := filepath.Join(w.dir, "home")
	os.MkdirAll(home, 0o755)
	// STELE_STATE=none: every verify here is a full one (a remembered
	// checkpoint would make a later verify check only new entries).
	w.env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + home, "TMPDIR=" + os.TempDir(), "STELE_STATE=none"}, srv.Env(t)...)
	w.key = filepath.Join(w.dir, "stele.key")
	r := w.run(nil, "keygen", "-o", w.key, "-name", origin)
	if r.code != 0 {
		t.Fatalf("keygen: %s", r)
	}
	w.vkey = strings.TrimSpace(r.stdout)
	return w
}

// result is how a run of the binary ended.
type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
}

// cmd returns the command running the binary with args and extra
// environment variables.
func (w *world) cmd(extra []string, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	c := exec.Command(w.bin, args...)
	c.Dir = w.dir
	c.Env = append(slices.Clone(w.env), extra...)
	if w.now != "" {
		c.Env = append(c.Env, "STELE_TEST_NOW="+w.now)
	}
	var out, errb bytes.Buffer
	c.Stdout, c.Stderr = &out, &errb
	return c, &out, &errb
}

func (w *world) run(extra []string, args ...string) result {
	w.t.Helper()
	c, out, errb := w.cmd(extra, args...)
	err := c.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			w.t.Fatalf("running stele %v: %v", args, err)
		}
		code = ee.ExitCode()
	}
	return result{code: code, stdout: out.String(), stderr: errb.String()}
}

// gen writes or extends the simulated directory of ns under proofs/ and
// returns its path.
func (w *world) gen(ns string, epochs int) string {
	w.t.Helper()
	dir := filepath.Join(w.dir, "proofs", ns)
	args := []string{"akd", "gen", "-dir", dir, "-epochs", strconv.Itoa(epochs), "-updates", "3"}
	if _, err := os.Stat(dir); err != nil {
		args = append(args, "-config", "whatsapp_v1", "-users", "16", "-start", "700", "-seed", strconv.Itoa(len(ns)))
	}
	if r := w.run(nil, args...); r.code != 0 {
		w.t.Fatalf("akd gen: %s", r)
	}
	return dir
}

// anchor is the root file of a simulated directory.
func (w *world) anchor(dir string) string {
	w.t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "root"))
	if err != nil {
		w.t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// upload copies the proof objects of a simulated directory into bucket
// under prefix (its bookkeeping files stay behind).
func (w *world) upload(dir, bucket, prefix string) {
	w.t.Helper()
	c := w.srv.Client()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") {
			return filepath.SkipDir
		}
		if d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(dir, path)
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		_, err = c.PutObject(w.t.Context(), &s3.PutObjectInput{
			Bucket: aws.String(bucket), Key: aws.String(prefix + filepath.ToSlash(rel)), Body: bytes.NewReader(data),
		})
		return err
	})
	if err != nil {
		w.t.Fatalf("uploading %s: %v", dir, err)
	}
}

// ns is one namespace of a configuration.
type ns struct {
	name, source, root string
	maxEpochs          int
}

// config writes a configuration and returns its path.
func (w *world) config(name, site string, nss ...ns) string {
	w.t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "origin: %s\nsite: %q\nkey: %q\ntime_budget: 2m\nworkers: 2\nnamespaces:\n", origin, site, w.key)
	for _, n := range nss {
		fmt.Fprintf(&b, "  - name: %s\n    source: %q\n    configuration: whatsapp_v1\n    root: %q\n", n.name, n.source, n.root)
		if n.maxEpochs > 0 {
			fmt.Fprintf(&b, "    max_epochs_per_run: %d\n", n.maxEpochs)
		}
	}
	path := filepath.Join(w.dir, name+".yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		w.t.Fatal(err)
	}
	return path
}

// summary is the part of publish's JSON summary the tests read.
type summary struct {
	ExitCode   int `json:"exit_code"`
	Namespaces []struct {
		Name           string           `json:"name"`
		Result         string           `json:"result"`
		EpochsVerified int              `json:"epochs_verified"`
		LogSize        int64            `json:"log_size"`
		Error          string           `json:"error"`
		Requests       map[string]int64 `json:"requests"`
		SourceRequests map[string]int64 `json:"source_requests"`
	} `json:"namespaces"`
}

// appended is how many epochs the run appended over all namespaces.
func (s summary) appended() int {
	n := 0
	for _, ns := range s.Namespaces {
		n += ns.EpochsVerified
	}
	return n
}

func parseSummary(t testing.TB, r result) summary {
	t.Helper()
	var s summary
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil {
		t.Fatalf("publish summary: %v\n%s", err, r)
	}
	return s
}

// publish runs `stele publish -c cfg -json` and wants one of the codes.
func (w *world) publish(cfg string, codes ...int) (summary, result) {
	w.t.Helper()
	r := w.run(nil, "publish", "-c", cfg, "-json", "-q")
	if !slices.Contains(codes, r.code) {
		w.t.Fatalf("publish: want exit %v, got %s", codes, r)
	}
	return parseSummary(w.t, r), r
}

// verifyLogs is the part of verify's JSON the tests read.
type verifyLogs struct {
	Logs []struct {
		Origin string `json:"origin"`
		Size   int64  `json:"size"`
		Result string `json:"result"`
		Error  string `json:"error"`
	} `json:"logs"`
}

// verify runs `stele verify target` and wants the code.
func (w *world) verify(target string, code int) verifyLogs {
	w.t.Helper()
	r := w.run(nil, "verify", target, "-vkey", w.vkey, "-json")
	if r.code != code {
		w.t.Fatalf("verify %s: want exit %d, got %s", target, code, r)
	}
	var v verifyLogs
	if err := json.Unmarshal([]byte(r.stdout), &v); err != nil {
		w.t.Fatalf("verify JSON: %v\n%s", err, r)
	}
	return v
}

// objects returns every object in bucket under prefix, key to bytes.
func (w *world) objects(bucket, prefix string) map[string][]byte {
	w.t.Helper()
	c := w.srv.Client()
	m := map[string][]byte{}
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	for p.HasMorePages() {
		page, err := p.NextPage(w.t.Context())
		if err != nil {
			w.t.Fatal(err)
		}
		for _, o := range page.Contents {
			k := aws.ToString(o.Key)
			m[strings.TrimPrefix(k, prefix)] = w.get(bucket, k)
		}
	}
	return m
}

func (w *world) get(bucket, key string) []byte {
	w.t.Helper()
	out, err := w.srv.Client().GetObject(w.t.Context(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		w.t.Fatalf("reading %s: %v", key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		w.t.Fatal(err)
	}
	return b
}

func (w *world) put(bucket, key string, data []byte) {
	w.t.Helper()
	_, err := w.srv.Client().PutObject(w.t.Context(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(data)})
	if err != nil {
		w.t.Fatalf("writing %s: %v", key, err)
	}
}

// checkpointOf parses the body of a checkpoint note: size and root hash.
func checkpointOf(t testing.TB, note []byte) (int64, [32]byte) {
	t.Helper()
	lines := strings.SplitN(string(note), "\n", 4)
	if len(lines) < 4 {
		t.Fatalf("checkpoint %q: too short", note)
	}
	size, err := strconv.ParseInt(lines[1], 10, 64)
	h, err2 := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || err2 != nil || len(h) != 32 {
		t.Fatalf("checkpoint %q: bad size or hash", note)
	}
	return size, [32]byte(h)
}
