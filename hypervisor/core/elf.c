/*
 * ELF64 PV kernel loader core: elf_parse, elf_check_xen_guest, elf_load.
 *
 * Invariants:
 *  - No byte of the image is read before the range holding it has passed
 *    in_image(): off <= size && len <= size - off, a test no sum can wrap.
 *    Fields are assembled byte by byte (little-endian, any alignment).
 *  - Every loop is bounded by a count checked beforehand: e_phnum and e_shnum
 *    (at most 65535), ELF_MAX_LOAD, ELF_MAX_NOTES; a note step always moves
 *    forward by at least the 12-byte note header.
 *  - elf_parse fills *img only on success; on failure *img is all zero.
 *
 * Where a segment goes (Xen's rule, which PV kernels are built for): at
 * p_paddr + VIRT_BASE - PADDR_OFFSET (both notes default to 0), modulo 2^64.
 * For most kernels that is p_vaddr; x86_64 Linux has a per-CPU segment
 * linked at p_vaddr 0 whose p_paddr places it inside the kernel image, so
 * p_vaddr cannot be used. "Loadable" means PT_LOAD with any of PF_R/PF_W/
 * PF_X set and a non-zero p_memsz; other program headers are not looked at
 * except PT_NOTE. The entry point is the ENTRY note, or e_entry without one
 * (x86_64 Linux's e_entry is a physical address and only the note is right).
 */
#include "core/elf.h"
#include "public/elfnote.h"
#include "public/xen.h"

#define EH_SIZE         64
#define PH_SIZE         56
#define SH_SIZE         64
#define NOTE_HDR_SIZE   12

#define ELFCLASS64      2
#define ELFDATA2LSB     1
#define EV_CURRENT      1
#define ET_EXEC         2
#define EM_X86_64       62
#define PT_LOAD         1
#define PT_NOTE         4
#define PF_RWX          7
#define SHT_NOTE        7

#define PAGE            4096ULL

struct seg {
    uint32_t type, flags;
    uint64_t offset, paddr, filesz, memsz;
};

static uint64_t get_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0;
    while (n-- > 0)
        v = (v << 8) | p[n];
    return v;
}

static bool in_image(uint64_t off, uint64_t len, uint64_t size)
{
    return off <= size && len <= size - off;
}

static bool canonical(uint64_t va)
{
    uint64_t top = va >> 47;
    return top == 0 || top == 0x1FFFF;
}

/* [va, va + len) with len > 0 and no wrap: canonical and in one half. */
static bool canonical_range(uint64_t va, uint64_t len)
{
    uint64_t last = va + len - 1;
    return canonical(va) && canonical(last) && (va >> 47) == (last >> 47);
}

static bool has_note(const struct elf_xen_notes *n, unsigned type)
{
    return (n->present >> type) & 1;
}

/* Only after the program header table passed in_image(). */
static void read_seg(const struct elf_image *img, unsigned i, struct seg *s)
{
    const uint8_t *p = img->data + img->phoff + (uint64_t)i * PH_SIZE;
    s->type = (uint32_t)get_le(p, 4);
    s->flags = (uint32_t)get_le(p + 4, 4);
    s->offset = get_le(p + 8, 8);
    s->paddr = get_le(p + 24, 8);
    s->filesz = get_le(p + 32, 8);
    s->memsz = get_le(p + 40, 8);
}

static bool loadable(const struct seg *s)
{
    return s->type == PT_LOAD && (s->flags & PF_RWX) != 0 && s->memsz != 0;
}

static uint64_t load_offset(const struct elf_xen_notes *n)
{
    return n->virt_base - n->paddr_offset;
}

/* The checks one loadable segment must pass, at parse and again at load. */
static const char *check_seg(const struct seg *s, uint64_t size, uint64_t offset)
{
    uint64_t addr = s->paddr + offset;

    if (!in_image(s->offset, s->filesz, size))
        return "PT_LOAD file range runs past the end of the image";
    if (s->filesz > s->memsz)
        return "PT_LOAD p_filesz > p_memsz";
    if (s->memsz > UINT64_MAX - addr)
        return "PT_LOAD address + p_memsz wraps around";
    if (!canonical_range(addr, s->memsz))
        return "PT_LOAD not in canonical address space";
    return NULL;
}

/* Is [va, va + len) inside one loadable segment? */
static bool inside_segment(const struct elf_image *img, uint64_t va, uint64_t len)
{
    uint64_t offset = load_offset(&img->notes);
    struct seg s;

    for (unsigned i = 0; i < img->phnum; i++) {
        read_seg(img, i, &s);
        if (!loadable(&s))
            continue;
        uint64_t addr = s.paddr + offset;
        if (va >= addr && va - addr < s.memsz && len <= s.memsz - (va - addr))
            return true;
    }
    return false;
}

/* ---- Notes ---- */

static const char *take_string(char *dst, size_t cap, const uint8_t *desc, uint32_t descsz)
{
    size_t n = strnlen((const char *)desc, descsz);

    if (n == descsz)
        return "Xen string note is not NUL-terminated";
    if (n >= cap)
        return "Xen string note is too long";
    memcpy(dst, desc, n);
    memset(dst + n, 0, cap - n);
    return NULL;
}

static const char *xen_note(struct elf_xen_notes *n, uint32_t type,
                            const uint8_t *desc, uint32_t descsz)
{
    const char *msg = NULL;
    uint64_t v = 0;
    bool numeric = descsz == 1 || descsz == 2 || descsz == 4 || descsz == 8;

    if (numeric)
        v = get_le(desc, descsz);

    switch (type) {
    case XEN_ELFNOTE_XEN_VERSION:
        msg = take_string(n->xen_version, sizeof(n->xen_version), desc, descsz);
        break;
    case XEN_ELFNOTE_GUEST_OS:
        msg = take_string(n->guest_os, sizeof(n->guest_os), desc, descsz);
        break;
    case XEN_ELFNOTE_GUEST_VERSION:
        msg = take_string(n->guest_version, sizeof(n->guest_version), desc, descsz);
        break;
    case XEN_ELFNOTE_LOADER:
        msg = take_string(n->loader, sizeof(n->loader), desc, descsz);
        break;
    case XEN_ELFNOTE_PAE_MODE:
        msg = take_string(n->pae_mode, sizeof(n->pae_mode), desc, descsz);
        break;
    case XEN_ELFNOTE_FEATURES:
        msg = take_string(n->features, sizeof(n->features), desc, descsz);
        break;
    case XEN_ELFNOTE_L1_MFN_VALID:
        if (descsz < 16 || descsz % 8 != 0)
            return "L1_MFN_VALID note is not a list of 8-byte pairs";
        n->l1_mfn_valid[0] = get_le(desc, 8);
        n->l1_mfn_valid[1] = get_le(desc + 8, 8);
        break;
    case XEN_ELFNOTE_SUPPORTED_FEATURES:
        if (descsz < 4 || descsz % 4 != 0)
            return "SUPPORTED_FEATURES note is not a list of 32-bit words";
        n->supported_features |= (uint32_t)get_le(desc, 4);
        break;
    case XEN_ELFNOTE_ENTRY:
    case XEN_ELFNOTE_HYPERCALL_PAGE:
    case XEN_ELFNOTE_VIRT_BASE:
    case XEN_ELFNOTE_PADDR_OFFSET:
    case XEN_ELFNOTE_HV_START_LOW:
    case XEN_ELFNOTE_SUSPEND_CANCEL:
    case XEN_ELFNOTE_INIT_P2M:
    case XEN_ELFNOTE_MOD_START_PFN:
    case XEN_ELFNOTE_PHYS32_ENTRY:
        if (!numeric)
            return "numeric Xen note is not 1, 2, 4 or 8 bytes";
        if (type == XEN_ELFNOTE_ENTRY)
            n->entry = v;
        else if (type == XEN_ELFNOTE_HYPERCALL_PAGE)
            n->hypercall_page = v;
        else if (type == XEN_ELFNOTE_VIRT_BASE)
            n->virt_base = v;
        else if (type == XEN_ELFNOTE_PADDR_OFFSET)
            n->paddr_offset = v;
        else if (type == XEN_ELFNOTE_HV_START_LOW)
            n->hv_start_low = v;
        else if (type == XEN_ELFNOTE_SUSPEND_CANCEL)
            n->suspend_cancel = v != 0;
        else if (type == XEN_ELFNOTE_INIT_P2M)
            n->init_p2m = v;
        else if (type == XEN_ELFNOTE_MOD_START_PFN)
            n->mod_start_pfn = v;
        break;
    default:                /* INFO, BSD_SYMTAB, PHYS32_RELOC, unknown */
        break;
    }
    if (msg == NULL && type < 32)
        n->present |= 1U << type;
    return msg;
}

struct note_scan {
    struct elf_xen_notes *notes;
    unsigned seen;          /* notes examined, capped at ELF_MAX_NOTES */
    unsigned xen;           /* "Xen" notes found */
};

/* Move *pos over n bytes that must lie inside [0, len). */
static bool skip(uint64_t *pos, uint64_t len, uint64_t n)
{
    if (n > len - *pos)
        return false;
    *pos += n;
    return true;
}

/* Move over padding to a 4-byte boundary; the end may cut it short. */
static void skip_pad(uint64_t *pos, uint64_t len, uint32_t sz)
{
    uint64_t pad = (4 - (sz & 3)) & 3;
    *pos += MIN(pad, len - *pos);
}

static const char *scan_notes(struct note_scan *s, const uint8_t *p, uint64_t len)
{
    uint64_t pos = 0;

    while (len - pos >= NOTE_HDR_SIZE) {
        if (s->seen >= ELF_MAX_NOTES)
            return "too many ELF notes";
        s->seen++;
        uint32_t namesz = (uint32_t)get_le(p + pos, 4);
        uint32_t descsz = (uint32_t)get_le(p + pos + 4, 4);
        uint32_t type = (uint32_t)get_le(p + pos + 8, 4);
        pos += NOTE_HDR_SIZE;

        uint64_t name_at = pos;
        if (!skip(&pos, len, namesz))
            return "ELF note name runs past the end of its segment";
        skip_pad(&pos, len, namesz);
        uint64_t desc_at = pos;
        if (!skip(&pos, len, descsz))
            return "ELF note descriptor runs past the end of its segment";
        skip_pad(&pos, len, descsz);

        if (namesz == XEN_ELFNOTE_NAMESZ && memcmp(p + name_at, "Xen", 4) == 0) {
            const char *msg = xen_note(s->notes, type, p + desc_at, descsz);
            if (msg != NULL)
                return msg;
            s->xen++;
        }
    }
    for (; pos < len; pos++)        /* fewer than 12 bytes left: padding only */
        if (p[pos] != 0)
            return "ELF note runs past the end of its segment";
    return NULL;
}

static const char *scan_sections(const struct elf_image *img, struct note_scan *s)
{
    const uint8_t *p = img->data;
    uint64_t shoff = get_le(p + 40, 8);
    unsigned shentsize = (unsigned)get_le(p + 58, 2);
    unsigned shnum = (unsigned)get_le(p + 60, 2);

    if (shnum == 0)
        return NULL;
    if (shentsize != SH_SIZE)
        return "e_shentsize is not 64";
    if (!in_image(shoff, (uint64_t)shnum * SH_SIZE, img->size))
        return "section headers run past the end of the image";
    for (unsigned i = 0; i < shnum; i++) {
        const uint8_t *sh = p + shoff + (uint64_t)i * SH_SIZE;
        if (get_le(sh + 4, 4) != SHT_NOTE)
            continue;
        uint64_t off = get_le(sh + 24, 8), sz = get_le(sh + 32, 8);
        if (!in_image(off, sz, img->size))
            return "SHT_NOTE section runs past the end of the image";
        const char *msg = scan_notes(s, p + off, sz);
        if (msg != NULL)
            return msg;
    }
    return NULL;
}

static const char *parse_notes(struct elf_image *img)
{
    struct note_scan s = { .notes = &img->notes };
    struct seg sg;

    for (unsigned i = 0; i < img->phnum; i++) {
        read_seg(img, i, &sg);
        if (sg.type != PT_NOTE)
            continue;
        if (!in_image(sg.offset, sg.filesz, img->size))
            return "PT_NOTE segment runs past the end of the image";
        const char *msg = scan_notes(&s, img->data + sg.offset, sg.filesz);
        if (msg != NULL)
            return msg;
    }
    return s.xen != 0 ? NULL : scan_sections(img, &s);
}

/* ---- Header and segments ---- */

static const char *parse_header(struct elf_image *img)
{
    const uint8_t *p = img->data;

    if (img->size < EH_SIZE)
        return "image is smaller than an ELF header";
    if (memcmp(p, "\x7f" "ELF", 4) != 0)
        return "bad ELF magic";
    if (p[4] != ELFCLASS64)
        return "not an ELFCLASS64 image";
    if (p[5] != ELFDATA2LSB)
        return "not a little-endian image";
    if (p[6] != EV_CURRENT)
        return "unknown ELF version";
    if (get_le(p + 16, 2) != ET_EXEC)
        return "not an executable (ET_EXEC)";
    if (get_le(p + 18, 2) != EM_X86_64)
        return "not an x86_64 image (EM_X86_64)";
    if (get_le(p + 54, 2) != PH_SIZE)
        return "e_phentsize is not 56";
    img->phoff = get_le(p + 32, 8);
    img->phnum = (unsigned)get_le(p + 56, 2);
    if (!in_image(img->phoff, (uint64_t)img->phnum * PH_SIZE, img->size))
        return "program headers run past the end of the image";
    return NULL;
}

static const char *parse_segments(struct elf_image *img)
{
    uint64_t offset = load_offset(&img->notes);
    uint64_t start[ELF_MAX_LOAD], end[ELF_MAX_LOAD];
    unsigned n = 0;
    struct seg s;

    for (unsigned i = 0; i < img->phnum; i++) {
        read_seg(img, i, &s);
        if (!loadable(&s))
            continue;
        const char *msg = check_seg(&s, img->size, offset);
        if (msg != NULL)
            return msg;
        if (n == ELF_MAX_LOAD)
            return "more than 16 PT_LOAD segments";
        uint64_t a = s.paddr + offset, b = a + s.memsz;
        for (unsigned j = 0; j < n; j++)
            if (a < end[j] && start[j] < b)
                return "PT_LOAD segments overlap";
        start[n] = a;
        end[n] = b;
        n++;
    }
    if (n == 0)
        return "no PT_LOAD segment";

    img->nr_load = n;
    img->vstart = start[0];
    img->vend = end[0];
    for (unsigned j = 1; j < n; j++) {
        img->vstart = MIN(img->vstart, start[j]);
        img->vend = MAX(img->vend, end[j]);
    }

    img->entry = has_note(&img->notes, XEN_ELFNOTE_ENTRY) ? img->notes.entry
                                                          : get_le(img->data + 24, 8);
    if (!canonical(img->entry))
        return "entry point is not canonical";
    if (!inside_segment(img, img->entry, 1))
        return "entry point is outside the loaded segments";
    return NULL;
}

int elf_parse(const void *data, uint64_t size, struct elf_image *img, const char **err)
{
    const char *msg;

    memset(img, 0, sizeof(*img));
    img->data = data;
    img->size = size;
    msg = parse_header(img);
    if (msg == NULL)
        msg = parse_notes(img);
    if (msg == NULL)
        msg = parse_segments(img);
    if (err != NULL)
        *err = msg;
    if (msg == NULL)
        return 0;
    memset(img, 0, sizeof(*img));
    return -XEN_EINVAL;
}

/* ---- PV accept rules ---- */

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/*
 * Xen's domain-builder rules, plus two of our own (marked *):
 *  - at least one Xen note; LOADER starting with "generic" or GUEST_OS
 *    starting with "linux"; XEN_VERSION starting with "xen-3.0";
 *  - PADDR_OFFSET only together with VIRT_BASE; VIRT_BASE <= vstart;
 *  - HYPERCALL_PAGE, if given, page-aligned (*) with its whole page inside
 *    one loaded segment (Xen: inside the image);
 *  - INIT_P2M, if given, canonical and outside the image;
 *  - (*) the image clear of the hypervisor hole, L4 slots 256..271.
 */
static const char *check_guest(const struct elf_image *img)
{
    const struct elf_xen_notes *n = &img->notes;

    if (n->present == 0)
        return "no Xen ELF notes: not a PV kernel";
    if (!starts_with(n->loader, "generic") && !starts_with(n->guest_os, "linux"))
        return "neither LOADER \"generic\" nor GUEST_OS \"linux\"";
    if (!starts_with(n->xen_version, "xen-3.0"))
        return "XEN_VERSION is not \"xen-3.0\"";
    if (has_note(n, XEN_ELFNOTE_PADDR_OFFSET) && !has_note(n, XEN_ELFNOTE_VIRT_BASE))
        return "PADDR_OFFSET note without VIRT_BASE";
    if (n->virt_base > img->vstart)
        return "VIRT_BASE lies above the kernel image";
    if (has_note(n, XEN_ELFNOTE_HYPERCALL_PAGE)) {
        if (!IS_ALIGNED(n->hypercall_page, PAGE))
            return "HYPERCALL_PAGE is not page-aligned";
        if (!inside_segment(img, n->hypercall_page, PAGE))
            return "HYPERCALL_PAGE is outside the loaded segments";
    }
    if (has_note(n, XEN_ELFNOTE_INIT_P2M)) {
        if (!canonical(n->init_p2m))
            return "INIT_P2M is not canonical";
        if (n->init_p2m >= img->vstart && n->init_p2m < img->vend)
            return "INIT_P2M lies inside the kernel image";
    }
    if (img->vstart < HYPERVISOR_VIRT_END && HYPERVISOR_VIRT_START < img->vend)
        return "kernel image overlaps the hypervisor's address range";
    return NULL;
}

int elf_check_xen_guest(const struct elf_image *img, const char **err)
{
    const char *msg = check_guest(img);

    if (err != NULL)
        *err = msg;
    return msg == NULL ? 0 : -XEN_EINVAL;
}

/* ---- Loading ---- */

static const char *load_seg(const struct elf_image *img, const struct seg *s,
                            uint64_t addr, elf_dest_fn dest, void *ctx)
{
    uint64_t done = 0;

    while (done < s->memsz) {
        uint64_t va = addr + done;
        uint64_t len = MIN(s->memsz - done, PAGE - (va & (PAGE - 1)));
        uint8_t *dst = dest(ctx, va, len);
        if (dst == NULL)
            return "destination refused";
        uint64_t from_file = done < s->filesz ? MIN(len, s->filesz - done) : 0;
        if (from_file != 0)
            memcpy(dst, img->data + s->offset + done, from_file);
        memset(dst + from_file, 0, len - from_file);
        done += len;
    }
    return NULL;
}

static const char *load_all(const struct elf_image *img, elf_dest_fn dest, void *ctx)
{
    uint64_t offset = load_offset(&img->notes);
    struct seg s;

    if (img->data == NULL || img->nr_load == 0 ||
        !in_image(img->phoff, (uint64_t)img->phnum * PH_SIZE, img->size))
        return "image was not parsed";
    for (unsigned i = 0; i < img->phnum; i++) {
        read_seg(img, i, &s);
        if (!loadable(&s))
            continue;
        const char *msg = check_seg(&s, img->size, offset);
        if (msg == NULL)
            msg = load_seg(img, &s, s.paddr + offset, dest, ctx);
        if (msg != NULL)
            return msg;
    }
    return NULL;
}

int elf_load(const struct elf_image *img, elf_dest_fn dest, void *ctx, const char **err)
{
    const char *msg = load_all(img, dest, ctx);

    if (err != NULL)
        *err = msg;
    return msg == NULL ? 0 : -XEN_EINVAL;
}
