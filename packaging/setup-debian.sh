#!/usr/bin/env bash
# Installs everything a Debian 12 machine needs to build and test etwfwd:
# the native toolchain and -dev packages, mingw-w64, Wine, meson, clang for
# the fuzzers, the receivers the integration tests start, and the deb-src
# entries that packaging/build-windows-deps.sh reads source packages from.
# Safe to run again: apt-get skips what is already there.
set -euo pipefail

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo

src=/etc/apt/sources.list.d/etwfwd-src.sources
if [ ! -f "$src" ]; then
	# Source packages of bookworm, and of trixie for inih: bookworm's inih
	# orig tarball is no longer served by the archive.
	$SUDO tee "$src" >/dev/null <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
	# Without a pin, trixie's binary lists would never be used anyway (only
	# deb-src is added), so no preferences file is needed.
fi

$SUDO apt-get update -qq

pkgs=(
	# build
	meson ninja-build pkg-config cmake gcc make dpkg-dev
	# native libraries
	libuv1-dev libyajl-dev libcurl4-openssl-dev libinih-dev check
	libexpat1-dev zlib1g-dev libssl-dev
	# fuzzing and sanitizers
	clang-14 libclang-rt-14-dev
	# Windows cross build and tests
	gcc-mingw-w64-x86-64 binutils-mingw-w64-x86-64 libz-mingw-w64-dev
	wine64 wine msitools wixl
	# tools the tests use
	curl python3
	# the HTTP sink's tests (test CA) and bench receiver
	openssl nginx-light
	# syslog receivers of the syslog sink's tests (TLS through rsyslog-openssl)
	rsyslog rsyslog-openssl libivykis0 libnet1 libwrap0
)
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
# syslog-ng conflicts with rsyslog as a package (both are the system log
# daemon), so the tests use it unpacked in the user's cache, never installed.
sng="${HOME}/.cache/etwfwd/syslog-ng"
if [ ! -x "$sng/usr/sbin/syslog-ng" ]; then
	tmpd=$(mktemp -d)
	(cd "$tmpd" && apt-get download -qq syslog-ng-core)
	mkdir -p "$sng"
	dpkg-deb -x "$tmpd"/syslog-ng-core_*.deb "$sng"
	rm -rf "$tmpd"
fi
echo "setup-debian: packages ready"
