/* Grant tables (common/grant_table.c). */
#ifndef XENIA_GRANT_H
#define XENIA_GRANT_H

#include <xenia/domain.h>

int grant_domain_init(struct domain *d);
/* Teardown: drop the domain's own mappings (after its page tables are
   gone); 0 when done, -ERESTART to call again. */
int grant_domain_release_maps(struct domain *d);
/* True once no other domain pins any of its grants. */
bool grant_domain_idle(const struct domain *d);
void grant_domain_free(struct domain *d);
/* One of the domain's own grant-table frames (freed by grant_domain_free). */
bool grant_is_table_frame(const struct domain *d, uint64_t mfn);
long do_grant_table_op(uint64_t cmd, uint64_t uop, uint64_t count);

#endif
