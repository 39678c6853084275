#!/usr/bin/env bash
# Sets up a Debian 12 machine, builds etwfwd natively and runs its main job
# on this platform. Today that is the command-line front end; as replay and
# the pipeline land, this replays a trace through them (see README).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
[ "${ETWFWD_SKIP_SETUP:-0}" = 1 ] || bash packaging/setup-debian.sh
build=$here/build-native
[ -f "$build/build.ninja" ] || meson setup "$build" >/dev/null
ninja -C "$build" >/dev/null
"$build/service/etwfwd" version
"$build/service/etwfwd" --help
