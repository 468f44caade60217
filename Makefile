# stele — build, run the demo, test, benchmark.
#
#   make run     build stele and run the demo: simulated directories, two publish runs, verify, serve
#   make test    every test (what CI runs)
#   make bench   the benchmarks (compare runs with benchstat)

GO      ?= go
BIN     := bin/stele
DEMO    ?= demo
ADDR    ?= 127.0.0.1:8080
PKGS    := ./...
# Packages whose tests start goroutines that meet; run under the race detector.
RACE_PKGS := ./store/... ./source/... ./tiles/... ./verify/... ./publish/... ./site/... ./mirror/... ./archive/... ./internal/... ./cmd/...

.PHONY: build run test test-race bench fuzz clean

build:
	$(GO) build -o $(BIN) ./cmd/stele

run: build
	$(BIN) demo -dir $(DEMO) -addr $(ADDR)

# The S3 tests start a real S3 server (versitygw, installed and cached by
# version by scripts/versitygw.sh; the first install builds it, a few minutes).
test: export STELE_VERSITYGW = $(shell scripts/versitygw.sh)
test:
	$(GO) vet $(PKGS)
	$(GO) test -count=1 $(PKGS)
	$(GO) test -count=1 -race -short $(RACE_PKGS)

bench:
	$(GO) test -run='^$$' -bench=. -benchmem -count=1 $(PKGS)

# Run each fuzz target for a short while (FUZZTIME=30s make fuzz).
FUZZTIME ?= 10s
fuzz:
	@for pkg in $$($(GO) list $(PKGS)); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run='^$$' -fuzz="^$$f$$" -fuzztime=$(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

clean:
	rm -rf bin $(DEMO)
