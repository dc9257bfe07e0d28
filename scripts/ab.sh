#!/usr/bin/env bash
# Compare sseload builds side by side against one reference server (not part of CI).
#
#   scripts/ab.sh [-r RATE] [-n ROUNDS] REV...     e.g. scripts/ab.sh -r 20 -n 3 83a6aa6 HEAD
#
# Builds each git revision (WORKTREE for the working tree) in a temporary worktree, starts
# `sseload serve --rate RATE` (events/s per stream, default 20) on a loopback port, then for
# ROUNDS rounds (default 3) runs each build in turn: CLIENTS (1000) HTTP/1.1 streams,
# --check none, and takes the client's utime+stime from /proc over a WINDOW-second window
# (default 8) that starts SETTLE seconds (4) after the run did. It prints CPU µs per event
# for each run and the mean per build. Alternating in one session is what makes the
# builds comparable on a shared machine. Builds are -trimpath: without it the checkout's
# path shifts the code's layout, and two builds of one source in two directories differed
# by 5 % on their own. Needs Go, git, jq and Linux /proc.
set -euo pipefail
cd "$(dirname "$0")/.."

RATE=20 ROUNDS=3
while getopts "r:n:" o; do
	case $o in
	r) RATE=$OPTARG ;;
	n) ROUNDS=$OPTARG ;;
	*) echo "usage: $0 [-r RATE] [-n ROUNDS] REV..." >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { echo "usage: $0 [-r RATE] [-n ROUNDS] REV..." >&2; exit 2; }
CLIENTS=${CLIENTS:-1000} WINDOW=${WINDOW:-8} SETTLE=${SETTLE:-4} PORT=${PORT:-18563}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sseload-ab.XXXXXX")
server_pid="" client_pid=""
cleanup() {
	[ -n "$client_pid" ] && kill -TERM "$client_pid" 2>/dev/null || true
	[ -n "$server_pid" ] && { kill -INT "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; }
	for w in "$tmp"/wt-*; do [ -d "$w" ] && git worktree remove --force "$w" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

i=0
for rev in "$@"; do
	i=$((i + 1))
	if [ "$rev" = WORKTREE ]; then
		go build -trimpath -o "$tmp/sseload-$i" .
	else
		git worktree add -q --detach "$tmp/wt-$i" "$rev"
		(cd "$tmp/wt-$i" && go build -trimpath -o "$tmp/sseload-$i" .)
	fi
	echo "build $i: $rev" >&2
done

ulimit -n "$(ulimit -Hn)"
"$tmp/sseload-1" serve --addr "127.0.0.1:$PORT" --rate "$RATE" --payload 64 >/dev/null 2>"$tmp/server.err" &
server_pid=$!
sleep 0.5
TCK=$(getconf CLK_TCK)
ticks() { sed 's/^.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }

: >"$tmp/runs"
for r in $(seq "$ROUNDS"); do
	i=0
	for rev in "$@"; do
		i=$((i + 1))
		"$tmp/sseload-$i" run "http://127.0.0.1:$PORT/events" --clients "$CLIENTS" --duration $((SETTLE + WINDOW + 2))s \
			--protocol h1 --check none --no-tui -q --out "$tmp/r.json" >/dev/null 2>"$tmp/run.err" &
		client_pid=$!
		sleep "$SETTLE"
		t0=$(ticks "$client_pid")
		sleep "$WINDOW"
		t1=$(ticks "$client_pid")
		wait "$client_pid" || { echo "run failed: $(cat "$tmp/run.err")" >&2; exit 1; }
		client_pid=""
		# Events in the window: the rate the server sends, every stream open by then.
		us=$(awk -v d=$((t1 - t0)) -v tck="$TCK" -v w="$WINDOW" -v e=$((RATE * CLIENTS)) 'BEGIN { printf "%.2f", d / tck * 1e6 / (w * e) }')
		p99=$(jq -r '.latency.delivery.p99 / 1e6 | floor' "$tmp/r.json")
		echo "round $r  $rev: $us µs/event, delivery p99 $p99 ms" >&2
		echo "$i $rev $us" >>"$tmp/runs"
	done
done
awk '{ s[$1] += $3; n[$1]++; name[$1] = $2 } END { for (i = 1; i in n; i++) printf "%-12s mean %.2f µs/event over %d runs\n", name[i], s[i] / n[i], n[i] }' "$tmp/runs"
