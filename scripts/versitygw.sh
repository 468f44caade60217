#!/usr/bin/env bash
# Installs the pinned versitygw (an S3-compatible server over a POSIX
# directory) that the S3 tests start, and prints the binary's path on
# stdout. The binary is cached by version, so only the first run builds it:
#
#   export STELE_VERSITYGW="$(scripts/versitygw.sh)"
#
# The cache lives in $STELE_CACHE_DIR if set, else in the user's cache
# directory ($XDG_CACHE_HOME or ~/.cache) under stele/. Needs only the Go
# toolchain and the Go module proxy.
set -euo pipefail

version="${VERSITYGW_VERSION:-v1.8.0}"
cache="${STELE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/stele}"
dir="$cache/versitygw/$version"
bin="$dir/versitygw"

if [[ ! -x "$bin" ]]; then
	mkdir -p "$dir"
	tmp="$(mktemp -d "$dir/.install.XXXXXX")"
	trap 'rm -rf "$tmp"' EXIT
	echo "versitygw.sh: installing versitygw $version into $dir" >&2
	# Outside any module, so the project's go.mod is neither read nor changed.
	(cd "$tmp" && GOBIN="$tmp" GOFLAGS=-mod=mod GO111MODULE=on \
		go install "github.com/versity/versitygw/cmd/versitygw@$version") >&2
	mv -f "$tmp/versitygw" "$bin"
fi
echo "$bin"
