package s3test

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Fault is what a [Proxy] does to one request instead of (or besides)
// passing it on.
type Fault int

const (
	// Pass forwards the request untouched.
	Pass Fault = iota
	// InternalError answers 500 InternalError without forwarding.
	InternalError
	// SlowDown answers 503 SlowDown without forwarding.
	SlowDown
	// ResetBefore reads the request and resets the connection without
	// forwarding it: the server never acts.
	ResetBefore
	// ResetAfter forwards the request, lets the server answer, and resets
	// the connection instead of passing the answer on: the server acted,
	// the client cannot know.
	ResetAfter
	// Latency forwards the request after a delay.
	Latency
)

var faultNames = [...]string{"pass", "500", "503 SlowDown", "reset before", "reset after", "latency"}

func (f Fault) String() string {
	if int(f) < len(faultNames) {
		return faultNames[f]
	}
	return fmt.Sprintf("Fault(%d)", int(f))
}

// AllFaults are the faults a proxy injects by default.
var AllFaults = []Fault{InternalError, SlowDown, ResetBefore, ResetAfter, Latency}

// ProxyOptions configure a [Proxy].
type ProxyOptions struct {
	// Rate is the fraction of requests that get a fault, 0 to 1.
	Rate float64
	// Faults are drawn from uniformly (default AllFaults).
	Faults []Fault
	// Seed seeds the draws; the order of concurrent requests still varies.
	Seed uint64
	// Delay is the Latency fault's delay (default 20 ms); every request
	// also waits Jitter times a random fraction, to shuffle concurrent
	// requests.
	Delay, Jitter time.Duration
	// Only, when set, limits faults to the requests it accepts.
	Only func(r *http.Request) bool
}

// Proxy is a fault-injecting HTTP proxy on the loopback interface in front
// of one server: it forwards each request (keeping its Host header, so
// that signed S3 requests stay valid) or injects a fault instead.
type Proxy struct {
	// URL is the proxy's base URL, to use as the S3 endpoint.
	URL string

	srv       *httptest.Server
	target    string
	opts      ProxyOptions
	transport *http.Transport

	mu       sync.Mutex
	only     func(r *http.Request) bool
	rng      *rand.Rand
	counts   map[Fault]int
	inFlight atomic.Int64
	maxIn    atomic.Int64
}

// NewProxy starts a proxy in front of target (http://host:port) that lives
// as long as the test.
func NewProxy(t testing.TB, target string, opts ProxyOptions) *Proxy {
	t.Helper()
	if len(opts.Faults) == 0 {
		opts.Faults = AllFaults
	}
	if opts.Delay == 0 {
		opts.Delay = 20 * time.Millisecond
	}
	p := &Proxy{
		target:    strings.TrimRight(target, "/"),
		opts:      opts,
		rng:       rand.New(rand.NewPCG(opts.Seed, 0x57e1e)),
		counts:    map[Fault]int{},
		transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true},
	}
	p.only = opts.Only
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	p.URL = p.srv.URL
	t.Cleanup(func() {
		p.srv.CloseClientConnections()
		p.srv.Close()
		p.transport.CloseIdleConnections()
	})
	return p
}

// SetOnly replaces the filter of ProxyOptions.Only.
func (p *Proxy) SetOnly(only func(r *http.Request) bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.only = only
}

// Counts returns how many requests got each fault (Pass included).
func (p *Proxy) Counts() map[Fault]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	m := make(map[Fault]int, len(p.counts))
	for f, n := range p.counts {
		m[f] = n
	}
	return m
}

// Faults returns how many requests got a fault other than Pass.
func (p *Proxy) Faults() int {
	n := 0
	for f, c := range p.Counts() {
		if f != Pass {
			n += c
		}
	}
	return n
}

// MaxInFlight returns the most requests the proxy was handling at once.
func (p *Proxy) MaxInFlight() int { return int(p.maxIn.Load()) }

// draw picks the fate of one request.
func (p *Proxy) draw(r *http.Request) (Fault, time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f := Pass
	if (p.only == nil || p.only(r)) && p.rng.Float64() < p.opts.Rate {
		f = p.opts.Faults[p.rng.IntN(len(p.opts.Faults))]
	}
	p.counts[f]++
	var d time.Duration
	if p.opts.Jitter > 0 {
		d = time.Duration(p.rng.Int64N(int64(p.opts.Jitter)))
	}
	if f == Latency {
		d += p.opts.Delay
	}
	return f, d
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	n := p.inFlight.Add(1)
	defer p.inFlight.Add(-1)
	for {
		m := p.maxIn.Load()
		if n <= m || p.maxIn.CompareAndSwap(m, n) {
			break
		}
	}
	// The whole request is read first, so that a reset is seen by a
	// client waiting for its answer, not one still writing.
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	fault, delay := p.draw(r)
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	switch fault {
	case InternalError:
		s3Error(w, http.StatusInternalServerError, "InternalError", "We encountered an internal error. Please try again.")
		return
	case SlowDown:
		s3Error(w, http.StatusServiceUnavailable, "SlowDown", "Please reduce your request rate.")
		return
	case ResetBefore:
		reset(w)
		return
	}
	resp, err := p.forward(r, body)
	if err != nil {
		s3Error(w, http.StatusBadGateway, "BadGateway", err.Error())
		return
	}
	if fault == ResetAfter {
		reset(w)
		return
	}
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	w.WriteHeader(resp.StatusCode)
	w.Write(resp.body)
}

// response is an answer read in full from the target.
type response struct {
	*http.Response
	body []byte
}

func (p *Proxy) forward(r *http.Request, body []byte) (*response, error) {
	req, err := http.NewRequestWithContext(r.Context(), r.Method, p.target+r.URL.RequestURI(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header = r.Header.Clone()
	req.Host = r.Host
	req.ContentLength = int64(len(body))
	resp, err := p.transport.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return &response{Response: resp, body: b}, nil
}

// s3Error answers as S3 does when it fails.
func s3Error(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?><Error><Code>%s</Code><Message>%s</Message></Error>`, code, msg)
}

// reset closes the client's connection with a TCP reset.
func reset(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic("s3test: the proxy's response writer cannot hijack")
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}
