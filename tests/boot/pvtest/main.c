/*
 * pvtest: one PV test kernel, many cases. The case runs by the name given
 * on the kernel command line ("case=<name>"); each prints its findings and
 * one line "Test result: SUCCESS|FAILURE|ERROR|SKIP", then shuts down
 * (poweroff after SUCCESS or SKIP, crash otherwise), so the boot harness
 * reads the verdict from the log and from the exit status alike.
 */
#include "pvtest.h"

static const struct pvtest_case *find_case(const char *cmdline)
{
    const char *p = cmdline;
    while (*p) {
        if (!str_starts(p, "case="))
            goto next;
        p += 5;
        for (const struct pvtest_case *c = pvtest_cases; c->name; c++) {
            size_t n = str_len(c->name);
            if (str_starts(p, c->name) && (p[n] == 0 || p[n] == ' '))
                return c;
        }
        return NULL;
next:
        while (*p && *p != ' ')
            p++;
        while (*p == ' ')
            p++;
    }
    return &pvtest_cases[0];
}

const struct start_info *pvtest_si;

void pvtest_main(const struct start_info *si);
void pvtest_main(const struct start_info *si)
{
    pvtest_si = si;
    printf("pvtest: start_info at %p, magic '%s', %lu pages, cmdline '%s'\n", (const void *)si,
           si->magic, si->nr_pages, si->cmd_line);
    const struct pvtest_case *c = find_case((const char *)si->cmd_line);
    if (!c) {
        printf("pvtest: unknown case in '%s'\n", si->cmd_line);
        pvtest_finish(RESULT_ERROR);
    }
    printf("pvtest: case %s\n", c->name);
    pvtest_finish(c->run());
}

void pvtest_finish(enum result r)
{
    static const char *const names[] = { "SUCCESS", "FAILURE", "ERROR", "SKIP" };
    struct sched_shutdown s = { r == RESULT_SUCCESS || r == RESULT_SKIP ? SHUTDOWN_poweroff
                                                                       : SHUTDOWN_crash };
    printf("Test result: %s\n", names[r]);
    HYPERCALL2(__HYPERVISOR_sched_op, SCHEDOP_shutdown, &s);
    for (;;)
        ;
}
