#!/usr/bin/env bash
# build-newlib.sh OUTDIR: builds newlib (libc.a, libm.a and headers) for the
# pv-guest kernel from Debian's newlib-source tarball.
#
#   OUTDIR/src      the extracted source tree
#   OUTDIR/obj      the configure/build tree
#   OUTDIR/install  the result: x86_64-elf/include, x86_64-elf/lib
#
# The library is compiled with the host gcc for the guest's code model
# (-mcmodel=kernel, no red zone, no PIE, no stack protector). Only the C
# library itself is built (all-target-newlib); the system calls it needs
# (write, sbrk, ...) come from pv-guest/kernel/newlib_glue.c. The caller
# (pv-guest/newlib/build.mk) runs this once and keeps a stamp file.
set -euo pipefail
out=${1:?usage: build-newlib.sh OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
tarball=$(ls /usr/src/newlib/newlib-*.tar.* 2>/dev/null | head -n 1 || true)
if [ -z "$tarball" ]; then
    echo "newlib: no /usr/src/newlib/newlib-*.tar.*: install Debian's newlib-source" >&2
    exit 1
fi
jobs=$(nproc 2>/dev/null || echo 2)
start=$(date +%s)

rm -rf "$out/src" "$out/obj" "$out/install"
mkdir -p "$out/src" "$out/obj"
echo "  NEWLIB  extract $(basename "$tarball")"
tar -xf "$tarball" -C "$out/src" --strip-components=1

target_cflags="-O2 -g -mcmodel=kernel -mno-red-zone -fno-pie -fno-stack-protector"
target_cflags+=" -fno-asynchronous-unwind-tables -fcf-protection=none"
cd "$out/obj"
echo "  NEWLIB  configure (log: $out/obj/build.log)"
"$out/src/configure" --target=x86_64-elf --prefix="$out/install" \
    --disable-multilib --disable-nls --disable-newlib-supplied-syscalls \
    --enable-newlib-io-long-long --disable-newlib-multithread \
    CC_FOR_TARGET=gcc CXX_FOR_TARGET=g++ AR_FOR_TARGET=ar AS_FOR_TARGET=as \
    LD_FOR_TARGET=ld NM_FOR_TARGET=nm RANLIB_FOR_TARGET=ranlib \
    OBJDUMP_FOR_TARGET=objdump READELF_FOR_TARGET=readelf \
    STRIP_FOR_TARGET=strip CFLAGS_FOR_TARGET="$target_cflags" \
    > build.log 2>&1 || { tail -n 30 build.log >&2; exit 1; }
echo "  NEWLIB  make all-target-newlib (-j$jobs)"
make -j"$jobs" all-target-newlib >> build.log 2>&1 || { tail -n 40 build.log >&2; exit 1; }
make install-target-newlib >> build.log 2>&1 || { tail -n 40 build.log >&2; exit 1; }
test -f "$out/install/x86_64-elf/lib/libc.a"
echo "  NEWLIB  done in $(( $(date +%s) - start )) s"
