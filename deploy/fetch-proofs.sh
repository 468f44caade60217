#!/bin/sh
# fetch-proofs.sh: copy the proof objects that the next `stele publish` run
# needs from a key directory's S3 bucket into a local directory.
#
# stele reads proofs from a local directory today; reading s3:// buckets and
# a bucket's public https:// listing directly is planned (then this script
# and the proofs volume go away: `source:` names the bucket).
#
# usage: fetch-proofs.sh BUCKET PROOFS SITE NAMESPACE ROOT_EPOCH [MAX_EPOCHS]
#
#   BUCKET      the directory's proof bucket, s3://NAME[/PREFIX]
#   PROOFS      the namespace's local source directory (its `source:`)
#   SITE        stele's site directory (its `site:`)
#   NAMESPACE   the namespace's name in the configuration
#   ROOT_EPOCH  the epoch of the namespace's `root:` (where a new log starts)
#   MAX_EPOCHS  epochs fetched per call (default 100; match max_epochs_per_run)
#
# It starts after the last epoch the published log holds (the epoch in the
# site's namespaces/NAMESPACE/last-verified-epoch), or after ROOT_EPOCH
# while nothing is published, and copies one epoch at a time (the objects
# under "<epoch>/", as stele lists them) until an epoch is not published yet
# or MAX_EPOCHS are copied, and then the epoch after a missing one, so that
# stele reports a gap rather than wait for it in silence. Objects are copied anonymously
# (--no-sign-request): the directories' proof buckets are public.
#
# Exit 0 when it copied what there was (possibly nothing); 3 when the copy
# failed (retry next time: stele then simply finds nothing new); 2 on bad
# usage. Needs the AWS CLI (v2), sed and POSIX sh.

set -u

if [ $# -lt 5 ] || [ $# -gt 6 ]; then
	echo "usage: fetch-proofs.sh BUCKET PROOFS SITE NAMESPACE ROOT_EPOCH [MAX_EPOCHS]" >&2
	exit 2
fi
bucket=${1%/}
proofs=$2
site=$3
ns=$4
root_epoch=$5
max=${6:-100}
AWS=${AWS:-aws}

last=
status=$site/namespaces/$ns/last-verified-epoch
if [ -f "$status" ]; then
	last=$(sed -n 's/.*"epoch":\([0-9][0-9]*\).*/\1/p' "$status")
fi
epoch=$((${last:-$root_epoch} + 1))

n=0
while [ "$n" -lt "$max" ]; do
	if ! "$AWS" s3 cp --recursive --no-sign-request --only-show-errors \
		"$bucket/$epoch/" "$proofs/$epoch/"; then
		echo "fetch-proofs.sh: copying epoch $epoch from $bucket failed" >&2
		exit 3
	fi
	if [ ! -d "$proofs/$epoch" ]; then
		# Nothing under the prefix: not published yet, or missing. Copy
		# the next epoch too: if it is there, stele sees the gap and
		# exits 3 instead of waiting quietly for an epoch that never comes.
		"$AWS" s3 cp --recursive --no-sign-request --only-show-errors \
			"$bucket/$((epoch + 1))/" "$proofs/$((epoch + 1))/" || true
		break
	fi
	epoch=$((epoch + 1))
	n=$((n + 1))
done
echo "fetch-proofs.sh: $ns: $n epochs copied, next $epoch"
