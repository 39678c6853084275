#!/usr/bin/env bash
# Runs the Windows cross build's test suite under Wine, in a throwaway Wine
# prefix that is removed afterwards.
#
# Usage: tests/run-windows.sh BUILD_DIR [MESON TEST ARGS...]
# Exit code: meson test's (or 2 when Wine cannot be set up).
#
# DESIGN: Wine keeps helper processes (services.exe, winedevice.exe) alive
# as long as its wineserver runs, and they inherit the standard handles of
# whichever Wine process started them. Started by the first test, they would
# hold that test's output pipe open and meson would wait for them (~2.5 s per
# test), and a CI runner reading our stdout through a pipe could wait forever.
# So the wineserver and the helpers are started first, detached from our
# stdout/stderr, and stay warm for the whole run (0.1 s per test).
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 BUILD_DIR [meson test args...]" >&2; exit 2; }
build=$1
shift
[ -f "$build/meson-private/coredata.dat" ] || {
	echo "run-windows: $build is not a meson build directory" >&2
	exit 2
}
for tool in wine wineserver wineboot meson; do
	command -v "$tool" >/dev/null || { echo "run-windows: $tool not found" >&2; exit 2; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/etwfwd-wine.XXXXXX")
export WINEPREFIX=$work/prefix
export WINEDEBUG=-all
# No Mono/Gecko install prompts, and no menu entries written under $HOME.
export WINEDLLOVERRIDES='mscoree,mshtml=;winemenubuilder.exe=d'
mkdir "$WINEPREFIX"
log=$work/wine-setup.log

cleanup() {
	# Ends this prefix's wineserver and every Wine process in it, and waits
	# for them before removing their files.
	wineserver -k </dev/null >/dev/null 2>&1 || true
	wineserver -w </dev/null >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

t0=$SECONDS
# -p5: the server lingers 5 s after its last client, so it stays up between
# tests and still ends by itself if this script is killed. ("-p 5", with a
# space, would mean forever.) It must start before wineboot: a wineserver
# that wineboot started would refuse a second, persistent one.
wineserver -p5 </dev/null >/dev/null 2>&1
if ! wineboot -i </dev/null >>"$log" 2>&1; then
	echo "run-windows: wineboot failed:" >&2
	tail -n 20 "$log" >&2
	exit 2
fi
# Right after `wineboot -i` a new prefix runs two services.exe, each knowing
# only the services created through it, so sc, msiexec and etwfwd.exe would
# reach one or the other at random (the service and MSI tests need one).
# Restarting the server once leaves a single one.
wineserver -k </dev/null >/dev/null 2>&1 || true
wineserver -w </dev/null >/dev/null 2>&1 || true
wineserver -p5 </dev/null >/dev/null 2>&1
wineboot </dev/null >>"$log" 2>&1 || true
# A new prefix reports Windows 7; etwfwd targets Windows 10.
wine reg add 'HKCU\Software\Wine' /v Version /d win10 /f </dev/null >>"$log" 2>&1 || true
echo "run-windows: Wine prefix ready in $((SECONDS - t0)) s"

# meson test runs in the background so that a TERM from a CI runner (or a
# Ctrl-C) is handled at once: bash runs traps only between commands. meson
# test stops its running tests on TERM; then the EXIT trap ends Wine.
meson test -C "$build" --print-errorlogs -v "$@" </dev/null &
meson_pid=$!
stopped=0
stop() {
	stopped=$1
	kill -TERM "$meson_pid" 2>/dev/null || true
}
trap 'stop 130' INT
trap 'stop 143' TERM
while :; do
	rc=0
	wait "$meson_pid" || rc=$?
	# wait also returns when a trapped signal arrives: go on waiting.
	kill -0 "$meson_pid" 2>/dev/null || break
done
if [ "$stopped" -ne 0 ]; then
	echo "run-windows: interrupted" >&2
	exit "$stopped"
fi
echo "run-windows: meson test exited $rc after $((SECONDS - t0)) s"
exit "$rc"
