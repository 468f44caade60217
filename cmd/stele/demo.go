package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func init() {
	register("demo", "simulated directories -> publish twice -> verify -> serve, all local", runDemo)
}

// demoMarker marks a directory made by stele demo, which it may recreate.
const demoMarker = ".stele-demo"

// runDemo runs the whole pipeline on this machine with no network: two
// simulated AKD directories (one per configuration), a key, a first
// publish run, new epochs, a second run that picks them up, an offline
// verification of the site, and the site served over HTTP.
func runDemo(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "demo", "[-dir DIR] [-addr 127.0.0.1:8080] [-serve=false]")
	dir := fs.String("dir", "demo", "`DIR`ectory to (re)create for the demo")
	addr := fs.String("addr", "127.0.0.1:8080", "where to serve the site")
	serve := fs.Bool("serve", true, "serve the site when done")
	pos, code, ok := parseFlags(e, fs, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return usageError(fs, "unexpected argument %q", pos[0])
	}
	if err := prepareDemoDir(*dir); err != nil {
		fmt.Fprintf(e.stderr, "stele demo: %v\n", err)
		return exitUsage
	}
	say := func(format string, a ...any) { fmt.Fprintf(e.stdout, "== "+format+"\n", a...) }
	step := func(args ...string) (string, int) {
		var out bytes.Buffer
		code := run(ctx, &env{stdin: strings.NewReader(""), stdout: &out, stderr: e.stderr}, args)
		return out.String(), code
	}
	wa, ex := filepath.Join(*dir, "proofs", "whatsapp"), filepath.Join(*dir, "proofs", "experimental")
	key, cfg, site := filepath.Join(*dir, "stele.key"), filepath.Join(*dir, "stele.yaml"), filepath.Join(*dir, "site")

	say("simulated key directories: %s (whatsapp_v1) and %s (experimental)", wa, ex)
	for _, gen := range [][]string{
		{"akd", "gen", "-dir", wa, "-config", "whatsapp_v1", "-users", "2000", "-start", "722600", "-epochs", "30", "-updates", "40"},
		{"akd", "gen", "-dir", ex, "-config", "experimental", "-domain", "ExampleLabel", "-users", "500", "-epochs", "12", "-updates", "10"},
	} {
		if _, code := step(gen...); code != exitOK {
			return code
		}
	}
	vkey, code := step("keygen", "-o", key, "-name", "demo.stele.example/kt")
	if code != exitOK {
		return code
	}
	vkey = strings.TrimSpace(vkey)
	say("auditor key: %s", vkey)
	if err := writeDemoConfig(cfg, wa, ex); err != nil {
		fmt.Fprintf(e.stderr, "stele demo: %v\n", err)
		return exitIncomplete
	}
	say("publish, first run (config %s)", cfg)
	if _, code := step("publish", "-c", cfg, "-q"); code != exitOK {
		return code
	}
	say("the directories publish new epochs")
	for _, gen := range [][]string{{"akd", "gen", "-dir", wa, "-epochs", "10", "-updates", "40"}, {"akd", "gen", "-dir", ex, "-epochs", "4", "-updates", "10"}} {
		if _, code := step(gen...); code != exitOK {
			return code
		}
	}
	say("publish, second run: picks up only the new epochs")
	if _, code := step("publish", "-c", cfg, "-q"); code != exitOK {
		return code
	}
	say("verify the site offline: checkpoints, every tile and record, every Plexi signature")
	out, code := step("verify", site, "-vkey", vkey, "-state", "none") // a demo leaves no state behind
	fmt.Fprint(e.stdout, out)
	if code != exitOK {
		return code
	}
	if !*serve {
		return exitOK
	}
	say("serving %s at http://%s/ (Ctrl-C to stop). Try:", site, *addr)
	fmt.Fprintf(e.stdout, "   http://%s/namespaces                    Plexi's namespace list\n", *addr)
	fmt.Fprintf(e.stdout, "   http://%s/namespaces/whatsapp/audits/722630   one epoch's signature\n", *addr)
	fmt.Fprintf(e.stdout, "   http://%s/logs/whatsapp/checkpoint      the log's signed checkpoint\n", *addr)
	fmt.Fprintf(e.stdout, "   stele verify http://%s -vkey %s\n", *addr, vkey)
	return runServe(ctx, e, []string{site, "-addr", *addr})
}

// prepareDemoDir empties a directory an earlier demo made, or creates a new
// one; it refuses to touch anything else.
func prepareDemoDir(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return err
	case len(entries) == 0:
	default:
		if _, err := os.Stat(filepath.Join(dir, demoMarker)); err != nil {
			return fmt.Errorf("%s exists and was not made by stele demo; choose another -dir", dir)
		}
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, demoMarker), []byte("made by stele demo; the next demo run replaces this directory\n"), 0o644)
}

func writeDemoConfig(path, wa, ex string) error {
	root := func(dir string) (string, error) {
		b, err := os.ReadFile(filepath.Join(dir, "root"))
		return strings.TrimSpace(string(b)), err
	}
	waRoot, err := root(wa)
	if err != nil {
		return err
	}
	exRoot, err := root(ex)
	if err != nil {
		return err
	}
	cfg := fmt.Sprintf(`# Written by stele demo. See stele.example.yaml for every setting.
origin: demo.stele.example/kt
site: ./site
key: ./stele.key
time_budget: 2m
namespaces:
  - name: whatsapp
    source: ./proofs/whatsapp
    configuration: whatsapp_v1
    root: %q
  - name: experimental
    source: ./proofs/experimental
    configuration: experimental
    domain: ExampleLabel
    root: %q
    ciphersuite: 2
`, waRoot, exRoot)
	return os.WriteFile(path, []byte(cfg), 0o644)
}
