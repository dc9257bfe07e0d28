#!/usr/bin/env bash
# Reproducible load benchmarks of the sseload harness itself (not part of CI).
#
#   scripts/bench.sh [idle-h1|idle-h1-goroutine|idle-h2|max-h1|max-h1-busy|max-h1-goroutine|
#                     throughput|throughput-goroutine|throughput-h2c|tui|ramp|source-ips|soak|all]
#
# Each case starts the reference server (sseload serve) as a separate process on a
# loopback port, runs sseload against it, and prints the figures the README's
# Performance section reports. HTTP/1.1 runs over the event loops (--h1-io poll)
# unless the case's name ends in -goroutine (a goroutine per stream, as https uses);
# the -busy case sends 1 event/s per stream instead of IDLE_RATE. Knobs (environment): H1_CLIENTS (10000),
# H2_CLIENTS (50000), TP_CLIENTS (1000), TP_RATE (100 events/s), RAMP_CLIENTS (10000), IDLE_RATE (0.2 events/s),
# MAX_H1_CLIENTS (hard open-file limit - 100), HOLD (20s), PORT (18080), SOAK_MINUTES (30; soak
# is not in all). Needs Go, jq and a Linux /proc.
set -euo pipefail
cd "$(dirname "$0")/.."

H1_CLIENTS=${H1_CLIENTS:-10000}
H2_CLIENTS=${H2_CLIENTS:-50000}
TP_CLIENTS=${TP_CLIENTS:-1000}
TP_RATE=${TP_RATE:-100}
RAMP_CLIENTS=${RAMP_CLIENTS:-10000}
# The most HTTP/1.1 clients one process can hold: a socket each under the hard
# open-file limit, less what the process holds besides.
MAX_H1_CLIENTS=${MAX_H1_CLIENTS:-$(( $(ulimit -Hn) - 100 ))}
IDLE_RATE=${IDLE_RATE:-0.2}
HOLD=${HOLD:-20}
PORT=${PORT:-18080}
OUT=${OUT:-bench-out}

# Every client holds a socket; the server process holds as many.
ulimit -n "$(ulimit -Hn)"
mkdir -p "$OUT"
bin="$OUT/sseload"
go build -o "$bin" .

server_pid=""
stop_server() {
	if [ -n "$server_pid" ]; then
		kill -INT "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
		server_pid=""
	fi
}
trap stop_server EXIT

start_server() { # args: serve flags
	"$bin" serve --addr "127.0.0.1:$PORT" "$@" 2>"$OUT/server.log" >/dev/null &
	server_pid=$!
	for _ in $(seq 50); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then return; fi
		sleep 0.1
	done
	echo "server did not start: $(cat "$OUT/server.log")" >&2
	exit 1
}

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# run_and_sample NAME SECONDS_UNTIL_SAMPLE ARGS...: runs the harness, samples its RSS
# once at the given time, waits for it; prints the RSS in KiB.
run_and_sample() {
	local name=$1 at=$2
	shift 2
	"$bin" run "$@" --no-tui --out "$OUT/$name.json" >"$OUT/$name.txt" 2>"$OUT/$name.err" &
	local pid=$!
	sleep "$at"
	local rss
	rss=$(rss_kib "$pid")
	wait "$pid"
	echo "$rss"
}

open_peak() { jq -r '.totals.clients_peak // .totals.streams_peak' "$OUT/$1.json"; }

idle() { # NAME PROTO CLIENTS RATE H1IO SERVERFLAGS...
	local name=$1 proto=$2 n=$3 rate=$4 io=$5
	shift 5
	start_server --rate "$rate" "$@"
	local url="http://127.0.0.1:$PORT/events"
	local ramp=$(( n / 2500 + 2 ))
	local base full
	local flags=(--protocol "$proto" --ramp "${ramp}s" --duration "${HOLD}s" -q)
	[ "$proto" = h1 ] && flags+=(--h1-io "$io")
	base=$(run_and_sample "$name-base" $(( ramp + HOLD / 2 )) "$url" "${flags[@]}" --clients 10)
	full=$(run_and_sample "$name" $(( ramp + HOLD / 2 )) "$url" "${flags[@]}" --clients "$n")
	stop_server
	local peak
	peak=$(open_peak "$name")
	echo "$name ($proto${io:+ $io}, $rate events/s per stream): $peak streams open; harness RSS $((full / 1024)) MiB" \
		"(baseline $((base / 1024)) MiB with 10): $(( (full - base) * 1024 / (n - 10) )) bytes per stream;" \
		"goroutines $(jq -r '.harness.goroutines_hold' "$OUT/$name.json") in the hold (with 10 streams: $(jq -r '.harness.goroutines_hold' "$OUT/$name-base.json")), $(jq -r '.harness.goroutines_peak' "$OUT/$name.json") at most while connecting"
}

throughput() { # PROTO H1IO SERVERFLAGS...
	local proto=$1 io=$2
	shift 2
	start_server --rate "$TP_RATE" "$@"
	local url="http://127.0.0.1:$PORT/events"
	local name=throughput-$proto${io:+-$io}
	local flags=()
	[ "$proto" = h1 ] && flags+=(--h1-io "$io")
	"$bin" run "$url" --clients "$TP_CLIENTS" --ramp 2s --duration "${HOLD}s" --protocol "$proto" "${flags[@]}" --no-tui -q \
		--out "$OUT/$name.json" >"$OUT/$name.txt" 2>"$OUT/$name.err"
	stop_server
	jq -r '"throughput '"$proto${io:+ $io}"': \(.totals.clients_peak) streams × '"$TP_RATE"' events/s: \(.totals.events_received) events, " +
		"\(.totals.events_per_second | floor) events/s; harness CPU \(.harness.cpu / 1e9 * 100 | floor / 100) s (\(.harness.system_cpu / 1e9 * 100 | floor / 100) s in the kernel) = " +
		"\(.harness.cpu / 1e9 / (.totals.events_received / 1e6) * 100 | floor / 100) CPU-s per million events; " +
		"delivery p50 \(.latency.delivery.p50 / 1000 | floor) µs, p99 \(.latency.delivery.p99 / 1000 | floor) µs, " +
		"p99.9 \(.latency.delivery.p99_9 / 1000 | floor) µs"' "$OUT/$name.json"
}

# tui: the 1,000-stream throughput case with the dashboard drawing in a 120×40 tmux
# pane, against the same case with --no-tui: the dashboard must not cost events/s.
tui() {
	command -v tmux >/dev/null || { echo "tui: needs tmux" >&2; return 1; }
	throughput h1 poll
	start_server --rate "$TP_RATE"
	local url="http://127.0.0.1:$PORT/events" session="sseload-bench-$$"
	tmux new-session -d -s "$session" -x 120 -y 40 \
		"'$bin' run '$url' --clients $TP_CLIENTS --ramp 2s --duration ${HOLD}s --out '$OUT/throughput-tui.json' >/dev/null 2>'$OUT/throughput-tui.err'"
	while tmux has-session -t "$session" 2>/dev/null; do sleep 1; done
	stop_server
	jq -r '"dashboard: \(.totals.events_per_second | floor) events/s, harness CPU \(.harness.cpu / 1e9 * 100 | floor / 100) s"' "$OUT/throughput-tui.json"
	jq -r '"no-tui:    \(.totals.events_per_second | floor) events/s, harness CPU \(.harness.cpu / 1e9 * 100 | floor / 100) s"' "$OUT/throughput-h1-poll.json"
}

# ramp: how fast new HTTP/1.1 connections open, unpaced (--rate 0), all clients at once.
ramp() {
	start_server --rate 1
	local url="http://127.0.0.1:$PORT/events"
	"$bin" run "$url" --clients "$RAMP_CLIENTS" --ramp 0s --duration 5s --no-tui --tick 250ms \
		--out "$OUT/ramp.json" >"$OUT/ramp.txt" 2>"$OUT/ramp.err"
	stop_server
	# The first tick at which every stream was open bounds the ramp's length.
	jq -r --argjson n "$RAMP_CLIENTS" '
		(.series | map(select(.streams >= $n)) | first | .t) as $t |
		"ramp: \($n) HTTP/1.1 connections opened within \($t / 1e9) s: at least \($n / ($t / 1e9) | floor) connections/s; " +
		"connect p50 \(.latency.connect.p50 / 1000 | floor) µs, p99 \(.latency.connect.p99 / 1000 | floor) µs, open p99 \(.latency.open.p99 / 1000 | floor) µs"' "$OUT/ramp.json"
}

# source-ips: clients spread over 16 loopback source addresses; the server reports
# which addresses connected.
source_ips() {
	start_server --rate 1
	local url="http://127.0.0.1:$PORT/events"
	"$bin" run "$url" --clients 1600 --ramp 0s --duration 3s --source-ips 127.0.0.1-127.0.0.16 --no-tui -q \
		--out "$OUT/source-ips.json" >"$OUT/source-ips.txt" 2>"$OUT/source-ips.err"
	stop_server
	echo "source-ips: $(jq -r '.totals.streams_opened' "$OUT/source-ips.json") streams; server: $(grep -o 'connections from .*' "$OUT/server.log" | tail -1)"
}

# soak: SOAK_MINUTES (30) of 2,000 clients under 10 %/s churn with a mass
# disconnect of half of them every 5 minutes, against the reference server in its
# own process. The harness's goroutines, heap and RSS are scraped every 30 s from
# its Prometheus endpoint; after the first 5 minutes (warm-up) their slope per
# hour is reported, and the accounting law is checked on the result.
soak() {
	local secs=$(( ${SOAK_MINUTES:-30} * 60 )) d
	d="${secs}s"
	start_server --rate 10
	local url="http://127.0.0.1:$PORT/events" disc=() t
	for ((t = 300; t < secs; t += 300)); do disc+=(--disconnect "${t}s:50%"); done
	"$bin" run "$url" --clients 2000 --ramp 30s --duration "$d" --churn 10% --retry 1s "${disc[@]}" \
		--metrics-addr 127.0.0.1:19466 --no-tui -q --out "$OUT/soak.json" >"$OUT/soak.txt" 2>"$OUT/soak.err" &
	local pid=$! start=$SECONDS
	echo "t_s,goroutines,heap_inuse_bytes,rss_bytes" >"$OUT/soak.csv"
	while kill -0 "$pid" 2>/dev/null; do
		sleep 30
		{ curl -s 127.0.0.1:19466/metrics || true; } | awk -v t=$((SECONDS - start)) '
			/^go_goroutines /{g=$2} /^go_memstats_heap_inuse_bytes /{h=$2} /^process_resident_memory_bytes /{r=$2}
			END { if (g != "") printf "%d,%d,%.0f,%.0f\n", t, g, h, r }' >>"$OUT/soak.csv"
	done
	wait "$pid" || true
	stop_server
	awk -F, 'NR > 1 && $1 >= 330 { n++; x += $1; y1 += $2; y2 += $3; y3 += $4; xx += $1*$1; x1 += $1*$2; x2 += $1*$3; x3 += $1*$4 }
		END { d = n*xx - x*x; if (n < 3 || d == 0) { print "soak: too few samples after warm-up"; exit }
			printf "soak: %d samples after warm-up; slope per hour: goroutines %+.1f, heap %+.2f MB, RSS %+.2f MB; mean goroutines %.0f, heap %.1f MB, RSS %.1f MB\n",
				n, 3600*(n*x1-x*y1)/d, 3600*(n*x2-x*y2)/d/1e6, 3600*(n*x3-x*y3)/d/1e6, y1/n, y2/n/1e6, y3/n/1e6 }' "$OUT/soak.csv"
	jq -r '.totals | "soak: accounting: opened \(.streams_opened) = ended \(.streams_ended) + cut \(.streams_cut) + idle \(.streams_idle) + dropped \(.streams_dropped) + stopped \(.streams_stopped) + open \(.streams): \(if .streams_opened == .streams_ended + .streams_cut + .streams_idle + .streams_dropped + .streams_stopped + .streams then "holds" else "BROKEN" end); errors \(.errors), events \(.events_received)"' "$OUT/soak.json"
	jq -r '"soak: replay findings \(.findings.lost_events) lost, \(.findings.duplicated_events) duplicated, \(.findings.reordered_events) reordered"' "$OUT/soak.json"
}

case=${1:-all}
case $case in
idle-h1) idle idle-h1 h1 "$H1_CLIENTS" "$IDLE_RATE" poll ;;
idle-h1-goroutine) idle idle-h1-goroutine h1 "$H1_CLIENTS" "$IDLE_RATE" goroutine ;;
idle-h2) idle idle-h2c h2c "$H2_CLIENTS" "$IDLE_RATE" "" --h2c --max-streams 1000 ;;
max-h1) idle max-h1 h1 "$MAX_H1_CLIENTS" "$IDLE_RATE" poll ;;
max-h1-busy) idle max-h1-busy h1 "$MAX_H1_CLIENTS" 1 poll ;;
max-h1-goroutine) idle max-h1-goroutine h1 "$MAX_H1_CLIENTS" "$IDLE_RATE" goroutine ;;
throughput) throughput h1 poll ;;
throughput-goroutine) throughput h1 goroutine ;;
throughput-h2c) throughput h2c "" --h2c ;;
tui) tui ;;
ramp) ramp ;;
source-ips) source_ips ;;
soak) soak ;;
all)
	idle idle-h1 h1 "$H1_CLIENTS" "$IDLE_RATE" poll
	idle idle-h1-goroutine h1 "$H1_CLIENTS" "$IDLE_RATE" goroutine
	idle idle-h2c h2c "$H2_CLIENTS" "$IDLE_RATE" "" --h2c --max-streams 1000
	idle max-h1-busy h1 "$MAX_H1_CLIENTS" 1 poll
	throughput h1 poll
	throughput h1 goroutine
	throughput h2c "" --h2c
	ramp
	source_ips
	;;
*) echo "unknown case $case" >&2; exit 2 ;;
esac
