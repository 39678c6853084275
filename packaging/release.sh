#!/usr/bin/env bash
# Builds a Windows release from a mingw-w64 cross build: the MSI, a zip for
# installing by hand (`etwfwd install`), and SHA256SUMS of both.
#
# Usage: packaging/release.sh BUILD_DIR OUT_DIR
#   OUT_DIR/etwfwd-VERSION-x64.msi   installer/build-msi.sh's MSI
#   OUT_DIR/etwfwd-VERSION-x64.zip   etwfwd-VERSION-x64/ with etwfwd.exe,
#                                    etwfwd.default.ini, README.md and
#                                    licenses/ (etwfwd and every library
#                                    linked into etwfwd.exe)
#   OUT_DIR/SHA256SUMS               `sha256sum -c SHA256SUMS` checks both
#
# VERSION is meson's project version. The exe is taken as built: build it
# first (ninja -C BUILD_DIR service/etwfwd.exe). Needs wixl, msitools and
# python3 (packaging/setup-debian.sh).
set -euo pipefail

die() {
	echo "release: $*" >&2
	exit 1
}

[ $# -eq 2 ] || die "usage: $0 BUILD_DIR OUT_DIR"
build=$1
out=$2
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

version=$(meson introspect --projectinfo "$build" |
	python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])') ||
	die "$build is not a meson build directory"
name=etwfwd-$version-x64

tmp=$(mktemp -d "${TMPDIR:-/tmp}/etwfwd-release.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
out=$(cd "$out" && pwd)

msi=$(bash "$root/installer/build-msi.sh" "$build" "$out" --version "$version")
bash "$root/installer/stage.sh" "$build" "$tmp/$name"

# Zip with python's zipfile: the zip tool is not always installed. Entries
# are sorted and dated from the exe, so the same files give the same zip.
rm -f "$out/$name.zip"
python3 - "$tmp" "$name" "$out/$name.zip" <<'PY'
import os, sys, time, zipfile
base, name, dest = sys.argv[1:4]
top = os.path.join(base, name)
stamp = time.gmtime(os.stat(os.path.join(top, "etwfwd.exe")).st_mtime)[:6]
paths = []
for d, _, files in os.walk(top):
    paths += [os.path.join(d, f) for f in files]
with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as z:
    for p in sorted(paths):
        rel = os.path.relpath(p, base).replace(os.sep, "/")
        info = zipfile.ZipInfo(rel, stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        with open(p, "rb") as f:
            z.writestr(info, f.read())
PY

(cd "$out" && sha256sum "$(basename "$msi")" "$name.zip" >SHA256SUMS)
echo "release: $out/$(basename "$msi") $out/$name.zip $out/SHA256SUMS"
