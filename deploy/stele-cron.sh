#!/bin/sh
# stele-cron.sh: run `stele publish` once, from cron or any scheduler that
# only knows "the job printed something" or "the job failed", and turn
# stele's exit code into the right amount of noise.
#
#   exit  meaning                                   what this script does
#   0     success (nothing new is success too)      a log line; silent; exit 0
#   3     could not complete: network, storage,     a log line; silent; exit 0:
#         a held lease, a lost swap, a proof        the next run continues where
#         missing between published epochs          this one stopped. After
#                                                   STELE_MAX_INCOMPLETE such runs
#                                                   in a row it pages (an auditor
#                                                   that never completes has stopped
#                                                   auditing).
#   1     a violation (the evidence is now in       page; exit 1
#         the log) or a failed verification
#   2     configuration error: nothing was          page; exit 2
#         published
#
# "Page" means: print the message and stele's errors on stderr (cron mails a
# job's output to MAILTO), and run STELE_PAGE with the message as its one
# argument when it is set (a script that calls your paging service).
#
# Settings, from the environment (crontab VAR=value lines set them):
#   STELE                 the stele binary              (default: stele on PATH)
#   STELE_CONFIG          the configuration             (default: /etc/stele/stele.yaml)
#   STELE_LOG             where every run is logged: one line with the exit code and
#                         the JSON summary, then stele's warnings and errors
#                         (default: $HOME/.local/state/stele/publish.log)
#   STELE_PAGE            a command to page with        (default: none, stderr only)
#   STELE_MAX_INCOMPLETE  exit-3 runs in a row before paging; 0 never pages
#                         (default: 12, an hour of 5-minute runs)
#
# POSIX sh; needs only mkdir, mktemp, date, cat and sed.

set -u

STELE=${STELE:-stele}
CONFIG=${STELE_CONFIG:-/etc/stele/stele.yaml}
LOG=${STELE_LOG:-$HOME/.local/state/stele/publish.log}
PAGE=${STELE_PAGE:-}
MAX_INCOMPLETE=${STELE_MAX_INCOMPLETE:-12}

mkdir -p "$(dirname "$LOG")" || exit 2
errors=$(mktemp) || exit 3
trap 'rm -f "$errors"' EXIT

# -q: warnings and errors only on stderr; --json: the run's summary on stdout.
summary=$("$STELE" publish -c "$CONFIG" -q --json 2>"$errors")
rc=$?

now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
{
	printf '%s exit=%s %s\n' "$now" "$rc" "$summary"
	sed "s/^/$now   /" "$errors"
} >>"$LOG"

# Consecutive exit-3 runs, counted in a file next to the log.
streak_file=$LOG.incomplete
msg=
case $rc in
0)
	rm -f "$streak_file"
	;;
3)
	streak=$(($(cat "$streak_file" 2>/dev/null || echo 0) + 1))
	echo "$streak" >"$streak_file"
	if [ "$MAX_INCOMPLETE" -gt 0 ] && [ "$streak" -ge "$MAX_INCOMPLETE" ]; then
		msg="stele publish could not complete $streak runs in a row (exit 3); see $LOG"
	fi
	;;
1)
	rm -f "$streak_file"
	msg="stele publish: VIOLATION or failed verification (exit 1): evidence is in the log; see $LOG"
	;;
2)
	rm -f "$streak_file"
	msg="stele publish: configuration error (exit 2): nothing was published; see $LOG"
	;;
*)
	msg="stele publish: unexpected exit status $rc; see $LOG"
	;;
esac

if [ -n "$msg" ]; then
	printf '%s\n' "$msg" >&2
	cat "$errors" >&2
	if [ -n "$PAGE" ]; then
		$PAGE "$msg"
	fi
fi

case $rc in
0 | 3) exit 0 ;;
*) exit "$rc" ;;
esac
