#!/bin/sh
# The local demo behind `make run`: make a signing key, publish a small
# sample log into a local directory with two appends, verify it, and serve
# it. Needs no network. Environment: STELE (the binary), DEMO (the
# directory, recreated), ADDR (where to serve).
set -eu
STELE=${STELE:-bin/stele}
DEMO=${DEMO:-demo}
ADDR=${ADDR:-127.0.0.1:8080}
NAME=demo.stele.example/sample

rm -rf "$DEMO"
mkdir -p "$DEMO"
echo "== stele keygen: a signing key for $NAME"
VKEY=$("$STELE" keygen -o "$DEMO/stele.key" -name "$NAME")
echo "   verifier key: $VKEY"

echo "== stele append: 1000 entries, then 300 more, into $DEMO/log"
lines() { i=$1; while [ "$i" -lt "$2" ]; do echo "entry $i"; i=$((i+1)); done; }
lines 0 1000 | "$STELE" append -dir "$DEMO/log" -key "$DEMO/stele.key"
lines 1000 1300 | "$STELE" append -dir "$DEMO/log" -key "$DEMO/stele.key"

echo "== stele verify: checkpoint signature, every tile, every entry"
"$STELE" verify "$DEMO/log" -vkey "$VKEY"

echo "== stele serve: http://$ADDR/checkpoint (Ctrl-C to stop)"
echo "   then, from another shell: $STELE verify http://$ADDR -vkey '$VKEY'"
exec "$STELE" serve "$DEMO/log" -addr "$ADDR"
