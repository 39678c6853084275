#!/usr/bin/env bash
# Fails unless EXE imports only Windows system DLLs, so that etwfwd.exe runs
# from its folder alone: no libwinpthread-1.dll, libgcc_s, zlib1.dll or a
# libcurl DLL left behind by a missing -static or a shared dependency.
#
# Usage: tests/check-imports.sh EXE
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 EXE" >&2; exit 2; }
exe=$1
[ -f "$exe" ] || { echo "check-imports: $exe: no such file" >&2; exit 2; }
objdump=${OBJDUMP:-x86_64-w64-mingw32-objdump}

# DLLs that ship with every supported Windows (10 and later, Server 2016 and
# later). Compared case-insensitively.
allowed='^(kernel32|kernelbase|ntdll|advapi32|sechost|user32|gdi32|shell32|shlwapi'
allowed+='|ole32|oleaut32|rpcrt4|ws2_32|mswsock|iphlpapi|dnsapi|userenv|psapi'
allowed+='|dbghelp|crypt32|secur32|sspicli|bcrypt|ncrypt|wintrust|normaliz'
allowed+='|wldap32|tdh|wevtapi|netapi32|version|winmm|msvcrt|ucrtbase'
allowed+='|api-ms-win-[a-z0-9-]+)\.dll$'

dump=$("$objdump" -p "$exe") || { echo "check-imports: $objdump failed on $exe" >&2; exit 2; }
dlls=$(awk '/DLL Name:/ { print $3 }' <<<"$dump" | sort -fu)
[ -n "$dlls" ] || { echo "check-imports: $exe imports no DLLs: not a PE file?" >&2; exit 2; }

bad=0
echo "DLLs imported by $(basename "$exe"):"
while read -r dll; do
	if grep -qiE "$allowed" <<<"$dll"; then
		echo "  ok   $dll"
	else
		echo "  BAD  $dll (not a Windows system DLL)"
		bad=1
	fi
done <<<"$dlls"

if [ "$bad" -ne 0 ]; then
	echo "check-imports: link it statically (-static) or drop the dependency" >&2
	exit 1
fi
