package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"

	"stele/checkpoint"
)

func init() {
	register("keygen", "create a signing key; print its verifier key", runKeygen)
}

func runKeygen(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "keygen", "-o FILE -name NAME")
	out := fs.String("o", "", "write the signing key to `FILE` (created with mode 0600, never overwritten)")
	name := fs.String("name", "", "key `NAME`: the base origin, e.g. kt.example.com/stele")
	pos, code, ok := parseFlags(e, fs, args)
	if !ok {
		return code
	}
	if len(pos) > 0 {
		return usageError(fs, "unexpected argument %q", pos[0])
	}
	if *out == "" || *name == "" {
		return usageError(fs, "-o and -name are required")
	}
	skey, vkey, err := checkpoint.GenerateKey(rand.Reader, *name)
	if err != nil {
		fmt.Fprintf(e.stderr, "stele keygen: %v\n", err)
		return exitUsage
	}
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		fmt.Fprintf(e.stderr, "stele keygen: %s already exists; refusing to overwrite a key\n", *out)
		return exitUsage
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "stele keygen: %v\n", err)
		return exitIncomplete
	}
	if _, err := fmt.Fprintln(f, skey); err != nil {
		f.Close()
		os.Remove(*out)
		fmt.Fprintf(e.stderr, "stele keygen: writing %s: %v\n", *out, err)
		return exitIncomplete
	}
	if err := f.Sync(); err == nil {
		err = f.Close()
	} else {
		f.Close()
	}
	if err != nil {
		os.Remove(*out)
		fmt.Fprintf(e.stderr, "stele keygen: writing %s: %v\n", *out, err)
		return exitIncomplete
	}
	fmt.Fprintln(e.stdout, vkey)
	return exitOK
}
