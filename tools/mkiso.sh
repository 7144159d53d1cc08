#!/usr/bin/env bash
# mkiso.sh OUT.iso HV_ELF "HV_CMDLINE" [FILE "MODULE ARGS"]...
# Builds a BIOS GRUB rescue ISO: grub.cfg with the serial terminal, no menu
# delay, `multiboot2 /boot/xenia <cmdline>` and one `module2` per module.
set -euo pipefail
out=$1 hv=$2 cmdline=$3; shift 3
tmp=$(mktemp -d) log=$(mktemp); trap 'rm -rf "$tmp" "$log"' EXIT
mkdir -p "$tmp/boot/grub"
cp "$hv" "$tmp/boot/xenia"
{
    echo "serial --unit=0 --speed=115200"
    echo "terminal_input serial"
    echo "terminal_output serial"
    echo "set timeout=0"
    echo "menuentry 'Xenia' {"
    echo "    multiboot2 /boot/xenia $cmdline"
    while [ $# -ge 2 ]; do
        name=$(basename "$1")
        cp "$1" "$tmp/boot/$name"
        echo "    module2 /boot/$name $2"
        shift 2
    done
    echo "    boot"
    echo "}"
} > "$tmp/boot/grub/grub.cfg"
# (the log lives outside the ISO tree: xorriso refuses files that change)
grub-mkrescue -o "$out" "$tmp" >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
