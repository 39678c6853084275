#!/usr/bin/env bash
# Cross-builds etwfwd's Windows dependencies, static, with mingw-w64, from
# Debian source packages: libuv1, yajl, curl (Schannel) and expat from
# bookworm with Debian's patches (they carry CVE fixes), inih and check from
# their pristine orig tarballs (Debian's patches change inih's handler
# signature and check's .pc file). zlib is Debian's libz-mingw-w64-dev.
#
# Usage: packaging/build-windows-deps.sh [PREFIX]
#   PREFIX defaults to $ETWFWD_WIN_DEPS, else ~/.cache/etwfwd/win64.
#
# PREFIX/.stamp lists the source package versions and a hash of this recipe;
# when they match, the script exits at once. Otherwise everything is rebuilt
# in a temporary directory and PREFIX is replaced only when all succeeded.
# PREFIX/meson-deps.ini is the second meson cross file (pkg_config_libdir).
#
# Needs packaging/setup-debian.sh first (mingw-w64, cmake, meson, deb-src).
set -euo pipefail
shopt -s inherit_errexit

host=x86_64-w64-mingw32
jobs=2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cross_ini=$here/cross/mingw-w64.ini
prefix=$(realpath -m "${1:-${ETWFWD_WIN_DEPS:-$HOME/.cache/etwfwd/win64}}")
zlib_dir=/usr/$host

# Source package and the release it is taken from.
packages=(libuv1/bookworm yajl/bookworm curl/bookworm expat/bookworm
	libinih/trixie check/bookworm)

die() {
	echo "build-windows-deps: $*" >&2
	exit 1
}

for tool in $host-gcc cmake ninja meson pkg-config dpkg-source; do
	command -v "$tool" >/dev/null || die "$tool not found: run packaging/setup-debian.sh"
done
[ -f "$zlib_dir/lib/libz.a" ] || die "libz-mingw-w64-dev is not installed"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/etwfwd-windeps.XXXXXX")
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT

# --- what would be built -----------------------------------------------------

# `apt-get source --print-uris` resolves pkg/release to the version it would
# fetch, without downloading. Each line: 'URI' file size hash.
declare -A version dsc
mkdir "$tmp/src"
(cd "$tmp/src" && apt-get source --print-uris -qq "${packages[@]}") >"$tmp/uris" 2>&1 ||
	{ cat "$tmp/uris" >&2; die "apt-get source failed: are the deb-src entries there?"; }
for spec in "${packages[@]}"; do
	pkg=${spec%/*}
	file=$(awk -v p="$pkg" '$2 ~ "^" p "_.*\\.dsc$" { print $2 }' "$tmp/uris")
	[ -n "$file" ] || die "no source package for $spec"
	dsc[$pkg]=$file
	version[$pkg]=${file#"${pkg}"_}
	version[$pkg]=${version[$pkg]%.dsc}
done

# A changed recipe or toolchain must invalidate the prefix too.
recipe=$(cat "${BASH_SOURCE[0]}" "$cross_ini" | sha256sum | cut -c1-16)
{
	for spec in "${packages[@]}"; do
		echo "${spec%/*} ${version[${spec%/*}]}"
	done
	dpkg-query -W -f '${Package} ${Version}\n' gcc-mingw-w64-x86-64 libz-mingw-w64-dev
	echo "recipe $recipe"
} >"$tmp/stamp"

if [ -f "$prefix/.stamp" ] && cmp -s "$tmp/stamp" "$prefix/.stamp"; then
	echo "win64 deps up to date ($prefix)"
	exit 0
fi

# Never delete a directory this script did not create.
if [ -e "$prefix" ] && [ ! -f "$prefix/.stamp" ] && [ -n "$(ls -A "$prefix" 2>/dev/null)" ]; then
	die "$prefix exists, is not empty and has no .stamp: refusing to replace it"
fi

# --- helpers -------------------------------------------------------------------

logs=$tmp/logs
stage=$tmp/stage # DESTDIR: files land in $stage$prefix
mkdir -p "$logs" "$stage"
start_all=$SECONDS

# run LOG CMD...: runs quietly, appending to $logs/LOG.log; on failure shows
# the end of the log and stops.
run() {
	local log=$logs/$1.log
	shift
	echo "+ $*" >>"$log"
	if ! "$@" >>"$log" 2>&1; then
		echo "build-windows-deps: failed: $*" >&2
		echo "---- last lines of $log ----" >&2
		tail -n 40 "$log" >&2
		keep=$(mktemp -d "${TMPDIR:-/tmp}/etwfwd-windeps-logs.XXXXXX")
		cp -r "$logs/." "$keep/"
		echo "---- all logs kept in $keep ----" >&2
		exit 1
	fi
}

cat >"$tmp/toolchain.cmake" <<EOF
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_C_COMPILER $host-gcc)
set(CMAKE_RC_COMPILER $host-windres)
set(CMAKE_FIND_ROOT_PATH /usr/$host)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
EOF

# cmake_build NAME SRCDIR [CMAKE ARGS...]
cmake_build() {
	local name=$1 src=$2
	shift 2
	run "$name" cmake -S "$src" -B "$tmp/build-$name" -G Ninja \
		-DCMAKE_TOOLCHAIN_FILE="$tmp/toolchain.cmake" \
		-DCMAKE_BUILD_TYPE=Release \
		-DCMAKE_INSTALL_PREFIX="$prefix" \
		-DCMAKE_INSTALL_LIBDIR=lib \
		"$@"
	run "$name" cmake --build "$tmp/build-$name" -j "$jobs"
	run "$name" env DESTDIR="$stage" cmake --install "$tmp/build-$name"
}

# Debian source tree, patches applied.
unpack_debian() {
	local pkg=$1
	run "$pkg" dpkg-source -x "$tmp/src/${dsc[$pkg]}" "$tmp/$pkg"
}

# Pristine upstream tree from the orig tarball; prints its directory.
unpack_orig() {
	local pkg=$1 orig
	orig=$(awk -v p="$pkg" '$2 ~ "^" p "_.*\\.orig\\.tar\\." { print $2 }' "$tmp/uris")
	[ -n "$orig" ] || die "no orig tarball for $pkg"
	mkdir "$tmp/$pkg"
	run "$pkg" tar -xf "$tmp/src/$orig" -C "$tmp/$pkg"
	# The tarball holds one top directory whose name varies.
	find "$tmp/$pkg" -mindepth 1 -maxdepth 1 -type d -print -quit
}

# The libraries are linked into etwfwd.exe: keep their licences for the MSI.
license() {
	local pkg=$1
	shift
	mkdir -p "$stage$prefix/share/licenses/$pkg"
	cp "$@" "$stage$prefix/share/licenses/$pkg/"
}

done_pkg() {
	printf '  %-8s %-22s %3d s\n' "$1" "${version[$1]}" $((SECONDS - $2))
}

# --- download ------------------------------------------------------------------

echo "win64 deps: building into $prefix"
run download sh -c "cd '$tmp/src' && apt-get source --download-only -q $(printf '%q ' "${packages[@]}")"

pc=$stage$prefix/lib/pkgconfig
lib=$stage$prefix/lib

# --- libuv1 ---------------------------------------------------------------------
t=$SECONDS
unpack_debian libuv1
# CMake would build the DLL as well as libuv_a.a, and install both: build and
# install only the static library, and make libuv.pc the static one
# (libuv-static.pc, which lists the system libraries).
run libuv1 cmake -S "$tmp/libuv1" -B "$tmp/build-libuv1" -G Ninja \
	-DCMAKE_TOOLCHAIN_FILE="$tmp/toolchain.cmake" -DCMAKE_BUILD_TYPE=Release \
	-DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib \
	-DLIBUV_BUILD_TESTS=OFF -DLIBUV_BUILD_BENCH=OFF
run libuv1 cmake --build "$tmp/build-libuv1" -j "$jobs" --target uv_a
mkdir -p "$stage$prefix/include" "$lib" "$pc"
cp -r "$tmp/libuv1/include/." "$stage$prefix/include/"
cp "$tmp/build-libuv1/libuv_a.a" "$lib/"
sed -e 's/^Name: libuv-static/Name: libuv/' "$tmp/build-libuv1/libuv-static.pc" >"$pc/libuv.pc"
grep -q -- '-luv_a' "$pc/libuv.pc" || die "libuv.pc does not link -luv_a"
license libuv1 "$tmp/libuv1/LICENSE"
done_pkg libuv1 $t

# --- yajl -----------------------------------------------------------------------
t=$SECONDS
unpack_debian yajl
# Its WIN32 branch holds MSVC flags (/W4, /O2, /PDB:NONE) that gcc rejects.
sed -i -e 's/^IF (WIN32)/IF (MSVC)/' -e 's/^ELSE (WIN32)/ELSE (MSVC)/' \
	-e 's/^ENDIF (WIN32)/ENDIF (MSVC)/' "$tmp/yajl/CMakeLists.txt"
# Only the library: the tools, tests and examples are not installed anyway.
sed -i -E '/^ADD_SUBDIRECTORY\((test|reformatter|verify|example|perf)\)/d' \
	"$tmp/yajl/CMakeLists.txt"
cmake_build yajl "$tmp/yajl"
rm -f "$lib"/libyajl.dll* "$stage$prefix"/bin/libyajl.dll
# The headers include <yajl/yajl_common.h>, so includedir is include/, and
# include/yajl is kept as well for code written against Debian's yajl.pc.
cat >"$pc/yajl.pc" <<EOF
prefix=$prefix
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: Yet Another JSON Library
Description: A Portable JSON parsing and serialization library in ANSI C
Version: 2.1.0
Cflags: -I\${includedir} -I\${includedir}/yajl
Libs: -L\${libdir} -lyajl_s
EOF
[ -f "$lib/libyajl_s.a" ] || die "libyajl_s.a missing"
license yajl "$tmp/yajl/COPYING"
done_pkg yajl $t

# --- curl -----------------------------------------------------------------------
t=$SECONDS
unpack_debian curl
cmake_build curl "$tmp/curl" \
	-DBUILD_SHARED_LIBS=OFF -DBUILD_CURL_EXE=OFF -DBUILD_TESTING=OFF \
	-DENABLE_MANUAL=OFF \
	-DHTTP_ONLY=ON -DENABLE_UNICODE=ON \
	-DCURL_USE_SCHANNEL=ON -DCURL_USE_OPENSSL=OFF \
	-DCURL_CA_BUNDLE=none -DCURL_CA_PATH=none \
	-DCURL_ZLIB=OFF -DCURL_BROTLI=OFF -DCURL_ZSTD=OFF -DUSE_NGHTTP2=OFF \
	-DUSE_LIBIDN2=OFF -DUSE_WIN32_IDN=OFF -DCURL_USE_LIBPSL=OFF \
	-DCURL_USE_LIBSSH2=OFF -DCURL_USE_LIBSSH=OFF -DCURL_USE_GSSAPI=OFF
# libcurl.pc: static users need CURL_STATICLIB (else the headers declare
# dllimport), and the generated Libs carry gcc's implicit runtime libraries
# (-lmingw32 -lgcc ... -lpthread), which must not leak into our link line.
libs=$(sed -n 's/^Libs: //p' "$pc/libcurl.pc")
curl_libs=""
for flag in $libs; do
	case $flag in
	-lmingw32 | -lgcc | -lgcc_s | -lgcc_eh | -lmoldname | -lmingwex | \
		-lmsvcrt | -lucrt* | -lpthread | -lkernel32) continue ;;
	esac
	case " $curl_libs " in *" $flag "*) continue ;; esac
	curl_libs="$curl_libs $flag"
done
sed -i -e "s|^Libs: .*|Libs:$curl_libs|" -e 's|^Libs.private: .*|Libs.private:|' \
	-e 's|^Cflags: .*|Cflags: -I${includedir} -DCURL_STATICLIB|' "$pc/libcurl.pc"
rm -f "$stage$prefix/bin/curl-config"
[ -f "$lib/libcurl.a" ] || die "libcurl.a missing"
license curl "$tmp/curl/COPYING"
done_pkg curl $t

# --- expat ----------------------------------------------------------------------
t=$SECONDS
unpack_debian expat
# Debian builds expat with autotools (XML_DTD defined as 1); its CVE-2024-8176
# patch tests `#if XML_DTD == 1`, which CMake's empty define breaks.
sed -i -E 's/^#cmakedefine (XML_DTD|XML_NS)$/#cmakedefine \1 1/' \
	"$tmp/expat/expat/expat_config.h.cmake"
cmake_build expat "$tmp/expat/expat" \
	-DEXPAT_SHARED_LIBS=OFF -DEXPAT_BUILD_TOOLS=OFF -DEXPAT_BUILD_EXAMPLES=OFF \
	-DEXPAT_BUILD_TESTS=OFF -DEXPAT_BUILD_DOCS=OFF -DEXPAT_BUILD_FUZZERS=OFF \
	-DEXPAT_BUILD_PKGCONFIG=ON
# Without XML_STATIC, expat.h declares its functions dllimport.
sed -i 's|^Cflags: .*|& -DXML_STATIC|' "$pc/expat.pc"
license expat "$tmp/expat/expat/COPYING"
done_pkg expat $t

# --- inih -----------------------------------------------------------------------
t=$SECONDS
src=$(unpack_orig libinih)
[ -d "$src" ] || die "libinih: no source tree"
upstream=${version[libinih]%%-*}
# Pristine defaults: no INI_HANDLER_LINENO, so the handler is
# int (*)(void *user, const char *section, const char *name, const char *value),
# the same as Debian 12's native libinih-dev.
run libinih meson setup "$tmp/build-libinih" "$src" \
	--cross-file "$cross_ini" --prefix "$prefix" --libdir lib \
	--buildtype release --default-library static \
	-Ddistro_install=true -Dwith_INIReader=false
run libinih ninja -C "$tmp/build-libinih" -j "$jobs" libinih.a
run libinih meson install -C "$tmp/build-libinih" --no-rebuild --destdir "$stage"
# r59's meson.build still says version 58.
sed -i "s/^Version: .*/Version: $upstream/" "$pc/inih.pc"
cat >"$tmp/inih-check.c" <<'EOF'
#include <ini.h>
static int handler(void *user, const char *section, const char *name,
		   const char *value)
{
	(void)user, (void)section, (void)name, (void)value;
	return 1;
}
int main(void) { return ini_parse_string("a=b", handler, 0); }
EOF
license libinih "$src/LICENSE.txt"
run libinih $host-gcc -Werror -I"$stage$prefix/include" -c "$tmp/inih-check.c" \
	-o "$tmp/inih-check.o"
done_pkg libinih $t

# --- check ----------------------------------------------------------------------
t=$SECONDS
src=$(unpack_orig check)
[ -d "$src" ] || die "check: no source tree"
# Its messages use %jd and %ju: build it with mingw's C99 printf, and declare
# that in check.h (plain "printf" means msvcrt's format checking on mingw,
# which warns about %jd, an error with -Werror).
cmake_build check "$src" -DCMAKE_C_FLAGS=-D__USE_MINGW_ANSI_STDIO=1 \
	-DCHECK_ENABLE_TESTS=OFF -DCHECK_ENABLE_TIMEOUT_TESTS=OFF -DBUILD_TESTING=OFF
sed -i 's/CK_ATTRIBUTE_FORMAT(printf,/CK_ATTRIBUTE_FORMAT(gnu_printf,/' \
	"$stage$prefix/include/check.h"
grep -q 'CK_ATTRIBUTE_FORMAT(gnu_printf,' "$stage$prefix/include/check.h" ||
	die "check.h: format attribute not found"
# It found pthread.h and compiled with -pthread: users must link with it, and
# meson reads only Libs for a shared-style dependency.
sed -i -e 's|^Libs: .*|Libs: -L${libdir} -lcheck -pthread|' \
	-e 's|^Libs.private: .*|Libs.private:|' "$pc/check.pc"
# It always builds a DLL too (checkShared).
rm -f "$lib/libcheck.dll.a" "$stage$prefix/bin/libcheck.dll"
rm -rf "$stage$prefix/share/doc" "$stage$prefix/share/info" "$stage$prefix/share/man"
license check "$src/COPYING.LESSER"
done_pkg check $t

# --- zlib -----------------------------------------------------------------------
# Debian's binary package. Name libz.a itself: its libdir also has the
# import library libz.dll.a, which -lz would prefer without -static.
if [ ! -f "$pc/zlib.pc" ]; then
	zver=$(dpkg-query -W -f '${Version}' libz-mingw-w64-dev)
	zver=${zver%%+*}
	cat >"$pc/zlib.pc" <<EOF
prefix=$zlib_dir
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: zlib
Description: zlib compression library (Debian libz-mingw-w64-dev)
Version: $zver
Libs: \${libdir}/libz.a
Cflags:
EOF
fi

# --- install -------------------------------------------------------------------

# bin/ holds only Unix helper scripts (checkmk).
rm -rf "$stage$prefix/bin"
# Nothing in the prefix may be a DLL: every executable links statically.
dlls=$(find "$stage$prefix" -iname '*.dll' -o -iname '*.dll.a')
[ -z "$dlls" ] || die "DLLs left in the prefix: $dlls"

cat >"$stage$prefix/meson-deps.ini" <<EOF
# Written by packaging/build-windows-deps.sh: use with
# --cross-file packaging/cross/mingw-w64.ini --cross-file $prefix/meson-deps.ini
[properties]
pkg_config_libdir = ['$prefix/lib/pkgconfig']
EOF
mkdir -p "$stage$prefix/logs"
cp "$logs"/*.log "$stage$prefix/logs/"
cp "$tmp/stamp" "$stage$prefix/.stamp"

mkdir -p "$(dirname "$prefix")"
rm -rf "$prefix"
mv "$stage$prefix" "$prefix"
echo "win64 deps: done in $((SECONDS - start_all)) s ($(du -sh "$prefix" | cut -f1))"
