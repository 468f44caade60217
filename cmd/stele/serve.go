package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"stele/site"
	"stele/store"
)

func init() {
	register("serve", "serve a published directory as a static host would", runServe)
}

func runServe(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "serve", "DIR [-addr 127.0.0.1:8080]")
	addr := fs.String("addr", "127.0.0.1:8080", "listen `ADDRESS`")
	pos, code, ok := parseFlags(e, fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		return usageError(fs, "want exactly one DIR")
	}
	st, err := store.NewDir(pos[0])
	if err != nil {
		fmt.Fprintf(e.stderr, "stele serve: %v\n", err)
		return exitUsage
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintf(e.stderr, "stele serve: %v\n", err)
		return exitIncomplete
	}
	logger := slog.New(slog.NewTextHandler(e.stderr, nil))
	srv := &http.Server{Handler: site.Handler(st, logger), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(e.stderr, "stele serve: serving %s at http://%s/\n", pos[0], ln.Addr())
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(e.stderr, "stele serve: %v\n", err)
		return exitIncomplete
	}
	return exitOK
}
