#!/usr/bin/env bash
# Builds the libFuzzer targets with clang-14 and runs each for a bounded time.
# usage: tests/run-fuzz.sh [SECONDS_PER_TARGET]   (default 30)
# Corpora live in a temporary folder; a crash fails the run and its input is
# kept in $FUZZ_ARTIFACTS (default: a temp folder, printed).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-30}
build=${FUZZ_BUILD_DIR:-$here/build-fuzz}
shared=${EF_SHARED_DIR:-$(cd "$here/.." && pwd)/shared}

if [ ! -f "$build/build.ninja" ]; then
	CC=clang-14 meson setup "$build" "$here" -Dfuzz=true -Dtests=false \
		-Db_sanitize=address,undefined -Db_lundef=false \
		-Dc_args=-fsanitize=fuzzer-no-link >"$build.setup.log" 2>&1 ||
		{ tail -30 "$build.setup.log"; exit 1; }
fi
ninja -C "$build" >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
artifacts=${FUZZ_ARTIFACTS:-$work/artifacts}
mkdir -p "$artifacts"
fails=0
passes=0
for exe in "$build"/tests/fuzz/fuzz_*; do
	[ -f "$exe" ] && [ -x "$exe" ] || continue
	name=$(basename "$exe"); name=${name#fuzz_}
	corpus=$work/corpus-$name
	mkdir -p "$corpus"
	if [ -f "$here/tests/fuzz/$name.seeds" ]; then
		while IFS= read -r seed; do
			[ -z "$seed" ] && continue
			case "$seed" in
			shared/*) src=$shared/${seed#shared/} ;;
			*) src=$here/$seed ;;
			esac
			[ -f "$src" ] && cp "$src" "$corpus/" || echo "fuzz: seed missing: $seed"
		done <"$here/tests/fuzz/$name.seeds"
	fi
	if "$exe" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
		-artifact_prefix="$artifacts/$name-" "$corpus" >"$work/$name.log" 2>&1; then
		runs=$(grep -o 'Done [0-9]* runs' "$work/$name.log" | tail -1)
		echo "fuzz $name: ok (${runs:-?} in ${secs}s)"
		passes=$((passes + 1))
	else
		echo "fuzz $name: FAILED"; tail -40 "$work/$name.log"
		[ -z "${FUZZ_ARTIFACTS:-}" ] && cp -r "$artifacts" "/tmp/etwfwd-fuzz-artifacts" && \
			echo "crash inputs copied to /tmp/etwfwd-fuzz-artifacts"
		fails=$((fails + 1))
	fi
done
echo "fuzz: $passes passed, $fails failed"
[ "$fails" -eq 0 ] && [ "$passes" -gt 0 ]
