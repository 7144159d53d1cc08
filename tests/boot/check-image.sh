#!/usr/bin/env bash
# Static checks on the built images:
#  - build/xenia is Multiboot2 (and Multiboot1) bootable per grub-file;
#  - every symbol lies in the hypervisor range 0xFFFF800000000000 -
#    0xFFFF87FFFFFFFFFF, except those of the 32-bit boot stub (section .boot,
#    linked at its physical address because it runs before paging);
#  - the 32-bit copy is an i386 ELF with the same entry point.
set -uo pipefail
elf=${1:-build/xenia} elf32=${2:-build/xenia32}
pass=0 fail=0
ok() { echo "PASS $1"; pass=$((pass + 1)); }
ko() { echo "FAIL $1"; fail=$((fail + 1)); }

grub-file --is-x86-multiboot2 "$elf" && ok "grub-file multiboot2" || ko "grub-file multiboot2"
grub-file --is-x86-multiboot "$elf" && ok "grub-file multiboot1" || ko "grub-file multiboot1"

read -r boot_lo boot_size < <(readelf -SW "$elf" | sed 's/\[ */[/' | awk '$2 == ".boot" { print $4, $6 }')
if [ -z "${boot_lo:-}" ]; then ko "no .boot section found"; boot_lo=0 boot_size=0; fi
bad=$(nm "$elf" | awk -v lo=$((16#$boot_lo)) -v hi=$((16#$boot_lo + 16#$boot_size)) '
    { a = $1; v = 0
      if (a ~ /^ffff8[0-7]/) next                       # hypervisor range
      # below 2^53: exact in awk, compare with the .boot section
      for (i = 1; i <= length(a); i++) v = v * 16 + index("0123456789abcdef", substr(a, i, 1)) - 1
      if (v >= lo && v <= hi) next
      print }')
if [ -z "$bad" ]; then ok "all symbols in 0xFFFF8000_00000000-0xFFFF87FF_FFFFFFFF or .boot"
else ko "symbols outside the hypervisor range:"; echo "$bad" | head -20; fi

file_out=$(readelf -hW "$elf32")
if grep -q "ELF32" <<<"$file_out" && grep -q "Intel 80386" <<<"$file_out"; then ok "xenia32 is an i386 ELF32"
else ko "xenia32 is an i386 ELF32"; fi
e64=$(readelf -hW "$elf" | awk '/Entry point/ { print $4 }')
e32=$(readelf -hW "$elf32" | awk '/Entry point/ { print $4 }')
[ $((e64)) -eq $((e32)) ] && ok "same entry point ($e64)" || ko "entry points differ: $e64 vs $e32"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
