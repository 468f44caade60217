package main

import (
	"errors"
	"flag"
	"fmt"
)

// newFlags returns a FlagSet for a command whose usage line is synopsis.
// Output goes to the command's stderr; errors are returned, never exit.
func newFlags(e *env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet("stele "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: stele %s %s\n", name, synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args allowing flags before and after positional
// arguments (Go's flag package stops at the first positional one). "--"
// ends the flags. It returns the positional arguments, and ok=false with the
// exit code to use when parsing failed or -h was asked for (help goes to
// stdout and is success).
func parseFlags(e *env, fs *flag.FlagSet, args []string) (pos []string, code int, ok bool) {
	usage := fs.Usage
	fs.Usage = func() {} // the flag package calls it on errors; we print once, below
	defer func() { fs.Usage = usage }()
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(e.stdout)
			usage()
			return nil, exitOK, false
		}
		if err != nil {
			usage()
			return nil, exitUsage, false
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, 0, true
		}
		// fs.Parse consumed a "--" if that is what stopped it: everything
		// after it is positional.
		if len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), 0, true
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// usageError prints msg and the command's usage, and returns exitUsage.
func usageError(fs *flag.FlagSet, format string, a ...any) int {
	fmt.Fprintf(fs.Output(), "stele: "+format+"\n", a...)
	fs.Usage()
	return exitUsage
}
