// Command stele audits key-transparency directories and publishes what it
// audited as static, tile-based transparency logs (C2SP tlog-tiles).
//
// Each subcommand lives in its own file; this file only dispatches. The
// design, formats and exit codes are in the project README.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"
)

// Exit codes, shared by every command (the spec's "Exit codes").
const (
	exitOK         = 0 // success; nothing new is success
	exitViolation  = 1 // a violation or a failed verification
	exitUsage      = 2 // bad usage or configuration
	exitIncomplete = 3 // could not complete: network, storage, lease, lost swap; retry
)

// env is what a command may touch besides its arguments.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// command is one subcommand. run gets the arguments after the command name
// and returns the process exit code.
type command struct {
	summary string
	run     func(ctx context.Context, e *env, args []string) int
}

// commands is filled by each command's file from init, so that adding a
// command touches no shared file.
var commands = map[string]command{}

func register(name, summary string, run func(ctx context.Context, e *env, args []string) int) {
	if _, dup := commands[name]; dup {
		panic("stele: command registered twice: " + name)
	}
	commands[name] = command{summary: summary, run: run}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr}, os.Args[1:])
	stop()
	os.Exit(code)
}

func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		usage(e.stderr)
		return exitUsage
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		usage(e.stdout)
		return exitOK
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "stele: unknown command %q\n", args[0])
		usage(e.stderr)
		return exitUsage
	}
	return c.run(ctx, e, args[1:])
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: stele <command> [flags] [arguments]")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-12s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'stele <command> -h' for a command's flags.")
	fmt.Fprintln(w, "Exit codes: 0 ok, 1 violation or failed verification, 2 bad usage, 3 could not complete (retry).")
}
