#!/usr/bin/env bash
# Builds etwfwd-VERSION-x64.msi from a mingw-w64 cross build, with wixl.
#
# Usage: installer/build-msi.sh BUILD_DIR [OUT_DIR] [--version X.Y.Z] [--default-ini FILE]
#                               [--exe FILE]
#   OUT_DIR defaults to BUILD_DIR. Prints the MSI's path on stdout.
#   --version overrides meson's project version (tests build a newer MSI
#   from the same exe to test an upgrade).
#   --default-ini ships FILE as etwfwd.default.ini instead of
#   installer/etwfwd.default.ini (tests: a configuration Wine can run,
#   since Wine has no working ETW).
#   --exe ships FILE as etwfwd.exe instead of BUILD_DIR's (tests: an
#   upgrade must replace the exe, so the newer MSI needs a different one).
#
# Needs wixl and msitools (packaging/setup-debian.sh installs both).
set -euo pipefail

die() {
	echo "build-msi: $*" >&2
	exit 1
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build="" out="" version="" default_ini="" exe=""
while [ $# -gt 0 ]; do
	case $1 in
	--version) version=${2:?--version needs a value}; shift 2 ;;
	--default-ini) default_ini=${2:?--default-ini needs a file}; shift 2 ;;
	--exe) exe=${2:?--exe needs a file}; shift 2 ;;
	-*) die "unknown option $1" ;;
	*)
		if [ -z "$build" ]; then build=$1
		elif [ -z "$out" ]; then out=$1
		else die "too many arguments"
		fi
		shift ;;
	esac
done
usage="usage: $0 BUILD_DIR [OUT_DIR] [--version X.Y.Z] [--default-ini FILE] [--exe FILE]"
[ -n "$build" ] || die "$usage"
out=${out:-$build}
command -v wixl >/dev/null || die "wixl not found: run packaging/setup-debian.sh"

if [ -z "$version" ]; then
	version=$(meson introspect --projectinfo "$build" |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["version"])') ||
		die "$build is not a meson build directory"
fi
# MSI versions are major.minor.build, each a number (the 4th field is ignored
# by MajorUpgrade, so it is refused rather than silently meaningless).
[[ $version =~ ^[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,5}$ ]] ||
	die "version '$version' is not X.Y.Z (major, minor < 256, build < 65536)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/etwfwd-msi.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
bash "$here/stage.sh" "$build" "$tmp/stage"
if [ -n "$default_ini" ]; then
	cp "$default_ini" "$tmp/stage/etwfwd.default.ini"
fi
if [ -n "$exe" ]; then
	cp "$exe" "$tmp/stage/etwfwd.exe"
fi

mkdir -p "$out"
msi=$(realpath -m "$out/etwfwd-$version-x64.msi")
# -a x64 sets the Template; Win64 is set on every component in the .wxs
# (wixl 0.101 does not default it).
# Sources are relative to the staged folder: wixl 0.101 cannot open absolute ones.
(cd "$tmp/stage" && wixl -a x64 -D Version="$version" -o "$msi" "$here/etwfwd.wxs") \
	2>"$tmp/wixl.log" || { cat "$tmp/wixl.log" >&2; die "wixl failed"; }
# wixl only warns about attributes it drops: none is expected.
if grep -q . "$tmp/wixl.log"; then
	cat "$tmp/wixl.log" >&2
	die "wixl warned: an attribute of etwfwd.wxs was dropped"
fi
echo "$msi"
