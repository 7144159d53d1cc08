#!/usr/bin/env bash
# Dependency step for `make run` and `make test`: checks the Debian packages
# the build and the tests need; installs the missing ones when run as root,
# otherwise prints the exact apt-get command and fails.
set -eu
pkgs=(gcc make binutils clang llvm qemu-system-x86 grub-pc-bin grub-common
      xorriso mtools check pkg-config python3 gdb)
# Areas that need more packages list them, one per line, in */deps.txt.
cd "$(dirname "$0")/.."
for f in */deps.txt; do
    [ -f "$f" ] || continue
    while read -r p _; do
        [ -n "$p" ] && [ "${p#\#}" = "$p" ] && pkgs+=("$p")
    done < "$f"
done
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
cmd="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
    echo "deps: missing Debian packages: ${missing[*]}" >&2
    echo "deps: run as root:  apt-get update && $cmd" >&2
    exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
