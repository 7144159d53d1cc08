/*
 * ELF64 PV kernel loader core (hypervisor/core/elf.c).
 *
 * Images are assembled in memory by a small builder that knows the ELF64
 * layout independently of the code under test (raw offsets, raw numbers),
 * then copied into a heap buffer of exactly their size so that ASan catches
 * any read past the end. The good kernel looks like x86_64 Linux: linked
 * high through VIRT_BASE, e_entry a physical address, the real entry in the
 * ENTRY note, and the full set of Xen notes.
 */
#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/elf.h"
#include "public/elfnote.h"
#include "public/xen.h"

/* ---- Raw ELF64 numbers, for the builder ---- */
enum { T_ET_EXEC = 2, T_ET_DYN = 3, T_EM_386 = 3, T_EM_X86_64 = 62 };
enum { T_PT_LOAD = 1, T_PT_NOTE = 4, T_PT_GNU_STACK = 0x6474e551, T_SHT_NOTE = 7 };
enum { PF_X = 1, PF_W = 2, PF_R = 4 };

#define VB        0xffffffff80000000ULL      /* VIRT_BASE of the good kernel */
#define ENTRY_VA  (VB + 0x1010)
#define HCALL_VA  (VB + 0x2000)
#define P2M_VA    0xffffea0000000000ULL
#define AUTO_OFF  UINT64_MAX

struct tseg {
    uint32_t type, flags;
    uint64_t paddr, vaddr, filesz, memsz;
    uint64_t offset;            /* AUTO_OFF: placed by the builder */
};

struct tnote {
    char name[8];
    uint32_t namesz;
    uint32_t type;
    uint8_t desc[320];
    uint32_t descsz;
    uint32_t claim_namesz;      /* non-zero: written to the header instead */
    uint32_t claim_descsz;
};

enum note_place { NOTES_PT, NOTES_SECTION, NOTES_BOTH_SPLIT };

struct tspec {
    uint8_t cls, data, ver;
    uint16_t etype, machine, phentsize;
    uint64_t e_entry;
    struct tseg seg[24];
    unsigned nseg;
    struct tnote note[40];
    unsigned nnote;
    enum note_place where;
    unsigned pt_note_copies;    /* PT_NOTE headers pointing at the notes */
    bool cut_last_pad;          /* note area stops right after the last desc */
};

static void put(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static struct tnote *add_note(struct tspec *sp, const char *name, uint32_t type,
                              const void *desc, uint32_t len)
{
    ck_assert_uint_lt(sp->nnote, 40);
    ck_assert_uint_le(len, sizeof(sp->note[0].desc));
    struct tnote *n = &sp->note[sp->nnote++];
    memset(n, 0, sizeof(*n));
    strcpy(n->name, name);
    n->namesz = (uint32_t)strlen(name) + 1;
    n->type = type;
    memcpy(n->desc, desc, len);
    n->descsz = len;
    return n;
}

static void add_str(struct tspec *sp, uint32_t type, const char *s)
{
    add_note(sp, "Xen", type, s, (uint32_t)strlen(s) + 1);
}

static void add_num(struct tspec *sp, uint32_t type, uint64_t v, unsigned size)
{
    uint8_t b[8];
    put(b, v, size);
    add_note(sp, "Xen", type, b, size);
}

static void add_seg(struct tspec *sp, uint32_t flags, uint64_t paddr, uint64_t vaddr,
                    uint64_t filesz, uint64_t memsz)
{
    ck_assert_uint_lt(sp->nseg, 24);
    sp->seg[sp->nseg++] = (struct tseg){ T_PT_LOAD, flags, paddr, vaddr, filesz, memsz, AUTO_OFF };
}

/* The good kernel: two segments, every Xen note, one foreign note. */
static void good_spec(struct tspec *sp)
{
    memset(sp, 0, sizeof(*sp));
    sp->cls = 2;
    sp->data = 1;
    sp->ver = 1;
    sp->etype = T_ET_EXEC;
    sp->machine = T_EM_X86_64;
    sp->phentsize = 56;
    sp->e_entry = 0x1010;                   /* physical, as in x86_64 Linux */
    sp->pt_note_copies = 1;
    add_seg(sp, PF_R | PF_X, 0x1000, VB + 0x1000, 0x80, 0x2000);
    add_seg(sp, PF_R | PF_W, 0x3000, VB + 0x3000, 0x20, 0x3000);

    static const uint8_t build_id[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
    add_note(sp, "GNU", 3, build_id, sizeof(build_id));
    add_str(sp, XEN_ELFNOTE_GUEST_OS, "Mini-OS");
    add_str(sp, XEN_ELFNOTE_GUEST_VERSION, "0.1");
    add_str(sp, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    add_str(sp, XEN_ELFNOTE_LOADER, "generic");
    add_str(sp, XEN_ELFNOTE_PAE_MODE, "yes");
    add_str(sp, XEN_ELFNOTE_FEATURES, "!writable_page_tables|pae_pgdir_above_4gb");
    add_str(sp, XEN_ELFNOTE_INFO, "KEY=VALUE");
    add_num(sp, XEN_ELFNOTE_VIRT_BASE, VB, 8);
    add_num(sp, XEN_ELFNOTE_PADDR_OFFSET, 0, 8);
    add_num(sp, XEN_ELFNOTE_ENTRY, ENTRY_VA, 8);
    add_num(sp, XEN_ELFNOTE_HYPERCALL_PAGE, HCALL_VA, 8);
    add_num(sp, XEN_ELFNOTE_HV_START_LOW, 0xF5800000, 4);
    add_num(sp, XEN_ELFNOTE_SUSPEND_CANCEL, 1, 4);
    add_num(sp, XEN_ELFNOTE_INIT_P2M, P2M_VA, 8);
    add_num(sp, XEN_ELFNOTE_MOD_START_PFN, 1, 1);
    add_num(sp, XEN_ELFNOTE_SUPPORTED_FEATURES, 0x801, 4);
    add_num(sp, XEN_ELFNOTE_PHYS32_ENTRY, 0x1000, 4);
    uint8_t l1[16];
    put(l1, 1, 8);
    put(l1 + 8, 1, 8);
    add_note(sp, "Xen", XEN_ELFNOTE_L1_MFN_VALID, l1, sizeof(l1));
}

static size_t note_blob(const struct tnote *n, unsigned count, uint8_t *out, bool cut_last_pad)
{
    size_t len = 0, end = 0;
    for (unsigned i = 0; i < count; i++) {
        put(out + len, n[i].claim_namesz ? n[i].claim_namesz : n[i].namesz, 4);
        put(out + len + 4, n[i].claim_descsz ? n[i].claim_descsz : n[i].descsz, 4);
        put(out + len + 8, n[i].type, 4);
        len += 12;
        memcpy(out + len, n[i].name, n[i].namesz);
        len += (n[i].namesz + 3) & ~3U;
        memcpy(out + len, n[i].desc, n[i].descsz);
        end = len + n[i].descsz;
        len += (n[i].descsz + 3) & ~3UL;
    }
    return cut_last_pad ? end : len;
}

static uint8_t scratch[1 << 21];

/* Lay the image out: header, program headers, notes, segment bytes, sections. */
static uint8_t *build(const struct tspec *sp, uint64_t *size_out)
{
    uint8_t *b = scratch;
    memset(b, 0, sizeof(scratch));
    unsigned n_pt_note = sp->nnote && sp->where != NOTES_SECTION ? sp->pt_note_copies : 0;
    unsigned nph = sp->nseg + n_pt_note;
    size_t pos = 64 + (size_t)nph * 56;

    /* Notes: split placement puts the first note in PT_NOTE, the rest in a section. */
    unsigned pt_count = sp->where == NOTES_BOTH_SPLIT ? 1 : sp->nnote;
    size_t notes_at = (pos + 3) & ~3UL;
    size_t notes_len = note_blob(sp->note, pt_count, b + notes_at, sp->cut_last_pad);
    size_t sec_at = (notes_at + notes_len + 3) & ~3UL, sec_len = 0;
    if (sp->where == NOTES_BOTH_SPLIT)
        sec_len = note_blob(sp->note + 1, sp->nnote - 1, b + sec_at, false);
    pos = sec_at + sec_len;

    memcpy(b, "\x7f" "ELF", 4);
    b[4] = sp->cls;
    b[5] = sp->data;
    b[6] = sp->ver;
    put(b + 16, sp->etype, 2);
    put(b + 18, sp->machine, 2);
    put(b + 20, 1, 4);
    put(b + 24, sp->e_entry, 8);
    put(b + 32, 64, 8);
    put(b + 52, 64, 2);
    put(b + 54, sp->phentsize, 2);
    put(b + 56, nph, 2);

    for (unsigned i = 0; i < sp->nseg; i++) {
        const struct tseg *s = &sp->seg[i];
        uint8_t *ph = b + 64 + (size_t)i * 56;
        uint64_t off = s->offset;
        if (off == AUTO_OFF) {
            pos = (pos + 15) & ~15UL;
            off = pos;
            ck_assert_uint_le(pos + s->filesz, sizeof(scratch) / 2);
            for (uint64_t k = 0; k < s->filesz; k++)
                b[pos + k] = (uint8_t)(0x11 * (i + 1) + k);
            pos += s->filesz;
        }
        put(ph, s->type, 4);
        put(ph + 4, s->flags, 4);
        put(ph + 8, off, 8);
        put(ph + 16, s->vaddr, 8);
        put(ph + 24, s->paddr, 8);
        put(ph + 32, s->filesz, 8);
        put(ph + 40, s->memsz, 8);
        put(ph + 48, 0x1000, 8);
    }
    for (unsigned i = 0; i < n_pt_note; i++) {
        uint8_t *ph = b + 64 + (size_t)(sp->nseg + i) * 56;
        put(ph, T_PT_NOTE, 4);
        put(ph + 4, PF_R, 4);
        put(ph + 8, notes_at, 8);
        put(ph + 32, notes_len, 8);
        put(ph + 40, notes_len, 8);
        put(ph + 48, 4, 8);
    }
    if (sp->where != NOTES_PT) {
        pos = (pos + 7) & ~7UL;
        put(b + 40, pos, 8);
        put(b + 58, 64, 2);
        put(b + 60, 2, 2);
        uint8_t *sh = b + pos + 64;             /* section 0 stays null */
        put(sh + 4, T_SHT_NOTE, 4);
        put(sh + 24, sp->where == NOTES_SECTION ? notes_at : sec_at, 8);
        put(sh + 32, sp->where == NOTES_SECTION ? notes_len : sec_len, 8);
        pos += 128;
    }

    uint8_t *img = malloc(pos);
    ck_assert_ptr_nonnull(img);
    memcpy(img, b, pos);
    *size_out = pos;
    return img;
}

/* Offset of program header i's field, for patching built images. */
static size_t ph_field(unsigned i, size_t field)
{
    return 64 + (size_t)i * 56 + field;
}

/* ---- Loading into a bounded window ---- */

struct window {
    uint64_t base;
    uint8_t *mem;
    uint64_t size;
    unsigned calls;
    bool crossed_page;
};

static void *window_dest(void *ctx, uint64_t va, uint64_t len)
{
    struct window *w = ctx;
    w->calls++;
    if ((va & 0xfff) + len > 0x1000)
        w->crossed_page = true;
    if (va < w->base || va - w->base > w->size || len > w->size - (va - w->base))
        return NULL;
    return w->mem + (va - w->base);
}

static struct window *window_new(uint64_t base, uint64_t size)
{
    struct window *w = calloc(1, sizeof(*w));
    ck_assert_ptr_nonnull(w);
    w->base = base;
    w->size = size;
    w->mem = malloc(size);
    ck_assert_ptr_nonnull(w->mem);
    memset(w->mem, 0xAA, size);
    return w;
}

static void window_free(struct window *w)
{
    free(w->mem);
    free(w);
}

/* Parse a spec; expect failure whose message contains `want`. */
static void expect_reject(const struct tspec *sp, const char *want)
{
    uint64_t size;
    uint8_t *img = build(sp, &size);
    struct elf_image e;
    const char *err = NULL;
    memset(&e, 0x5A, sizeof(e));
    ck_assert_int_eq(elf_parse(img, size, &e, &err), -22);
    ck_assert_ptr_nonnull(err);
    ck_assert_msg(strstr(err, want) != NULL, "error \"%s\" does not mention \"%s\"", err, want);
    static const struct elf_image zero;
    ck_assert_msg(memcmp(&e, &zero, sizeof(e)) == 0, "failed parse left *img filled");
    free(img);
}

static void expect_reject_bytes(uint8_t *img, uint64_t size, const char *want)
{
    struct elf_image e;
    const char *err = NULL;
    ck_assert_int_eq(elf_parse(img, size, &e, &err), -22);
    ck_assert_ptr_nonnull(err);
    ck_assert_msg(strstr(err, want) != NULL, "error \"%s\" does not mention \"%s\"", err, want);
}

static void parse_ok(const struct tspec *sp, struct elf_image *e, uint8_t **img_out)
{
    uint64_t size;
    uint8_t *img = build(sp, &size);
    const char *err = "unset";
    int rc = elf_parse(img, size, e, &err);
    ck_assert_msg(rc == 0, "parse failed: %s", err ? err : "(null)");
    ck_assert_ptr_null(err);
    *img_out = img;
}

static void expect_guest_reject(const struct tspec *sp, const char *want)
{
    struct elf_image e;
    uint8_t *img;
    const char *err = NULL;
    parse_ok(sp, &e, &img);
    ck_assert_int_eq(elf_check_xen_guest(&e, &err), -22);
    ck_assert_ptr_nonnull(err);
    ck_assert_msg(strstr(err, want) != NULL, "error \"%s\" does not mention \"%s\"", err, want);
    free(img);
}

static void expect_guest_ok(const struct tspec *sp)
{
    struct elf_image e;
    uint8_t *img;
    const char *err = "unset";
    parse_ok(sp, &e, &img);
    ck_assert_msg(elf_check_xen_guest(&e, &err) == 0, "guest check failed: %s", err);
    free(img);
}

/* ---- The good kernel ---- */

START_TEST(elf_good_kernel_parses_with_every_note)
{
    struct tspec sp;
    struct elf_image e;
    uint8_t *img;
    good_spec(&sp);
    parse_ok(&sp, &e, &img);

    ck_assert_uint_eq(e.nr_load, 2);
    ck_assert_uint_eq(e.vstart, VB + 0x1000);
    ck_assert_uint_eq(e.vend, VB + 0x6000);
    ck_assert_uint_eq(e.entry, ENTRY_VA);            /* the note, not e_entry */

    const struct elf_xen_notes *n = &e.notes;
    ck_assert_str_eq(n->guest_os, "Mini-OS");
    ck_assert_str_eq(n->guest_version, "0.1");
    ck_assert_str_eq(n->xen_version, "xen-3.0");
    ck_assert_str_eq(n->loader, "generic");
    ck_assert_str_eq(n->pae_mode, "yes");
    ck_assert_str_eq(n->features, "!writable_page_tables|pae_pgdir_above_4gb");
    ck_assert_uint_eq(n->virt_base, VB);
    ck_assert_uint_eq(n->paddr_offset, 0);
    ck_assert_uint_eq(n->entry, ENTRY_VA);
    ck_assert_uint_eq(n->hypercall_page, HCALL_VA);
    ck_assert_uint_eq(n->hv_start_low, 0xF5800000);
    ck_assert(n->suspend_cancel);
    ck_assert_uint_eq(n->init_p2m, P2M_VA);
    ck_assert_uint_eq(n->mod_start_pfn, 1);
    ck_assert_uint_eq(n->supported_features, 0x801);
    ck_assert_uint_eq(n->l1_mfn_valid[0], 1);
    ck_assert_uint_eq(n->l1_mfn_valid[1], 1);
    uint32_t want = 0;
    for (unsigned t = 0; t <= 18; t++)
        if (t != XEN_ELFNOTE_BSD_SYMTAB)
            want |= 1U << t;
    ck_assert_uint_eq(n->present, want);

    const char *err = "unset";
    ck_assert_int_eq(elf_check_xen_guest(&e, &err), 0);
    ck_assert_ptr_null(err);
    free(img);
}
END_TEST

START_TEST(elf_load_copies_file_bytes_and_zeroes_the_rest)
{
    struct tspec sp;
    struct elf_image e;
    uint8_t *img;
    good_spec(&sp);
    parse_ok(&sp, &e, &img);

    struct window *w = window_new(VB, 0x10000);
    const char *err = "unset";
    ck_assert_int_eq(elf_load(&e, window_dest, w, &err), 0);
    ck_assert_ptr_null(err);
    ck_assert(!w->crossed_page);
    ck_assert_uint_eq(w->calls, 5);                  /* 2 + 3 pages */

    for (unsigned k = 0; k < 0x80; k++)              /* text: builder pattern */
        ck_assert_uint_eq(w->mem[0x1000 + k], (uint8_t)(0x11 + k));
    for (unsigned k = 0x80; k < 0x2000; k++)
        ck_assert_uint_eq(w->mem[0x1000 + k], 0);
    for (unsigned k = 0; k < 0x20; k++)              /* data */
        ck_assert_uint_eq(w->mem[0x3000 + k], (uint8_t)(0x22 + k));
    for (unsigned k = 0x20; k < 0x3000; k++)         /* bss */
        ck_assert_uint_eq(w->mem[0x3000 + k], 0);
    for (unsigned k = 0; k < 0x1000; k++)            /* untouched around it */
        ck_assert_uint_eq(w->mem[k], 0xAA);
    for (unsigned k = 0x6000; k < 0x10000; k++)
        ck_assert_uint_eq(w->mem[k], 0xAA);
    window_free(w);
    free(img);
}
END_TEST

START_TEST(elf_load_fails_when_destination_refuses)
{
    struct tspec sp;
    struct elf_image e;
    uint8_t *img;
    good_spec(&sp);
    parse_ok(&sp, &e, &img);

    struct window *w = window_new(VB, 0x4000);       /* bss does not fit */
    const char *err = NULL;
    ck_assert_int_eq(elf_load(&e, window_dest, w, &err), -22);
    ck_assert_str_eq(err, "destination refused");

    struct elf_image zero;
    memset(&zero, 0, sizeof(zero));
    ck_assert_int_eq(elf_load(&zero, window_dest, w, &err), -22);
    ck_assert_ptr_nonnull(err);
    window_free(w);
    free(img);
}
END_TEST

/* x86_64 Linux links its per-CPU segment at p_vaddr 0; Xen places it by p_paddr. */
START_TEST(elf_segments_load_at_paddr_plus_virt_base)
{
    struct tspec sp;
    struct elf_image e;
    uint8_t *img;
    good_spec(&sp);
    add_seg(&sp, PF_R | PF_W, 0x6000, 0, 0x10, 0x1000);
    parse_ok(&sp, &e, &img);
    ck_assert_uint_eq(e.nr_load, 3);
    ck_assert_uint_eq(e.vend, VB + 0x7000);

    struct window *w = window_new(VB, 0x10000);
    ck_assert_int_eq(elf_load(&e, window_dest, w, NULL), 0);
    for (unsigned k = 0; k < 0x10; k++)
        ck_assert_uint_eq(w->mem[0x6000 + k], (uint8_t)(0x33 + k));
    window_free(w);
    free(img);

    /* Without notes the offset is 0: segments go to p_paddr. */
    memset(&sp.note, 0, sizeof(sp.note));
    sp.nnote = 0;
    sp.e_entry = 0x1010;
    parse_ok(&sp, &e, &img);
    ck_assert_uint_eq(e.vstart, 0x1000);
    ck_assert_uint_eq(e.entry, 0x1010);
    ck_assert_int_eq(elf_check_xen_guest(&e, NULL), -22);
    free(img);
}
END_TEST

START_TEST(elf_segments_xen_does_not_load_are_ignored)
{
    struct tspec sp;
    struct elf_image e;
    uint8_t *img;
    good_spec(&sp);
    /* No R/W/X flags, garbage file range: Xen skips such a PT_LOAD. */
    sp.seg[sp.nseg++] = (struct tseg){ T_PT_LOAD, 0, 0x1000, 0, 0x100000, 0x100000, 0xFFFFFFFF };
    /* memsz 0: nothing to load. */
    add_seg(&sp, PF_R, 0x1000, VB + 0x1000, 0, 0);
    /* other types are never looked at */
    sp.seg[sp.nseg++] = (struct tseg){ T_PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 0 };
    parse_ok(&sp, &e, &img);
    ck_assert_uint_eq(e.nr_load, 2);
    free(img);
}
END_TEST

/* ---- Malformed images ---- */

START_TEST(elf_rejects_bad_identification)
{
    struct tspec sp;
    good_spec(&sp);
    uint64_t size;
    uint8_t *img = build(&sp, &size);

    img[0] = 0x7e;
    expect_reject_bytes(img, size, "magic");
    img[0] = 0x7f;
    img[4] = 1;
    expect_reject_bytes(img, size, "ELFCLASS64");
    img[4] = 2;
    img[5] = 2;
    expect_reject_bytes(img, size, "little-endian");
    img[5] = 1;
    img[6] = 0;
    expect_reject_bytes(img, size, "version");
    img[6] = 1;
    expect_reject_bytes(img, 63, "smaller than an ELF header");
    expect_reject_bytes(img, 0, "smaller than an ELF header");
    free(img);

    good_spec(&sp);
    sp.machine = T_EM_386;
    expect_reject(&sp, "x86_64");
    good_spec(&sp);
    sp.etype = T_ET_DYN;
    expect_reject(&sp, "ET_EXEC");
    good_spec(&sp);
    sp.phentsize = 64;
    expect_reject(&sp, "e_phentsize");
}
END_TEST

START_TEST(elf_rejects_program_headers_past_the_end)
{
    struct tspec sp;
    good_spec(&sp);
    uint64_t size;
    uint8_t *img = build(&sp, &size);

    put(img + 32, size - 100, 8);                    /* e_phoff */
    expect_reject_bytes(img, size, "program headers");
    put(img + 32, UINT64_MAX - 10, 8);               /* would wrap */
    expect_reject_bytes(img, size, "program headers");
    put(img + 32, 64, 8);
    put(img + 56, 0xFFFF, 2);                        /* e_phnum */
    expect_reject_bytes(img, size, "program headers");
    free(img);
}
END_TEST

START_TEST(elf_rejects_bad_segments)
{
    struct tspec sp;

    good_spec(&sp);
    sp.seg[0].offset = 0x100000;                     /* file range past the end */
    expect_reject(&sp, "file range");
    good_spec(&sp);
    sp.seg[1].offset = 0x40;
    sp.seg[1].filesz = UINT64_MAX - 0x20;            /* offset + filesz wraps */
    expect_reject(&sp, "file range");
    good_spec(&sp);
    sp.seg[1].filesz = 0x20;
    sp.seg[1].memsz = 0x10;                          /* filesz > memsz */
    expect_reject(&sp, "p_filesz > p_memsz");
    good_spec(&sp);
    sp.seg[1].paddr = 0x2800;                        /* overlaps text */
    expect_reject(&sp, "overlap");
    good_spec(&sp);
    add_seg(&sp, PF_R, 0x1000, 0, 0, 0x10);          /* same start as text */
    expect_reject(&sp, "overlap");
    good_spec(&sp);
    sp.seg[1].paddr = 0x7FFFF000;                    /* ends past 2^64 */
    sp.seg[1].memsz = 0x2000;
    expect_reject(&sp, "wraps");
    good_spec(&sp);
    sp.seg[1].paddr = 0x0000800000000000ULL - VB;    /* lands on a non-canonical address */
    expect_reject(&sp, "canonical");
    good_spec(&sp);
    sp.seg[1].paddr = 0x00007ffffffff000ULL - VB;    /* runs from the low half into the hole */
    expect_reject(&sp, "canonical");
}
END_TEST

START_TEST(elf_rejects_missing_or_too_many_loads)
{
    struct tspec sp;

    good_spec(&sp);
    sp.nseg = 0;
    expect_reject(&sp, "no PT_LOAD");
    good_spec(&sp);
    sp.seg[0].flags = 0;
    sp.seg[1].flags = 0;
    expect_reject(&sp, "no PT_LOAD");

    good_spec(&sp);
    for (unsigned i = 0; i < 14; i++)
        add_seg(&sp, PF_R, 0x10000 + i * 0x1000, 0, 8, 0x1000);
    struct elf_image e;
    uint8_t *img;
    parse_ok(&sp, &e, &img);                         /* 16 is the limit */
    ck_assert_uint_eq(e.nr_load, 16);
    free(img);
    add_seg(&sp, PF_R, 0x40000, 0, 8, 0x1000);
    expect_reject(&sp, "more than 16");
}
END_TEST

START_TEST(elf_rejects_bad_entry_points)
{
    struct tspec sp;

    good_spec(&sp);
    put(sp.note[10].desc, 0x8000000000000000ULL, 8); /* ENTRY note */
    ck_assert_uint_eq(sp.note[10].type, XEN_ELFNOTE_ENTRY);
    expect_reject(&sp, "not canonical");
    good_spec(&sp);
    put(sp.note[10].desc, VB + 0x6000, 8);           /* one past the end */
    expect_reject(&sp, "outside");
    good_spec(&sp);
    put(sp.note[10].desc, VB + 0x800, 8);            /* below the image */
    expect_reject(&sp, "outside");

    /* Without an ENTRY note e_entry counts, and must be inside too. */
    good_spec(&sp);
    sp.note[10].type = 0x7FFF;
    expect_reject(&sp, "outside");
    sp.e_entry = VB + 0x1234;
    struct elf_image e;
    uint8_t *img;
    parse_ok(&sp, &e, &img);
    ck_assert_uint_eq(e.entry, VB + 0x1234);
    free(img);
}
END_TEST

START_TEST(elf_rejects_notes_running_past_their_segment)
{
    struct tspec sp;

    good_spec(&sp);
    sp.note[3].claim_namesz = 5000;                  /* "Xen" claims a long name */
    expect_reject(&sp, "name runs past");
    good_spec(&sp);
    sp.note[4].claim_descsz = 0xFFFFFFF0;
    expect_reject(&sp, "descriptor runs past");
    good_spec(&sp);
    sp.note[sp.nnote - 1].claim_descsz = sp.note[sp.nnote - 1].descsz + 4;
    expect_reject(&sp, "descriptor runs past");      /* last note one word too long */

    /* A PT_NOTE whose range leaves the file. */
    good_spec(&sp);
    uint64_t size;
    uint8_t *img = build(&sp, &size);
    put(img + ph_field(2, 32), size, 8);             /* p_filesz of the PT_NOTE */
    expect_reject_bytes(img, size, "PT_NOTE");
    free(img);

    /* Fewer than 12 bytes left that are not padding. */
    good_spec(&sp);
    img = build(&sp, &size);
    uint64_t off = 0, len = 0;
    for (unsigned i = 0; i < 8; i++) {
        off |= (uint64_t)img[ph_field(2, 8) + i] << (8 * i);
        len |= (uint64_t)img[ph_field(2, 32) + i] << (8 * i);
    }
    put(img + ph_field(2, 32), len + 8, 8);          /* 8 more bytes: padding if zero */
    memset(img + off + len, 0, 8);
    struct elf_image e;
    ck_assert_int_eq(elf_parse(img, size, &e, NULL), 0);
    img[off + len + 3] = 0x99;
    expect_reject_bytes(img, size, "runs past");
    free(img);
}
END_TEST

START_TEST(elf_rejects_malformed_xen_notes)
{
    struct tspec sp;

    good_spec(&sp);
    sp.note[1].desc[sp.note[1].descsz - 1] = 'x';     /* GUEST_OS loses its NUL */
    expect_reject(&sp, "NUL");
    good_spec(&sp);
    char longer[40];
    memset(longer, 'a', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = 0;
    add_str(&sp, XEN_ELFNOTE_GUEST_VERSION, longer);   /* 39 chars > 31 */
    expect_reject(&sp, "too long");
    good_spec(&sp);
    char feat[300];
    memset(feat, 'f', 256);
    feat[256] = 0;
    add_str(&sp, XEN_ELFNOTE_FEATURES, feat);
    expect_reject(&sp, "too long");
    good_spec(&sp);
    add_num(&sp, XEN_ELFNOTE_VIRT_BASE, VB, 3);
    expect_reject(&sp, "1, 2, 4 or 8");
    good_spec(&sp);
    add_note(&sp, "Xen", XEN_ELFNOTE_ENTRY, "", 0);
    expect_reject(&sp, "1, 2, 4 or 8");
    good_spec(&sp);
    add_num(&sp, XEN_ELFNOTE_L1_MFN_VALID, 1, 8);
    expect_reject(&sp, "L1_MFN_VALID");
    good_spec(&sp);
    add_num(&sp, XEN_ELFNOTE_SUPPORTED_FEATURES, 1, 2);
    expect_reject(&sp, "SUPPORTED_FEATURES");
}
END_TEST

START_TEST(elf_limits_the_number_of_notes)
{
    struct tspec sp;
    good_spec(&sp);
    sp.pt_note_copies = 4;                           /* 4 views of the same notes */
    struct elf_image e;
    uint8_t *img;
    parse_ok(&sp, &e, &img);
    free(img);

    /* 4 PT_NOTE headers over one area of 30000 empty notes: 120000 > 65536. */
    good_spec(&sp);
    sp.pt_note_copies = 4;
    uint64_t size;
    img = build(&sp, &size);
    uint64_t area = 30000 * 12;
    uint8_t *big = calloc(1, size + area);
    ck_assert_ptr_nonnull(big);
    memcpy(big, img, size);
    for (unsigned i = 2; i < 6; i++) {
        put(big + ph_field(i, 8), size, 8);
        put(big + ph_field(i, 32), area, 8);
    }
    expect_reject_bytes(big, size + area, "too many");
    free(big);
    free(img);
}
END_TEST

/* ---- Where notes come from ---- */

START_TEST(elf_notes_from_sections_when_no_pt_note)
{
    struct tspec sp;
    struct elf_image e;
    uint8_t *img;
    good_spec(&sp);
    sp.where = NOTES_SECTION;
    parse_ok(&sp, &e, &img);
    ck_assert_str_eq(e.notes.loader, "generic");
    ck_assert_uint_eq(e.entry, ENTRY_VA);
    ck_assert_int_eq(elf_check_xen_guest(&e, NULL), 0);
    free(img);

    /* PT_NOTE holding only a foreign note: sections are consulted too. */
    good_spec(&sp);
    sp.where = NOTES_BOTH_SPLIT;
    parse_ok(&sp, &e, &img);
    ck_assert_str_eq(e.notes.xen_version, "xen-3.0");
    free(img);

    /* A broken section table matters only when it is read. */
    good_spec(&sp);
    sp.where = NOTES_SECTION;
    uint64_t size;
    img = build(&sp, &size);
    put(img + 58, 40, 2);                            /* e_shentsize */
    expect_reject_bytes(img, size, "e_shentsize");
    put(img + 58, 64, 2);
    put(img + 40, size - 64, 8);                     /* table past the end */
    expect_reject_bytes(img, size, "section headers");
    free(img);

    good_spec(&sp);
    sp.where = NOTES_SECTION;
    img = build(&sp, &size);
    uint64_t shoff = 0;
    for (unsigned i = 0; i < 8; i++)
        shoff |= (uint64_t)img[40 + i] << (8 * i);
    put(img + shoff + 64 + 32, size, 8);             /* SHT_NOTE sh_size */
    expect_reject_bytes(img, size, "SHT_NOTE");
    free(img);

    /* With Xen notes in PT_NOTE the section table is not read at all. */
    good_spec(&sp);
    img = build(&sp, &size);
    put(img + 40, 8, 8);
    put(img + 58, 40, 2);
    put(img + 60, 1000, 2);
    ck_assert_int_eq(elf_parse(img, size, &e, NULL), 0);
    free(img);
}
END_TEST

START_TEST(elf_note_encodings)
{
    struct tspec sp;
    struct elf_image e;
    uint8_t *img;

    /* 1-, 2- and 4-byte numbers; a later note replaces an earlier one. */
    good_spec(&sp);
    add_num(&sp, XEN_ELFNOTE_HV_START_LOW, 0xABCD, 2);
    add_num(&sp, XEN_ELFNOTE_SUSPEND_CANCEL, 0, 1);
    add_num(&sp, XEN_ELFNOTE_SUPPORTED_FEATURES, 0x10, 8);   /* two words, ORed in */
    add_str(&sp, XEN_ELFNOTE_GUEST_OS, "linux");
    add_num(&sp, 40, 7, 4);                                  /* unknown, type >= 32 */
    add_num(&sp, 25, 7, 3);                                  /* unknown, any size */
    add_note(&sp, "Xe", XEN_ELFNOTE_ENTRY, "\1", 1);         /* not a Xen note */
    add_note(&sp, "XenX", XEN_ELFNOTE_ENTRY, "\1", 1);
    parse_ok(&sp, &e, &img);
    ck_assert_uint_eq(e.notes.hv_start_low, 0xABCD);
    ck_assert(!e.notes.suspend_cancel);
    ck_assert_uint_eq(e.notes.supported_features, 0x811);
    ck_assert_str_eq(e.notes.guest_os, "linux");
    ck_assert_uint_eq(e.entry, ENTRY_VA);
    ck_assert(e.notes.present & (1U << 25));
    free(img);

    /* The padding after the very last descriptor may be missing. */
    good_spec(&sp);
    add_str(&sp, XEN_ELFNOTE_GUEST_VERSION, "4.19");        /* 5 bytes: 3 of padding */
    sp.cut_last_pad = true;
    parse_ok(&sp, &e, &img);
    ck_assert_str_eq(e.notes.guest_version, "4.19");
    free(img);

    /* Strings may fill their field exactly (15 characters + NUL). */
    good_spec(&sp);
    add_str(&sp, XEN_ELFNOTE_LOADER, "generic-0123456");
    parse_ok(&sp, &e, &img);
    ck_assert_str_eq(e.notes.loader, "generic-0123456");
    free(img);
}
END_TEST

/* ---- The PV accept rules ---- */

static struct tnote *find_note(struct tspec *sp, uint32_t type)
{
    for (unsigned i = 0; i < sp->nnote; i++)
        if (strcmp(sp->note[i].name, "Xen") == 0 && sp->note[i].type == type)
            return &sp->note[i];
    ck_abort_msg("no note of type %u", type);
    return NULL;
}

static void set_str(struct tnote *n, const char *s)
{
    memset(n->desc, 0, sizeof(n->desc));
    strcpy((char *)n->desc, s);
    n->descsz = (uint32_t)strlen(s) + 1;
}

START_TEST(elf_accepts_generic_loader_or_linux)
{
    struct tspec sp;

    good_spec(&sp);                                  /* LOADER generic, GUEST_OS Mini-OS */
    expect_guest_ok(&sp);
    good_spec(&sp);
    find_note(&sp, XEN_ELFNOTE_LOADER)->type = 0x7FFF;   /* no LOADER ... */
    set_str(find_note(&sp, XEN_ELFNOTE_GUEST_OS), "linux");  /* ... but Linux */
    expect_guest_ok(&sp);
    good_spec(&sp);
    set_str(find_note(&sp, XEN_ELFNOTE_XEN_VERSION), "xen-3.0-x86_64"); /* prefix, as Xen */
    expect_guest_ok(&sp);

    good_spec(&sp);
    set_str(find_note(&sp, XEN_ELFNOTE_LOADER), "elf");
    expect_guest_reject(&sp, "generic");
    good_spec(&sp);
    find_note(&sp, XEN_ELFNOTE_LOADER)->type = 0x7FFF;
    expect_guest_reject(&sp, "generic");
    good_spec(&sp);
    set_str(find_note(&sp, XEN_ELFNOTE_XEN_VERSION), "xen-3.1");
    expect_guest_reject(&sp, "XEN_VERSION");
    good_spec(&sp);
    find_note(&sp, XEN_ELFNOTE_XEN_VERSION)->type = 0x7FFF;
    expect_guest_reject(&sp, "XEN_VERSION");
}
END_TEST

START_TEST(elf_guest_rules_on_addresses)
{
    struct tspec sp;

    good_spec(&sp);
    find_note(&sp, XEN_ELFNOTE_VIRT_BASE)->type = 0x7FFF;   /* PADDR_OFFSET alone */
    for (unsigned i = 0; i < sp.nseg; i++)
        sp.seg[i].paddr += VB;                              /* keep the addresses */
    expect_guest_reject(&sp, "PADDR_OFFSET");

    good_spec(&sp);
    put(find_note(&sp, XEN_ELFNOTE_VIRT_BASE)->desc, VB + 0x2000, 8);
    put(find_note(&sp, XEN_ELFNOTE_PADDR_OFFSET)->desc, 0x2000, 8);
    expect_guest_reject(&sp, "VIRT_BASE");                 /* same layout, base too high */

    good_spec(&sp);
    put(find_note(&sp, XEN_ELFNOTE_HYPERCALL_PAGE)->desc, HCALL_VA + 8, 8);
    expect_guest_reject(&sp, "page-aligned");
    good_spec(&sp);
    put(find_note(&sp, XEN_ELFNOTE_HYPERCALL_PAGE)->desc, VB + 0x8000, 8);
    expect_guest_reject(&sp, "HYPERCALL_PAGE");
    good_spec(&sp);
    put(find_note(&sp, XEN_ELFNOTE_HYPERCALL_PAGE)->desc, VB, 8);
    expect_guest_reject(&sp, "HYPERCALL_PAGE");

    good_spec(&sp);
    put(find_note(&sp, XEN_ELFNOTE_INIT_P2M)->desc, VB + 0x4000, 8);
    expect_guest_reject(&sp, "INIT_P2M");
    good_spec(&sp);
    put(find_note(&sp, XEN_ELFNOTE_INIT_P2M)->desc, 0x0000900000000000ULL, 8);
    expect_guest_reject(&sp, "INIT_P2M");

    /* A kernel placed in the hypervisor's L4 slots. */
    good_spec(&sp);
    uint64_t hole = HYPERVISOR_VIRT_START + 0x100000;
    put(find_note(&sp, XEN_ELFNOTE_VIRT_BASE)->desc, hole, 8);
    put(find_note(&sp, XEN_ELFNOTE_ENTRY)->desc, hole + 0x1010, 8);
    put(find_note(&sp, XEN_ELFNOTE_HYPERCALL_PAGE)->desc, hole + 0x2000, 8);
    expect_guest_reject(&sp, "hypervisor");

    /* No Xen notes at all. */
    good_spec(&sp);
    sp.nnote = 1;                                            /* only the GNU note */
    sp.e_entry = VB + 0x1010;
    for (unsigned i = 0; i < sp.nseg; i++)
        sp.seg[i].paddr += VB;
    expect_guest_reject(&sp, "no Xen ELF notes");
}
END_TEST

/* ---- Hostile bytes ---- */

static void parse_and_load(const uint8_t *bytes, uint64_t size, unsigned *accepted)
{
    uint8_t *copy = malloc(size ? size : 1);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, bytes, size);
    struct elf_image e;
    const char *err = NULL;
    if (elf_parse(copy, size, &e, &err) == 0) {
        ck_assert_ptr_null(err);
        ck_assert(e.nr_load >= 1 && e.nr_load <= ELF_MAX_LOAD);
        ck_assert(e.vstart < e.vend);
        ck_assert(e.entry >= e.vstart && e.entry < e.vend);
        (void)elf_check_xen_guest(&e, &err);
        struct window w = { .base = VB, .size = 0x8000 };
        static uint8_t mem[0x8000];
        w.mem = mem;
        (void)elf_load(&e, window_dest, &w, &err);
        ck_assert(!w.crossed_page);
        (*accepted)++;
    } else {
        ck_assert_ptr_nonnull(err);
    }
    free(copy);
}

START_TEST(elf_survives_every_corrupted_byte)
{
    struct tspec sp;
    good_spec(&sp);
    uint64_t size;
    uint8_t *img = build(&sp, &size);
    uint8_t *bad = malloc(size);
    ck_assert_ptr_nonnull(bad);
    unsigned accepted = 0, tried = 0;

    for (uint64_t i = 0; i < size; i++) {
        const uint8_t orig = img[i];
        const uint8_t values[] = { 0x00, 0xFF, 0x80, 0x7F, 0x01, (uint8_t)(orig ^ 0x01),
                                   (uint8_t)(orig + 0x10), (uint8_t)(orig - 1) };
        for (unsigned v = 0; v < sizeof(values); v++) {
            memcpy(bad, img, size);
            bad[i] = values[v];
            parse_and_load(bad, size, &accepted);
            tried++;
        }
    }
    for (uint64_t cut = 0; cut < size; cut++) {       /* every truncation */
        parse_and_load(img, cut, &accepted);
        tried++;
    }
    /* Both outcomes happened: the test exercised parsing, not just rejection. */
    ck_assert_uint_gt(accepted, 0);
    ck_assert_uint_lt(accepted, tried);
    free(bad);
    free(img);
}
END_TEST

/* Random multi-byte damage to the headers and notes, reproducible. */
START_TEST(elf_survives_random_header_damage)
{
    struct tspec sp;
    good_spec(&sp);
    uint64_t size;
    uint8_t *img = build(&sp, &size);
    uint8_t *bad = malloc(size);
    ck_assert_ptr_nonnull(bad);
    uint64_t state = 0x9E3779B97F4A7C15ULL;
    unsigned accepted = 0;

    for (unsigned round = 0; round < 20000; round++) {
        memcpy(bad, img, size);
        unsigned hits = 1 + round % 4;
        for (unsigned h = 0; h < hits; h++) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            uint64_t at = (state >> 8) % MIN(size, 800);   /* headers and notes */
            bad[at] = (uint8_t)state;
        }
        parse_and_load(bad, size, &accepted);
    }
    ck_assert_uint_gt(accepted, 0);
    free(bad);
    free(img);
}
END_TEST

Suite *elf_suite(void);

Suite *elf_suite(void)
{
    Suite *s = suite_create("elf");
    TCase *tc = tcase_create("good");
    tcase_add_test(tc, elf_good_kernel_parses_with_every_note);
    tcase_add_test(tc, elf_load_copies_file_bytes_and_zeroes_the_rest);
    tcase_add_test(tc, elf_load_fails_when_destination_refuses);
    tcase_add_test(tc, elf_segments_load_at_paddr_plus_virt_base);
    tcase_add_test(tc, elf_segments_xen_does_not_load_are_ignored);
    tcase_add_test(tc, elf_notes_from_sections_when_no_pt_note);
    tcase_add_test(tc, elf_note_encodings);
    suite_add_tcase(s, tc);

    tc = tcase_create("malformed");
    tcase_add_test(tc, elf_rejects_bad_identification);
    tcase_add_test(tc, elf_rejects_program_headers_past_the_end);
    tcase_add_test(tc, elf_rejects_bad_segments);
    tcase_add_test(tc, elf_rejects_missing_or_too_many_loads);
    tcase_add_test(tc, elf_rejects_bad_entry_points);
    tcase_add_test(tc, elf_rejects_notes_running_past_their_segment);
    tcase_add_test(tc, elf_rejects_malformed_xen_notes);
    tcase_add_test(tc, elf_limits_the_number_of_notes);
    suite_add_tcase(s, tc);

    tc = tcase_create("accept");
    tcase_add_test(tc, elf_accepts_generic_loader_or_linux);
    tcase_add_test(tc, elf_guest_rules_on_addresses);
    suite_add_tcase(s, tc);

    tc = tcase_create("hostile");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, elf_survives_every_corrupted_byte);
    tcase_add_test(tc, elf_survives_random_header_damage);
    suite_add_tcase(s, tc);
    return s;
}
