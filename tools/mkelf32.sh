#!/usr/bin/env bash
# mkelf32.sh IN OUT: wraps the loadable bytes of the ELF64 hypervisor in a
# 32-bit i386 ELF for `qemu -kernel` (QEMU's Multiboot1 loader refuses
# ELF64). The copy keeps the physical layout: one PT_LOAD segment from the
# first load address, bss included, entry at the 32-bit stub.
set -euo pipefail
in=$1 out=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
sym() { nm "$in" | awk -v s="$1" '$3 == s { print $1 }'; }
base=$(( 0x$(sym HV_IMAGE_BASE) ))
load=$(( 0x$(sym __load_start) ))
bss_end=$(( 0x$(sym __bss_end) - base ))
entry=$(( 0x$(sym start32) ))
objcopy -O binary "$in" "$tmp/image.bin"
size=$(stat -c %s "$tmp/image.bin")
cat > "$tmp/wrap.lds" <<LDS
OUTPUT_FORMAT("elf32-i386")
OUTPUT_ARCH(i386)
ENTRY(entry32)
PHDRS { image PT_LOAD FLAGS(7); }
SECTIONS {
  . = $load;
  .image : { *(.data) } :image
  .bss (NOLOAD) : { . = $bss_end - $load - $size; } :image
  entry32 = $entry;
  /DISCARD/ : { *(.note.*) }
}
LDS
( cd "$tmp" && objcopy -I binary -O elf32-i386 -B i386 image.bin image.o )
ld -m elf_i386 -nostdlib -z noexecstack --no-warn-rwx-segments -T "$tmp/wrap.lds" -o "$out" "$tmp/image.o"
