/*
 * xenstored: the store itself, through the wire and the toolstack API.
 * Node life (write creates parents, mkdir keeps values, rm is recursive),
 * values as bytes, directories, permissions and their inheritance,
 * relative paths, GET_DOMAIN_PATH, node quotas, domain release.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsd_helpers.h"

static char buf[XENSTORE_PAYLOAD_MAX + 1];

/* A home for domain id, owned by it, as a toolstack sets it up. */
static void make_home(struct xt *t, uint16_t id)
{
    char path[32], perms[16];
    int n = snprintf(perms, sizeof(perms), "n%u", id);

    snprintf(path, sizeof(path), "/local/domain/%u", id);
    ck_assert_int_eq(xsd_tool_mkdir(t->d, path), 0);
    ck_assert_int_eq(xsd_tool_set_perms(t->d, path, perms, (size_t)n + 1), 0);
}

START_TEST(initial_tree)
{
    struct xt t;
    struct xsd_conn *c;

    xt_init(&t, NULL);
    c = xsd_conn_new(t.d, 0);
    ck_assert_uint_eq(xsd_nr_nodes(t.d), 4);
    ck_assert_int_eq(xt_dir(c, 0, "/", buf), 0);
    ck_assert_str_eq(buf, "local,tool");
    ck_assert_int_eq(xt_dir(c, 0, "/local", buf), 0);
    ck_assert_str_eq(buf, "domain");
    ck_assert_int_eq(xt_dir(c, 0, "/local/domain", buf), 0);
    ck_assert_str_eq(buf, "");
    ck_assert_int_eq(xt_get_perms(c, 0, "/", buf), 0);
    ck_assert_str_eq(buf, "n0");
    ck_assert_int_eq(xt_get_perms(c, 0, "/tool", buf), 0);
    ck_assert_str_eq(buf, "n0");
    ck_assert_int_eq(xt_read(c, 0, "/local", buf), 0);
    ck_assert_str_eq(buf, "");
    xt_fini(&t);
}
END_TEST

START_TEST(write_read_mkdir_rm)
{
    struct xt t;
    struct xsd_conn *c;

    xt_init(&t, NULL);
    c = xsd_conn_new(t.d, 0);
    ck_assert_int_eq(xt_read(c, 0, "/a", buf), -XSD_ENOENT);
    ck_assert_int_eq(xt_write(c, 0, "/a/b/c", "hello"), 0);
    ck_assert_uint_eq(xsd_nr_nodes(t.d), 7);
    ck_assert_int_eq(xt_read(c, 0, "/a/b/c", buf), 0);
    ck_assert_str_eq(buf, "hello");
    ck_assert_int_eq(xt_read(c, 0, "/a/b", buf), 0); /* created empty */
    ck_assert_str_eq(buf, "");
    ck_assert_int_eq(xt_write(c, 0, "/a/b", "parent"), 0);
    ck_assert_int_eq(xt_write(c, 0, "/a/b/c", ""), 0);
    ck_assert_int_eq(xt_read(c, 0, "/a/b/c", buf), 0);
    ck_assert_str_eq(buf, "");
    /* mkdir keeps an existing value, creates missing parents */
    ck_assert_int_eq(xt_mkdir(c, 0, "/a/b"), 0);
    ck_assert_int_eq(xt_read(c, 0, "/a/b", buf), 0);
    ck_assert_str_eq(buf, "parent");
    ck_assert_int_eq(xt_mkdir(c, 0, "/x/y"), 0);
    ck_assert_int_eq(xt_dir(c, 0, "/x", buf), 0);
    ck_assert_str_eq(buf, "y");
    ck_assert_uint_eq(xsd_nr_nodes(t.d), 9);
    /* rm is recursive; absent with a parent: fine; absent parent: ENOENT */
    ck_assert_int_eq(xt_rm(c, 0, "/a"), 0);
    ck_assert_int_eq(xt_read(c, 0, "/a/b/c", buf), -XSD_ENOENT);
    ck_assert_int_eq(xt_read(c, 0, "/a", buf), -XSD_ENOENT);
    ck_assert_uint_eq(xsd_nr_nodes(t.d), 6);
    ck_assert_int_eq(xt_rm(c, 0, "/a"), 0);
    ck_assert_int_eq(xt_rm(c, 0, "/a/b"), -XSD_ENOENT);
    ck_assert_int_eq(xt_rm(c, 0, "/"), -XSD_EINVAL);
    ck_assert_int_eq(xt_dir(c, 0, "/nothing", buf), -XSD_ENOENT);
    ck_assert_int_eq(xt_get_perms(c, 0, "/nothing", buf), -XSD_ENOENT);
    xt_fini(&t);
}
END_TEST

START_TEST(values_are_bytes)
{
    static const char v[] = { 'a', '\0', 'b', '\0' };
    struct xt t;
    struct xsd_conn *c;
    struct xt_msg r;
    uint8_t msg[64];
    size_t len = sizeof(buf);
    int n;

    xt_init(&t, NULL);
    c = xsd_conn_new(t.d, 0);
    n = xs_msg_build_write(msg, sizeof(msg), 1, 0, "/bin", v, sizeof(v));
    ck_assert_int_eq(xt_input(c, msg, (size_t)n), n);
    ck_assert(xt_pop(c, &r));
    ck_assert_str_eq(r.p, "OK");
    ck_assert_int_eq(xt_req(c, XS_READ, 0, "/bin", NULL, &r), 0);
    ck_assert_uint_eq(r.h.len, sizeof(v));
    ck_assert_mem_eq(r.p, v, sizeof(v));
    ck_assert_int_eq(xsd_tool_read(t.d, "/bin", buf, &len), 0);
    ck_assert_uint_eq(len, sizeof(v));
    ck_assert_mem_eq(buf, v, sizeof(v));
    /* an empty value is a zero-length reply */
    ck_assert_int_eq(xt_req(c, XS_READ, 0, "/tool", NULL, &r), 0);
    ck_assert_uint_eq(r.h.len, 0);
    xt_fini(&t);
}
END_TEST

START_TEST(directory_sorted_and_bounded)
{
    struct xt t;
    struct xsd_conn *c;
    char path[64];
    struct xt_msg r;

    xt_init(&t, NULL);
    c = xsd_conn_new(t.d, 0);
    ck_assert_int_eq(xt_write(c, 0, "/d/zeta", "1"), 0);
    ck_assert_int_eq(xt_write(c, 0, "/d/alpha", "2"), 0);
    ck_assert_int_eq(xt_write(c, 0, "/d/mid", "3"), 0);
    ck_assert_int_eq(xt_write(c, 0, "/d/alpha/deeper", "4"), 0);
    ck_assert_int_eq(xt_dir(c, 0, "/d", buf), 0);
    ck_assert_str_eq(buf, "alpha,mid,zeta");
    ck_assert_int_eq(xt_req(c, XS_DIRECTORY, 0, "/d/zeta", NULL, &r), 0);
    ck_assert_uint_eq(r.h.len, 0);
    /* more names than one reply can carry: E2BIG, not a truncated list */
    for (int i = 0; i < 200; i++) {
        snprintf(path, sizeof(path), "/big/child-with-a-long-name-%04d", i);
        ck_assert_int_eq(xsd_tool_mkdir(t.d, path), 0);
    }
    ck_assert_int_eq(xt_dir(c, 0, "/big", buf), -XSD_E2BIG);
    xt_fini(&t);
}
END_TEST

START_TEST(domu_confined_to_what_perms_allow)
{
    struct xt t;
    struct xsd_conn *d1, *d2, *d0;

    xt_init(&t, NULL);
    d0 = xsd_conn_new(t.d, 0);
    d1 = xsd_conn_new(t.d, 1);
    d2 = xsd_conn_new(t.d, 2);
    make_home(&t, 1);
    make_home(&t, 2);
    /* the store outside the homes is dom0's */
    ck_assert_int_eq(xt_read(d1, 0, "/tool", buf), -XSD_EACCES);
    ck_assert_int_eq(xt_write(d1, 0, "/tool/x", "v"), -XSD_EACCES);
    ck_assert_int_eq(xt_dir(d1, 0, "/", buf), -XSD_EACCES);
    ck_assert_int_eq(xt_mkdir(d1, 0, "/evil"), -XSD_EACCES);
    ck_assert_int_eq(xt_rm(d1, 0, "/local/domain"), -XSD_EACCES);
    ck_assert_int_eq(xt_rm(d1, 0, "/local/domain/2"), -XSD_EACCES);
    /* own home: everything */
    ck_assert_int_eq(xt_write(d1, 0, "/local/domain/1/data/secret", "s1"), 0);
    ck_assert_int_eq(xt_read(d1, 0, "/local/domain/1/data/secret", buf), 0);
    /* another's: nothing */
    ck_assert_int_eq(xt_read(d2, 0, "/local/domain/1/data/secret", buf), -XSD_EACCES);
    ck_assert_int_eq(xt_write(d2, 0, "/local/domain/1/data/secret", "x"), -XSD_EACCES);
    ck_assert_int_eq(xt_write(d2, 0, "/local/domain/1/new", "x"), -XSD_EACCES);
    ck_assert_int_eq(xt_rm(d2, 0, "/local/domain/1/data"), -XSD_EACCES);
    ck_assert_int_eq(xt_dir(d2, 0, "/local/domain/1", buf), -XSD_EACCES);
    ck_assert_int_eq(xt_get_perms(d2, 0, "/local/domain/1/data", buf), -XSD_EACCES);
    ck_assert_int_eq(xt_set_perms(d2, 0, "/local/domain/1/data", "b2"), -XSD_EACCES);
    /* the owner grants read, then write */
    ck_assert_int_eq(xt_set_perms(d1, 0, "/local/domain/1/data/secret", "n1,r2"), 0);
    ck_assert_int_eq(xt_read(d2, 0, "/local/domain/1/data/secret", buf), 0);
    ck_assert_str_eq(buf, "s1");
    ck_assert_int_eq(xt_write(d2, 0, "/local/domain/1/data/secret", "x"), -XSD_EACCES);
    ck_assert_int_eq(xt_read(xsd_conn_new(t.d, 3), 0, "/local/domain/1/data/secret", buf),
                     -XSD_EACCES);
    ck_assert_int_eq(xt_set_perms(d1, 0, "/local/domain/1/data/secret", "n1,b2"), 0);
    ck_assert_int_eq(xt_write(d2, 0, "/local/domain/1/data/secret", "from2"), 0);
    ck_assert_int_eq(xt_read(d1, 0, "/local/domain/1/data/secret", buf), 0);
    ck_assert_str_eq(buf, "from2");
    /* a non-owner with write access still cannot change permissions */
    ck_assert_int_eq(xt_set_perms(d2, 0, "/local/domain/1/data/secret", "n1,b2,r3"), -XSD_EACCES);
    /* the default (first entry) covers unlisted domains; write-only */
    ck_assert_int_eq(xt_set_perms(d1, 0, "/local/domain/1/data/secret", "w1"), 0);
    ck_assert_int_eq(xt_read(d2, 0, "/local/domain/1/data/secret", buf), -XSD_EACCES);
    ck_assert_int_eq(xt_write(d2, 0, "/local/domain/1/data/secret", "blind"), 0);
    /* only domain 0 moves ownership */
    ck_assert_int_eq(xt_set_perms(d1, 0, "/local/domain/1/data/secret", "n2"), -XSD_EPERM);
    ck_assert_int_eq(xt_set_perms(d0, 0, "/local/domain/1/data/secret", "n2"), 0);
    ck_assert_int_eq(xt_read(d1, 0, "/local/domain/1/data/secret", buf), -XSD_EACCES);
    ck_assert_int_eq(xt_read(d2, 0, "/local/domain/1/data/secret", buf), 0);
    ck_assert_uint_eq(xsd_domain_nr_nodes(t.d, 2), 2); /* its home and this */
    /* dom0 bypasses everything */
    ck_assert_int_eq(xt_set_perms(d0, 0, "/local/domain/1/data", "n1"), 0);
    ck_assert_int_eq(xt_read(d0, 0, "/local/domain/1/data/secret", buf), 0);
    ck_assert_int_eq(xt_write(d0, 0, "/local/domain/2/x", "y"), 0);
    xt_fini(&t);
}
END_TEST

START_TEST(perms_inherited_creator_owns)
{
    struct xt t;
    struct xsd_conn *d1, *d0;

    xt_init(&t, NULL);
    d0 = xsd_conn_new(t.d, 0);
    d1 = xsd_conn_new(t.d, 1);
    make_home(&t, 1);
    ck_assert_int_eq(xt_set_perms(d0, 0, "/local/domain/1", "n1,r5,b6"), 0);
    /* created by the domain: parent's list, the creator as owner */
    ck_assert_int_eq(xt_write(d1, 0, "/local/domain/1/a/b", "v"), 0);
    ck_assert_int_eq(xt_get_perms(d1, 0, "/local/domain/1/a", buf), 0);
    ck_assert_str_eq(buf, "n1,r5,b6");
    /* a shared directory that dom0 opened for domain 1 */
    ck_assert_int_eq(xt_mkdir(d0, 0, "/shared"), 0);
    ck_assert_int_eq(xt_set_perms(d0, 0, "/shared", "r0,b1"), 0);
    ck_assert_int_eq(xt_write(d1, 0, "/shared/mine", "1"), 0);
    ck_assert_int_eq(xt_get_perms(d0, 0, "/shared/mine", buf), 0);
    ck_assert_str_eq(buf, "r1,b1");
    ck_assert_uint_eq(xsd_domain_nr_nodes(t.d, 1), 4);
    /* created by dom0: the parent's list unchanged, owner kept */
    ck_assert_int_eq(xt_write(d0, 0, "/local/domain/1/device/vbd", "x"), 0);
    ck_assert_int_eq(xt_get_perms(d0, 0, "/local/domain/1/device/vbd", buf), 0);
    ck_assert_str_eq(buf, "n1,r5,b6");
    ck_assert_int_eq(xt_write(d0, 0, "/tool/t/u", "x"), 0);
    ck_assert_int_eq(xt_get_perms(d0, 0, "/tool/t/u", buf), 0);
    ck_assert_str_eq(buf, "n0");
    xt_fini(&t);
}
END_TEST

START_TEST(relative_paths_and_domain_path)
{
    struct xt t;
    struct xsd_conn *d3, *d0;
    struct xt_msg r;

    xt_init(&t, NULL);
    d0 = xsd_conn_new(t.d, 0);
    d3 = xsd_conn_new(t.d, 3);
    make_home(&t, 3);
    ck_assert_int_eq(xt_write(d3, 0, "device/vif/0/state", "1"), 0);
    ck_assert_int_eq(xt_read(d0, 0, "/local/domain/3/device/vif/0/state", buf), 0);
    ck_assert_str_eq(buf, "1");
    ck_assert_int_eq(xt_read(d3, 0, "device/vif/0/state", buf), 0);
    ck_assert_int_eq(xt_dir(d3, 0, "device", buf), 0);
    ck_assert_str_eq(buf, "vif");
    ck_assert_int_eq(xt_rm(d3, 0, "device/vif"), 0);
    ck_assert_int_eq(xt_read(d0, 0, "/local/domain/3/device/vif", buf), -XSD_ENOENT);
    /* dom0's relative paths are under its own home */
    ck_assert_int_eq(xt_write(d0, 0, "name", "Domain-0"), 0);
    ck_assert_int_eq(xsd_tool_read(t.d, "/local/domain/0/name", buf, &(size_t){ 64 }), 0);

    ck_assert_int_eq(xt_req(d3, XS_GET_DOMAIN_PATH, 0, "7", NULL, &r), 0);
    ck_assert_uint_eq(r.h.len, sizeof("/local/domain/7"));
    ck_assert_str_eq(r.p, "/local/domain/7");
    ck_assert_int_eq(xt_req(d3, XS_GET_DOMAIN_PATH, 0, "65535", NULL, &r), 0);
    ck_assert_str_eq(r.p, "/local/domain/65535");
    ck_assert_int_eq(xt_req(d3, XS_GET_DOMAIN_PATH, 0, "0", NULL, &r), 0);
    ck_assert_str_eq(r.p, "/local/domain/0");
    ck_assert_int_eq(xt_req(d3, XS_GET_DOMAIN_PATH, 0, "65536", NULL, &r), -XSD_EINVAL);
    ck_assert_int_eq(xt_req(d3, XS_GET_DOMAIN_PATH, 0, "3x", NULL, &r), -XSD_EINVAL);
    ck_assert_int_eq(xt_req(d3, XS_GET_DOMAIN_PATH, 0, "", NULL, &r), -XSD_EINVAL);
    ck_assert_int_eq(xt_req(d3, XS_GET_DOMAIN_PATH, 0, "-1", NULL, &r), -XSD_EINVAL);
    xt_fini(&t);
}
END_TEST

START_TEST(tool_api)
{
    struct xt t;
    size_t len;

    xt_init(&t, NULL);
    ck_assert_int_eq(xsd_tool_write(t.d, "/vm/1/name", "guest", 5), 0);
    len = 3;
    ck_assert_int_eq(xsd_tool_read(t.d, "/vm/1/name", buf, &len), -XSD_E2BIG);
    ck_assert_uint_eq(len, 5);
    len = sizeof(buf);
    ck_assert_int_eq(xsd_tool_read(t.d, "/vm/1/name", buf, &len), 0);
    ck_assert_uint_eq(len, 5);
    ck_assert_mem_eq(buf, "guest", 5);
    ck_assert_int_eq(xsd_tool_read(t.d, "/vm/2", buf, &len), -XSD_ENOENT);
    ck_assert_int_eq(xsd_tool_mkdir(t.d, "/vm/1"), 0);
    ck_assert_int_eq(xsd_tool_set_perms(t.d, "/vm/1", "n4\0r5\0", 6), 0);
    ck_assert_uint_eq(xsd_domain_nr_nodes(t.d, 4), 1);
    ck_assert_int_eq(xsd_tool_set_perms(t.d, "/vm/1", "n4\0r5", 5), -XSD_EINVAL);
    ck_assert_int_eq(xsd_tool_set_perms(t.d, "/vm/1", "x4\0", 3), -XSD_EINVAL);
    ck_assert_int_eq(xsd_tool_set_perms(t.d, "/vm/1", "n\0", 2), -XSD_EINVAL);
    ck_assert_int_eq(xsd_tool_set_perms(t.d, "/vm/1", "", 0), -XSD_EINVAL);
    ck_assert_int_eq(xsd_tool_set_perms(t.d, "/vm/9", "n0\0", 3), -XSD_ENOENT);
    ck_assert_int_eq(xsd_tool_write(t.d, "bad//path", "", 0), -XSD_EINVAL);
    ck_assert_int_eq(xsd_tool_write(t.d, "/x", buf, XENSTORE_PAYLOAD_MAX + 1), -XSD_E2BIG);
    ck_assert_int_eq(xsd_tool_write(t.d, NULL, "", 0), -XSD_EINVAL);
    ck_assert_int_eq(xsd_tool_rm(t.d, "/vm"), 0);
    ck_assert_uint_eq(xsd_domain_nr_nodes(t.d, 4), 0);
    ck_assert_int_eq(xsd_tool_rm(t.d, "/vm/1/name"), -XSD_ENOENT);
    ck_assert_uint_eq(xsd_nr_nodes(t.d), 4);
    ck_assert_str_eq(xsd_error_name(-XSD_EAGAIN), "EAGAIN");
    ck_assert_str_eq(xsd_error_name(XSD_E2BIG), "E2BIG");
    ck_assert_str_eq(xsd_error_name(1000), "EIO");
    xt_fini(&t);
}
END_TEST

START_TEST(node_quota)
{
    struct xsd_limits l = XSD_LIMITS_DEFAULT;
    struct xt t;
    struct xsd_conn *d1, *d0;
    char path[64];

    l.nodes_per_domain = 6;
    xt_init(&t, &l);
    d0 = xsd_conn_new(t.d, 0);
    d1 = xsd_conn_new(t.d, 1);
    make_home(&t, 1); /* 1 node owned by domain 1 */
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "n%d", i);
        ck_assert_int_eq(xt_write(d1, 0, path, "v"), 0);
    }
    ck_assert_uint_eq(xsd_domain_nr_nodes(t.d, 1), 4);
    /* three new nodes at once with room for two: none of them */
    ck_assert_int_eq(xt_write(d1, 0, "a/b/c", "v"), -XSD_ENOSPC);
    ck_assert_int_eq(xt_read(d1, 0, "a", buf), -XSD_ENOENT);
    ck_assert_int_eq(xt_mkdir(d1, 0, "a/b/c"), -XSD_ENOSPC);
    ck_assert_int_eq(xt_write(d1, 0, "a/b", "v"), 0);
    ck_assert_int_eq(xt_write(d1, 0, "n9", "v"), -XSD_ENOSPC);
    /* rewriting existing nodes costs nothing */
    ck_assert_int_eq(xt_write(d1, 0, "n0", "again"), 0);
    ck_assert_uint_eq(xsd_domain_nr_nodes(t.d, 1), 6);
    /* removing gives the room back */
    ck_assert_int_eq(xt_rm(d1, 0, "a"), 0);
    ck_assert_uint_eq(xsd_domain_nr_nodes(t.d, 1), 4);
    ck_assert_int_eq(xt_write(d1, 0, "n9", "v"), 0);
    /* domain 0 has no quota, even where it creates nodes for others */
    for (int i = 0; i < 20; i++) {
        snprintf(path, sizeof(path), "/tool/q%d", i);
        ck_assert_int_eq(xt_write(d0, 0, path, "v"), 0);
    }
    ck_assert_int_eq(xt_write(d0, 0, "/local/domain/1/by-dom0/x", "v"), 0);
    ck_assert_uint_eq(xsd_domain_nr_nodes(t.d, 1), 7);
    /* over quota now: the domain can still remove */
    ck_assert_int_eq(xt_write(d1, 0, "n10", "v"), -XSD_ENOSPC);
    ck_assert_int_eq(xt_rm(d1, 0, "by-dom0"), 0);
    ck_assert_uint_eq(xsd_domain_nr_nodes(t.d, 1), 5);
    xt_fini(&t);
}
END_TEST

START_TEST(perms_list_quota)
{
    struct xsd_limits l = XSD_LIMITS_DEFAULT;
    struct xt t;
    struct xsd_conn *d1;

    l.perms_per_node = 3;
    xt_init(&t, &l);
    d1 = xsd_conn_new(t.d, 1);
    make_home(&t, 1);
    ck_assert_int_eq(xt_set_perms(d1, 0, "/local/domain/1", "n1,r2,r3"), 0);
    ck_assert_int_eq(xt_set_perms(d1, 0, "/local/domain/1", "n1,r2,r3,r4"), -XSD_ENOSPC);
    ck_assert_int_eq(xt_get_perms(d1, 0, "/local/domain/1", buf), 0);
    ck_assert_str_eq(buf, "n1,r2,r3");
    ck_assert_int_eq(xsd_tool_set_perms(t.d, "/tool", "n0\0r1\0r2\0r3\0", 12), -XSD_ENOSPC);
    xt_fini(&t);
}
END_TEST

START_TEST(release_leaves_nothing_to_inherit)
{
    struct xt t;
    struct xsd_conn *d0, *d5;
    size_t before;

    xt_init(&t, NULL);
    d0 = xsd_conn_new(t.d, 0);
    before = xsd_nr_nodes(t.d);
    /* libxl-like: home owned by dom0 with read for the domain */
    ck_assert_int_eq(xt_mkdir(d0, 0, "/local/domain/5"), 0);
    ck_assert_int_eq(xt_set_perms(d0, 0, "/local/domain/5", "n0,r5"), 0);
    ck_assert_int_eq(xt_mkdir(d0, 0, "/local/domain/5/data"), 0);
    ck_assert_int_eq(xt_set_perms(d0, 0, "/local/domain/5/data", "n5"), 0);
    ck_assert_int_eq(xt_mkdir(d0, 0, "/shared"), 0);
    ck_assert_int_eq(xt_set_perms(d0, 0, "/shared", "n0,b5,r6"), 0);
    d5 = xsd_conn_new(t.d, 5);
    ck_assert_int_eq(xt_write(d5, 0, "data/a/b", "x"), 0);
    ck_assert_int_eq(xt_write(d5, 0, "/shared/left-behind", "x"), 0);
    xsd_domain_introduced(t.d, 5);
    ck_assert(xsd_domain_is_introduced(t.d, 5));
    xt_conn_free(d5);
    xsd_domain_released(t.d, 5);
    ck_assert(!xsd_domain_is_introduced(t.d, 5));
    ck_assert_uint_eq(xsd_domain_nr_nodes(t.d, 5), 0);
    ck_assert_int_eq(xt_read(d0, 0, "/local/domain/5/data", buf), -XSD_ENOENT);
    ck_assert_int_eq(xt_read(d0, 0, "/shared/left-behind", buf), -XSD_ENOENT);
    ck_assert_int_eq(xt_get_perms(d0, 0, "/local/domain/5", buf), 0);
    ck_assert_str_eq(buf, "n0");
    ck_assert_int_eq(xt_get_perms(d0, 0, "/shared", buf), 0);
    ck_assert_str_eq(buf, "n0,r6");
    /* the next domain 5 starts with nothing */
    d5 = xsd_conn_new(t.d, 5);
    ck_assert_int_eq(xt_read(d5, 0, "/local/domain/5", buf), -XSD_EACCES);
    ck_assert_int_eq(xt_write(d5, 0, "/shared/x", "x"), -XSD_EACCES);
    ck_assert_int_eq(xt_rm(d0, 0, "/local/domain/5"), 0);
    ck_assert_int_eq(xt_rm(d0, 0, "/shared"), 0);
    ck_assert_uint_eq(xsd_nr_nodes(t.d), before);
    xsd_domain_released(t.d, 0); /* ignored */
    ck_assert_uint_eq(xsd_nr_nodes(t.d), before);
    /* a domain that was given "/" itself: dom0 takes it back, nothing goes */
    ck_assert_int_eq(xt_set_perms(d0, 0, "/", "r9,b8"), 0);
    xsd_domain_released(t.d, 9);
    ck_assert_int_eq(xt_get_perms(d0, 0, "/", buf), 0);
    ck_assert_str_eq(buf, "r0,b8");
    ck_assert_uint_eq(xsd_nr_nodes(t.d), before);
    xt_fini(&t);
}
END_TEST

Suite *xsd_tree_suite(void);
Suite *xsd_tree_suite(void)
{
    Suite *s = suite_create("xsd_tree");
    TCase *tc = tcase_create("tree");

    tcase_add_test(tc, initial_tree);
    tcase_add_test(tc, write_read_mkdir_rm);
    tcase_add_test(tc, values_are_bytes);
    tcase_add_test(tc, directory_sorted_and_bounded);
    tcase_add_test(tc, domu_confined_to_what_perms_allow);
    tcase_add_test(tc, perms_inherited_creator_owns);
    tcase_add_test(tc, relative_paths_and_domain_path);
    tcase_add_test(tc, tool_api);
    tcase_add_test(tc, node_quota);
    tcase_add_test(tc, perms_list_quota);
    tcase_add_test(tc, release_leaves_nothing_to_inherit);
    suite_add_tcase(s, tc);
    return s;
}
