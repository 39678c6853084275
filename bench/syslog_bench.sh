#!/bin/bash
# syslog_bench.sh - events/s from the syslog sink to rsyslog over TCP on
# loopback, next to syslog-ng's loggen sending the same messages to the same
# rsyslog in the same run (issue 7 item 11). rsyslog parses every message
# and writes three parsed fields of it to a file, whose lines are counted
# after each sender to check that everything arrived.
#
# usage: bench/syslog_bench.sh BUILD_DIR [EVENTS [EVENT_BYTES]]
# Needs rsyslogd (apt-get install rsyslog) and loggen unpacked by
# packaging/setup-debian.sh into ~/.cache/etwfwd/syslog-ng. The senders are
# pinned to CPU 0 and rsyslog to the others (taskset) when there are two.
set -euo pipefail
build=${1:?usage: syslog_bench.sh BUILD_DIR [EVENTS [EVENT_BYTES]]}
n=${2:-1000000}
size=${3:-400}
sng=${EF_SYSLOG_NG_ROOT:-$HOME/.cache/etwfwd/syslog-ng}
tmp=$(mktemp -d /tmp/etwfwd-syslog-bench.XXXXXX)
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
pin_tx=() pin_rx=()
if [ "$(nproc)" -ge 2 ]; then
    pin_tx=(taskset -c 0) pin_rx=(taskset -c 1-$(($(nproc) - 1)))
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir "$tmp/work"
cat > "$tmp/rsyslog.conf" <<CONF
global(workDirectory="$tmp/work" maxMessageSize="64k")
module(load="imtcp" maxSessions="10")
input(type="imtcp" address="127.0.0.1" port="$port" ruleset="r")
template(name="t" type="string" string="%hostname% %app-name% %msgid%\\n")
ruleset(name="r") { action(type="omfile" file="$tmp/out.txt" template="t") }
CONF
"${pin_rx[@]}" /usr/sbin/rsyslogd -n -f "$tmp/rsyslog.conf" -i "$tmp/rsyslog.pid" &
pid=$!
up=0
for _ in $(seq 100); do
    (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && up=1 && break
    sleep 0.1
done
[ "$up" = 1 ] || { echo "rsyslogd did not start" >&2; exit 1; }
want=0
# Waits until rsyslog wrote want lines (it writes asynchronously), and says so.
received() {
    want=$((want + $1))
    for _ in $(seq 600); do
        [ "$(wc -l < "$tmp/out.txt" 2>/dev/null || echo 0)" -ge "$want" ] && break
        sleep 0.1
    done
    echo "  rsyslog wrote $(wc -l < "$tmp/out.txt") of $want lines so far"
}
"$build/bench/syslog_bench" format "$n" "$size"
"${pin_tx[@]}" "$build/bench/syslog_bench" send "127.0.0.1:$port" "$n" "$size" 1000 octet-counting
received "$n"
"${pin_tx[@]}" "$build/bench/syslog_bench" send "127.0.0.1:$port" "$n" "$size" 1000 lf
received "$n"
"$build/bench/syslog_bench" dump "$tmp/msgs.txt" "$n" "$size"
if [ -x "$sng/usr/bin/loggen" ]; then
    echo "loggen (same $n messages, LF framing, one connection):"
    SYSLOGNG_PREFIX="$sng/usr" LD_LIBRARY_PATH="$sng/usr/lib/syslog-ng" \
        "${pin_tx[@]}" "$sng/usr/bin/loggen" --inet --stream --active-connections=1 \
        --read-file="$tmp/msgs.txt" --dont-parse --number="$n" --rate=100000000 --interval=3600 \
        127.0.0.1 "$port" 2>&1 | grep -i -E "average|rate|sent" | tail -3
    received "$n"
else
    echo "loggen not found under $sng: run packaging/setup-debian.sh"
fi
