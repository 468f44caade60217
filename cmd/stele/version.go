package main

import (
	"context"
	"fmt"
	"runtime/debug"
)

// version is set at build time with -ldflags "-X main.version=..."; when
// empty the module's build information is used.
var version = ""

func init() {
	register("version", "print stele's version", func(ctx context.Context, e *env, args []string) int {
		fs := newFlags(e, "version", "")
		if _, code, ok := parseFlags(e, fs, args); !ok {
			return code
		}
		v := version
		if v == "" {
			v = "devel"
			if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
				v = bi.Main.Version
			}
		}
		fmt.Fprintf(e.stdout, "stele %s\n", v)
		return exitOK
	})
}
