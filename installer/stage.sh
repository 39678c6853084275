#!/usr/bin/env bash
# Collects what a Windows release ships into one folder, for build-msi.sh
# (the MSI) and packaging/release.sh (the zip): etwfwd.exe from a cross
# build, the default configuration, the README, and the licence of etwfwd
# and of every library linked statically into etwfwd.exe.
#
# Usage: installer/stage.sh BUILD_DIR STAGE_DIR
#   BUILD_DIR: a mingw-w64 cross build (meson) with service/etwfwd.exe built.
#   STAGE_DIR: created (or emptied) and filled.
#
# The libraries' licences come from the dependency prefix that
# packaging/build-windows-deps.sh built ($ETWFWD_WIN_DEPS, else
# ~/.cache/etwfwd/win64; it keeps them in share/licenses), zlib's and the
# mingw-w64 runtime's from their Debian packages. A missing one is an error:
# a release without a bundled library's licence must not be built.
set -euo pipefail

die() {
	echo "stage: $*" >&2
	exit 1
}

[ $# -eq 2 ] || die "usage: $0 BUILD_DIR STAGE_DIR"
build=$1
stage=$2
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
deps=${ETWFWD_WIN_DEPS:-$HOME/.cache/etwfwd/win64}
exe=$build/service/etwfwd.exe

[ -f "$exe" ] || die "$exe not found: build it first (ninja -C $build service/etwfwd.exe)"
# A native build's etwfwd would be staged as etwfwd.exe without this check.
head -c 2 "$exe" | grep -q MZ || die "$exe is not a Windows executable"

# What the exe links statically (meson.build, build-windows-deps.sh): each
# one's licence file as NAME.txt.
declare -A licence=(
	[libuv]=$deps/share/licenses/libuv1/LICENSE
	[yajl]=$deps/share/licenses/yajl/COPYING
	[curl]=$deps/share/licenses/curl/COPYING
	[inih]=$deps/share/licenses/libinih/LICENSE.txt
	[expat]=$deps/share/licenses/expat/COPYING
	[zlib]=/usr/share/doc/libz-mingw-w64-dev/copyright
	# The C runtime's startup code and libmingwex, linked by -static.
	[mingw-w64]=/usr/share/doc/mingw-w64-common/copyright
)
# etwfwd itself: Apache-2.0 (meson.build's license); the repository's own
# LICENSE file when there is one, else Debian's copy of the licence text.
if [ -f "$root/LICENSE" ]; then
	licence[etwfwd]=$root/LICENSE
else
	licence[etwfwd]=/usr/share/common-licenses/Apache-2.0
fi
for name in "${!licence[@]}"; do
	[ -f "${licence[$name]}" ] || die "licence of $name not found: ${licence[$name]}"
done

rm -rf "$stage"
mkdir -p "$stage/licenses"
cp -p "$exe" "$stage/etwfwd.exe"
cp -p "$root/installer/etwfwd.default.ini" "$stage/etwfwd.default.ini"
cp -p "$root/README.md" "$stage/README.md"
for name in "${!licence[@]}"; do
	cp -p "${licence[$name]}" "$stage/licenses/$name.txt"
done
