package main

import (
	"context"
	"fmt"
	"os"
	"strconv"

	"stele/layout"
	"stele/store"
	"stele/verify"
)

func init() {
	register("prove", "write a C2SP tlog-proof for one epoch's audit record", runProve)
	register("verify-proof", "check a tlog-proof offline and print its record", runVerifyProof)
}

func runProve(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "prove", "TARGET -n NAMESPACE -e EPOCH [-o FILE]")
	ns := fs.String("n", "", "`NAMESPACE`")
	epochFlag := fs.String("e", "", "`EPOCH`")
	out := fs.String("o", "", "write the proof to `FILE` (default: stdout)")
	pos, code, ok := parseFlags(e, fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		return usageError(fs, "want exactly one TARGET (a site directory or URL)")
	}
	if !layout.ValidNamespace(*ns) {
		return usageError(fs, "-n: %q is not a namespace name", *ns)
	}
	epoch, err := strconv.ParseUint(*epochFlag, 10, 64)
	if err != nil {
		return usageError(fs, "-e: %q is not an epoch", *epochFlag)
	}
	st, err := store.Open(pos[0])
	if err != nil {
		return usageError(fs, "%v", err)
	}
	doc, err := verify.Prove(ctx, st, *ns, epoch)
	if err != nil {
		fmt.Fprintf(e.stderr, "stele prove: %v\n", err)
		switch {
		case verify.IsNoEpoch(err):
			return exitUsage
		case verify.IsFailure(err):
			return exitViolation
		}
		return exitIncomplete
	}
	if *out == "" {
		e.stdout.Write(doc)
		return exitOK
	}
	if err := os.WriteFile(*out, doc, 0o644); err != nil {
		fmt.Fprintf(e.stderr, "stele prove: %v\n", err)
		return exitIncomplete
	}
	return exitOK
}

func runVerifyProof(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "verify-proof", "FILE -vkey KEY")
	var keys verifierList
	fs.Var(&keys, "vkey", "verifier `KEY` string, or @FILE (repeatable)")
	pos, code, ok := parseFlags(e, fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		return usageError(fs, "want exactly one FILE (- for standard input)")
	}
	if len(keys.keys) == 0 {
		return usageError(fs, "-vkey is required")
	}
	doc, err := readFileOrStdin(e, pos[0])
	if err != nil {
		fmt.Fprintf(e.stderr, "stele verify-proof: %v\n", err)
		return exitUsage
	}
	rec, c, err := verify.VerifyProof(doc, keys.keys)
	if err != nil {
		fmt.Fprintf(e.stderr, "stele verify-proof: FAILED: %v\n", err)
		return exitViolation
	}
	fmt.Fprintf(e.stderr, "stele verify-proof: ok: %s epoch %d (%s) is in %s\n", rec.Namespace, rec.Epoch, rec.Kind, c)
	line, _ := rec.Marshal()
	fmt.Fprintf(e.stdout, "%s\n", line)
	return exitOK
}

func readFileOrStdin(e *env, name string) ([]byte, error) {
	if name == "-" {
		var b []byte
		buf := make([]byte, 32<<10)
		for {
			n, err := e.stdin.Read(buf)
			b = append(b, buf[:n]...)
			if err != nil {
				return b, nil
			}
		}
	}
	return os.ReadFile(name)
}
