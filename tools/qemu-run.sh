#!/usr/bin/env bash
# qemu-run.sh: boots Xenia under QEMU.
#
#   tools/qemu-run.sh iso  ISO            [-- extra qemu options]
#   tools/qemu-run.sh kernel ELF32 CMDLINE [MODULES] [-- extra qemu options]
#
# Environment:
#   ACCEL=tcg|kvm   accelerator (default tcg; kvm is opt-in, see qemu-notes)
#   MEM=256         guest RAM in MiB
#   LOG=FILE        serial output to FILE instead of the terminal
#   TIMEOUT=SECS    wall-clock limit (0 = none); on expiry exit status 124
#   GDB=1           wait for gdb on tcp::1234 (-s -S)
# QEMU gets an isa-debug-exit device at 0xf4: the hypervisor's testexit mode
# ends the run with status 33 (success) or 35 (panic).
set -euo pipefail
mode=${1:?usage: qemu-run.sh iso ISO | kernel ELF32 CMDLINE [MODULES]}
shift
accel=${ACCEL:-tcg}
args=(-machine pc -accel "$accel" -m "${MEM:-256}" -display none -no-reboot
      -device isa-debug-exit,iobase=0xf4,iosize=0x04)
case "$mode" in
    iso)
        args+=(-cdrom "${1:?ISO}" -boot d); shift ;;
    kernel)
        args+=(-kernel "${1:?ELF32}" -append "${2:-}"); shift 2
        if [ $# -gt 0 ] && [ "$1" != "--" ]; then
            [ -n "$1" ] && args+=(-initrd "$1")
            shift
        fi
        [ -f /usr/share/qemu/qboot.rom ] && args+=(-bios /usr/share/qemu/qboot.rom) ;;
    *) echo "qemu-run.sh: unknown mode '$mode'" >&2; exit 2 ;;
esac
[ "${1:-}" = "--" ] && shift
if [ -n "${LOG:-}" ]; then
    args+=(-serial "file:$LOG")
else
    args+=(-serial mon:stdio)
fi
[ "${GDB:-0}" = 1 ] && args+=(-s -S)
if [ "${TIMEOUT:-0}" != 0 ]; then
    exec timeout --foreground -k 5 "$TIMEOUT" qemu-system-x86_64 "${args[@]}" "$@"
fi
exec qemu-system-x86_64 "${args[@]}" "$@"
