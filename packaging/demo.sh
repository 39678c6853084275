#!/usr/bin/env bash
# Sets up a Debian 12 machine, builds etwfwd natively and runs its main job:
# a file session (a trace and its manifest, named in the configuration)
# through the pipeline (spool -> file sink), then the stats and the first
# decoded event.
#
# Usage: packaging/demo.sh [FILE.etl [MANIFEST]]
# With no file, the sample trace ../shared/testdata/etl/tx/HTTP_Server.etl
# (and its manifest) is used when present; on a fresh clone without
# ../shared, a small trace and manifest written by the project's own test
# writer (tests/etlwriter/sample_trace.c) are replayed instead.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
[ "${ETWFWD_SKIP_SETUP:-0}" = 1 ] || bash packaging/setup-debian.sh
build=$here/build-native
[ -f "$build/build.ninja" ] || meson setup "$build" >/dev/null
ninja -C "$build" >/dev/null
etwfwd=$build/service/etwfwd
"$etwfwd" version

demo=$build/demo
rm -rf "$demo"
mkdir -p "$demo"
trace=${1:-}
manifest=${2:-}
if [ -z "$trace" ]; then
	trace=$here/../shared/testdata/etl/tx/HTTP_Server.etl
	manifest=$here/../shared/testdata/etl/tx/HTTP_Server.man
	if [ ! -f "$trace" ]; then
		# No shared test data: write the sample trace of the test writer
		# (built with the tests; a build set up with -Dtests=false gets them).
		if [ ! -x "$build/tests/etlwriter/etwfwd-sample-trace" ]; then
			meson configure "$build" -Dtests=true >/dev/null
			ninja -C "$build" >/dev/null
		fi
		"$build/tests/etlwriter/etwfwd-sample-trace" "$demo"
		trace=$demo/sample.etl
		manifest=$demo/sample.man
		echo "demo: no ../shared/testdata; replaying the sample trace $trace"
	fi
fi
if [ ! -f "$trace" ]; then
	echo "demo: no trace at $trace; run: packaging/demo.sh FILE.etl [MANIFEST]" >&2
	exit 1
fi
manifest_line=
[ -n "$manifest" ] && [ -f "$manifest" ] && manifest_line="manifest = $manifest"
cat >"$demo/etwfwd.ini" <<CONF
[service]
state_dir = $demo/state
metrics_listen =
stats_interval = 1h

[session:demo]
kind = file
path = $trace
$manifest_line

[sink:out]
type = file
path = $demo/events.ndjson
CONF
echo "demo: $demo/etwfwd.ini:"
sed 's/^/    /' "$demo/etwfwd.ini"
"$etwfwd" validate -c "$demo/etwfwd.ini" >/dev/null
echo "demo: $etwfwd run -c $demo/etwfwd.ini"
"$etwfwd" run -c "$demo/etwfwd.ini" 2>"$demo/run.log" || { cat "$demo/run.log" >&2; exit 1; }
grep -E '^(session|sink|stats) ' "$demo/run.log"
echo "demo: $(wc -l <"$demo/events.ndjson") lines in $demo/events.ndjson (the last one is the stats event)"
echo "demo: the first event decoded with the manifest:"
grep -m1 '"EventData"' "$demo/events.ndjson" | head -c 1200
echo
