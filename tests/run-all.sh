#!/usr/bin/env bash
# Sets up a Debian 12 machine and runs every test of etwfwd:
#   1. native build, Check suites and CLI tests, then the mutation check
#      (tests/mutants: each deliberate bug must make its suite fail)
#   2. the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   3. the Windows cross build (etwfwd.exe), its import table, and the same
#      tests as .exe under Wine
#   4. every libFuzzer target for a bounded time (FUZZ_SECONDS, default 30)
# Every stage runs even when an earlier one failed; the exit code is non-zero
# if any failed. Set ETWFWD_SKIP_SETUP=1 to skip apt-get on a prepared machine.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
shared=${EF_SHARED_DIR:-$(cd "$here/.." && pwd)/shared}
fuzz_secs=${FUZZ_SECONDS:-30}
win_deps=${ETWFWD_WIN_DEPS:-$HOME/.cache/etwfwd/win64}
export ETWFWD_WIN_DEPS=$win_deps

t0=$(date +%s)
stage() { printf '\n=== %s (%ss) ===\n' "$1" "$(($(date +%s) - t0))"; }

if [ "${ETWFWD_SKIP_SETUP:-0}" != 1 ]; then
	stage "setup: Debian packages"
	bash packaging/setup-debian.sh || exit 1
fi
stage "setup: Windows dependencies from Debian sources"
bash packaging/build-windows-deps.sh "$win_deps" || exit 1

failed=()
total_pass=0
total_fail=0

# Prints the Check and CLI summary lines of a meson test log and adds them up.
summarize() {
	local log=$1 line n f e
	[ -f "$log" ] || return 0
	while IFS= read -r line; do
		line=${line%$'\r'} # Wine's console writes CRLF
		echo "  $line"
		if [[ $line =~ Checks:\ ([0-9]+),\ Failures:\ ([0-9]+),\ Errors:\ ([0-9]+) ]]; then
			n=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]} e=${BASH_REMATCH[3]}
			total_pass=$((total_pass + n - f - e))
			total_fail=$((total_fail + f + e))
		elif [[ $line =~ ^[a-z]+:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
			total_pass=$((total_pass + BASH_REMATCH[1]))
			total_fail=$((total_fail + BASH_REMATCH[2]))
		fi
	done < <(grep -E '^([0-9]+%: Checks: |[a-z_]+: [0-9]+ passed, [0-9]+ failed)' "$log")
}

run_meson() { # name builddir [meson setup args...]
	local name=$1 dir=$2
	shift 2
	stage "$name: build"
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@" -Dshared_dir="$shared" >"$dir.setup.log" 2>&1 ||
			{ tail -40 "$dir.setup.log"; failed+=("$name"); return; }
	fi
	ninja -C "$dir" >"$dir.build.log" 2>&1 || { tail -60 "$dir.build.log"; failed+=("$name"); return; }
	stage "$name: test"
	if [ "$name" = windows ]; then
		bash tests/run-windows.sh "$dir" >"$dir.test.log" 2>&1
	else
		meson test -C "$dir" --print-errorlogs >"$dir.test.log" 2>&1
	fi
	local rc=$?
	grep -E '^ *[0-9]+/[0-9]+ ' "$dir.test.log"
	summarize "$dir/meson-logs/testlog.txt"
	if [ $rc -ne 0 ]; then
		tail -80 "$dir.test.log"
		failed+=("$name")
	fi
}

run_meson native "$here/build-native"

# Mutation check: each mutant of tests/mutants/*.txt, in a scratch copy, must
# make its suite fail (tests/mutants/README.md).
stage "mutants"
mut_t0=$(date +%s)
if ! python3 tests/mutants/run-mutants.py --shared "$shared"; then
	failed+=(mutants)
fi
echo "mutants: $(($(date +%s) - mut_t0))s"

ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	run_meson sanitize "$here/build-asan" -Db_sanitize=address,undefined -Db_lundef=false
run_meson windows "$here/build-win" --cross-file packaging/cross/mingw-w64.ini \
	--cross-file "$win_deps/meson-deps.ini"

stage "fuzz: ${fuzz_secs}s per target"
if ! FUZZ_BUILD_DIR="$here/build-fuzz" EF_SHARED_DIR="$shared" bash tests/run-fuzz.sh "$fuzz_secs"; then
	failed+=(fuzz)
fi

stage "done"
if [ ${#failed[@]} -gt 0 ]; then
	echo "FAILED stages: ${failed[*]}"
	total_fail=$((total_fail > 0 ? total_fail : 1))
fi
echo "all: $total_pass passed, $total_fail failed"
[ ${#failed[@]} -eq 0 ]
