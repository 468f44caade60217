// Package s3test starts a real S3 server for stele's tests: versitygw over a
// temporary directory, one server per test binary, one fresh bucket per
// test. The S3 store, the S3 and HTTPS proof sources and the end-to-end
// publish and verify tests run against it (stele.md: "S3 locations", the
// https:// source, "Writing safely").
//
// # Finding the server
//
// The environment variable STELE_VERSITYGW names the versitygw binary; the
// project's scripts/versitygw.sh installs the pinned version and prints its
// path, and `make test` exports it. Without it, [Start] skips the test with
// a message saying so, unless CI=true is set: then a missing server fails
// the test, since continuous integration must run the S3 tests.
//
// # Use
//
//	func TestMain(m *testing.M) { os.Exit(s3test.Main(m)) }
//
//	func TestSomething(t *testing.T) {
//		srv := s3test.Start(t)
//		bucket := srv.NewBucket(t)
//		...
//	}
//
// Main runs the tests and stops the server afterwards; the server is only
// started by the first test that asks for it.
package s3test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// EnvBinary is the environment variable naming the versitygw binary.
const EnvBinary = "STELE_VERSITYGW"

// Version is the versitygw release the tests are written against, the one
// scripts/versitygw.sh installs.
const Version = "v1.8.0"

// Region is the region the server answers for.
const Region = "us-east-1"

// Server is a running S3 server. Its fields are read-only.
type Server struct {
	// Endpoint is the server's base URL, http://127.0.0.1:PORT.
	Endpoint string
	// AccessKey and SecretKey are the root user's credentials.
	AccessKey, SecretKey string

	cmd     *exec.Cmd
	dir     string
	exited  chan struct{}
	buckets atomic.Int64
	prefix  string // of bucket names, unique to this process
}

var (
	shared   *Server
	startErr error
	once     sync.Once
	mu       sync.Mutex
)

// Main runs the tests of m and then stops the server, if a test started
// one. Call it from TestMain.
func Main(m *testing.M) int {
	code := m.Run()
	mu.Lock()
	defer mu.Unlock()
	if shared != nil {
		shared.stop()
	}
	return code
}

// Start returns the package's server, starting it on first use. It skips
// the test when no server is configured (see the package documentation),
// and fails it when CI=true or when the configured server cannot start.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := os.Getenv(EnvBinary)
	if bin == "" {
		unavailable(t, EnvBinary+" is not set (run scripts/versitygw.sh and export "+EnvBinary+" with the path it prints)")
	}
	if _, err := os.Stat(bin); err != nil {
		unavailable(t, fmt.Sprintf("%s names %s, which is not there: %v", EnvBinary, bin, err))
	}
	once.Do(func() {
		mu.Lock()
		defer mu.Unlock()
		shared, startErr = start(bin)
	})
	if startErr != nil {
		t.Fatalf("s3test: starting versitygw: %v", startErr)
	}
	return shared
}

// unavailable skips the test, or fails it in continuous integration.
func unavailable(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("s3test: no S3 server, and CI=true requires one: %s", why)
	}
	t.Skipf("s3test: no S3 server for this test: %s", why)
}

// start runs versitygw on a free loopback port and waits until it answers.
func start(bin string) (*Server, error) {
	dir, err := os.MkdirTemp("", "stele-s3test-")
	if err != nil {
		return nil, err
	}
	var tag [4]byte
	rand.Read(tag[:])
	var lastErr error
	for range 5 { // the free port can be taken before the server binds it
		s := &Server{
			AccessKey: "stele-test-access",
			SecretKey: "stele-test-secret-" + hex.EncodeToString(tag[:]),
			dir:       dir,
			exited:    make(chan struct{}),
			prefix:    "stele-" + hex.EncodeToString(tag[:]),
		}
		if lastErr = s.run(bin); lastErr == nil {
			return s, nil
		}
	}
	os.RemoveAll(dir)
	return nil, lastErr
}

func (s *Server) run(bin string) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	data := filepath.Join(s.dir, "data")
	meta := filepath.Join(s.dir, "meta")
	for _, d := range []string{data, meta} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	addr := net.JoinHostPort("127.0.0.1", port)
	s.Endpoint = "http://" + addr
	logf, err := os.Create(filepath.Join(s.dir, "versitygw.log"))
	if err != nil {
		return err
	}
	defer logf.Close()
	s.cmd = exec.Command(bin, "--access", s.AccessKey, "--secret", s.SecretKey,
		"--port", addr, "--quiet", "posix", "--sidecar", meta, data)
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	s.cmd.SysProcAttr = sysProcAttr()
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("running %s: %w", bin, err)
	}
	go func() { s.cmd.Wait(); close(s.exited) }()
	// Any HTTP answer means the server is up.
	deadline := time.Now().Add(30 * time.Second)
	client := &http.Client{Timeout: time.Second}
	for {
		resp, err := client.Get(s.Endpoint + "/")
		if err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-s.exited:
			log, _ := os.ReadFile(logf.Name())
			return fmt.Errorf("versitygw exited before answering: %s", strings.TrimSpace(string(log)))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.stop()
			return fmt.Errorf("versitygw did not answer at %s: %w", s.Endpoint, err)
		}
	}
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	_, port, err := net.SplitHostPort(l.Addr().String())
	return port, err
}

// stop ends the server and removes its files.
func (s *Server) stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-s.exited:
		case <-time.After(5 * time.Second):
			s.cmd.Process.Kill()
			<-s.exited
		}
	}
	os.RemoveAll(s.dir)
}

// Client returns an S3 client for the server with the root user's
// credentials, path-style addressing and the SDK's default retries.
func (s *Server) Client() *s3.Client {
	return s3.New(s3.Options{
		Region:       Region,
		BaseEndpoint: aws.String(s.Endpoint),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
	})
}

// Config returns the AWS configuration that reaches the server with the
// root user's credentials (set BaseEndpoint and path style on the client).
func (s *Server) Config() aws.Config {
	return aws.Config{
		Region:      Region,
		Credentials: credentials.NewStaticCredentialsProvider(s.AccessKey, s.SecretKey, ""),
	}
}

// NewBucket creates a new empty bucket for the test and returns its name.
func (s *Server) NewBucket(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("%s-%d", s.prefix, s.buckets.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := s.Client().CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("s3test: creating bucket %s: %v", name, err)
	}
	return name
}

// URL returns the s3:// location of prefix in bucket on this server, in
// the form stele's configuration takes.
func (s *Server) URL(bucket, prefix string) string { return s.URLVia(s.Endpoint, bucket, prefix) }

// URLVia is URL with another endpoint, such as a [Proxy] in front of the
// server.
func (s *Server) URLVia(endpoint, bucket, prefix string) string {
	q := url.Values{"endpoint": {endpoint}, "region": {Region}, "use_path_style": {"true"}}
	return "s3://" + bucket + "/" + prefix + "?" + q.Encode()
}

// BucketURL returns the bucket's path-style HTTP URL, where anonymous
// readers reach it once [Server.MakePublic] has run.
func (s *Server) BucketURL(bucket string) string { return s.Endpoint + "/" + bucket }

// Env returns environment variables that give a child process the root
// user's credentials through the standard AWS chain, and nothing from the
// user's own AWS configuration.
func (s *Server) Env(t testing.TB) []string {
	none := filepath.Join(t.TempDir(), "no-aws-config")
	return []string{
		"AWS_ACCESS_KEY_ID=" + s.AccessKey,
		"AWS_SECRET_ACCESS_KEY=" + s.SecretKey,
		"AWS_REGION=" + Region,
		"AWS_CONFIG_FILE=" + none,
		"AWS_SHARED_CREDENTIALS_FILE=" + none,
		"AWS_EC2_METADATA_DISABLED=true",
	}
}

// MakePublic lets anyone read the bucket: a bucket policy granting
// s3:GetObject and s3:ListBucket to everyone, so that a missing key
// answers 404 rather than 403, as on a public bucket behind a CDN.
func (s *Server) MakePublic(t testing.TB, bucket string) {
	t.Helper()
	policy := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[`+
		`{"Effect":"Allow","Principal":"*","Action":["s3:GetObject"],"Resource":["arn:aws:s3:::%[1]s/*"]},`+
		`{"Effect":"Allow","Principal":"*","Action":["s3:ListBucket"],"Resource":["arn:aws:s3:::%[1]s"]}]}`, bucket)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := s.Client().PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket), Policy: aws.String(policy)})
	if err != nil {
		t.Fatalf("s3test: making bucket %s public: %v", bucket, err)
	}
}

// Running reports whether the server process is still running.
func (s *Server) Running() bool {
	select {
	case <-s.exited:
		return false
	default:
		return true
	}
}
