/*
 * test_etw_providers_win.c - TdhEnumerateProviders' list and the provider
 * name resolver, against a scripted enumerate (Wine's own raises an
 * exception, so the real call is never made here).
 *
 * The PROVIDER_ENUMERATION_INFO blobs are built by hand as tdh.h and
 * ETW-NOTES §7 lay them out: {ULONG NumberOfProviders; ULONG Reserved;
 * TRACE_PROVIDER_INFO[]} with each {GUID; ULONG SchemaSource; ULONG
 * ProviderNameOffset}, the offsets counting from the buffer start and the
 * UTF-16 names after the array. GUIDs are the real providers'.
 */
#include "runner.h"

#include "etw/etw_api.h"
#include "etw/providers.h"
#include "util/error.h"
#include "util/log.h"

#include <string.h>

struct prov_def {
    const char *name;
    struct ef_guid guid;
    uint32_t source;
};

static const struct prov_def provs[] = {
    {"Microsoft-Windows-Kernel-Process",
     {0x22FB2CD6, 0x0E7B, 0x422B, {0xA0, 0xC7, 0x2F, 0xAD, 0x1F, 0xD0, 0xE7, 0x16}},
     0},
    {"Windows Kernel Trace",
     {0x9E814AAD, 0x3204, 0x11D2, {0x9A, 0x82, 0x00, 0x60, 0x08, 0xA8, 0x69, 0x39}},
     1},
    /* Microsoft-Windows-Kernel-Power; the third is registered between two calls. */
    {"Microsoft-Windows-Kernel-Power",
     {0x331C3B3A, 0x2005, 0x44C2, {0xAC, 0x5E, 0x77, 0x22, 0x0C, 0x37, 0xD6, 0xB4}},
     0},
};

/* A blob of the first n providers: size returned, written to out when it fits. */
static size_t blob(unsigned n, uint8_t *out, size_t cap)
{
    uint8_t b[1024];
    size_t pos = 8 + 24 * (size_t)n, i, k;

    memset(b, 0, sizeof(b));
    b[0] = (uint8_t)n;
    for (i = 0; i < n; i++) {
        uint8_t *info = b + 8 + 24 * i;

        ef_guid_write(&provs[i].guid, info);
        info[16] = (uint8_t)provs[i].source;
        info[20] = (uint8_t)pos;
        info[21] = (uint8_t)(pos >> 8);
        for (k = 0; provs[i].name[k]; k++, pos += 2)
            b[pos] = (uint8_t)provs[i].name[k];
        pos += 2; /* the NUL */
    }
    if (out && cap >= pos)
        memcpy(out, b, pos);
    return pos;
}

/* The fake's script: what each call answers, and what it saw. */
enum { GROW, ALWAYS_MORE, TOO_BIG, DENIED, RAISE, NONE_REGISTERED };

static struct {
    int mode;
    unsigned calls;
    ULONG sizes_in[16];
    int null_buf[16];
} fake;

static ULONG WINAPI fake_enumerate(PPROVIDER_ENUMERATION_INFO buf, ULONG *size)
{
    unsigned call = fake.calls++;
    /* GROW: two providers at first, a third registers before the second call. */
    unsigned n = fake.mode == GROW && call >= 1 ? 3 : 2;
    size_t need = blob(n, NULL, 0);

    if (call < 16) {
        fake.sizes_in[call] = *size;
        fake.null_buf[call] = buf == NULL;
    }
    switch (fake.mode) {
    case ALWAYS_MORE:
        *size += 64;
        return ERROR_INSUFFICIENT_BUFFER;
    case TOO_BIG:
        *size = EF_ETW_PROVIDERS_MAX_BYTES + 1;
        return ERROR_INSUFFICIENT_BUFFER;
    case DENIED:
        return ERROR_ACCESS_DENIED;
    case RAISE:
        /* What Wine's stub does: __wine_spec_unimplemented_stub. */
        RaiseException(0x80000100, EXCEPTION_NONCONTINUABLE, 0, NULL);
        return 0;
    case NONE_REGISTERED:
        *size = 8;
        if (!buf || *size < 8)
            return ERROR_INSUFFICIENT_BUFFER;
        memset(buf, 0, 8);
        return ERROR_SUCCESS;
    default:
        break;
    }
    if (!buf || *size < need) {
        *size = (ULONG)need;
        return ERROR_INSUFFICIENT_BUFFER;
    }
    blob(n, (uint8_t *)buf, *size);
    *size = (ULONG)need;
    return ERROR_SUCCESS;
}

static struct ef_etw_api fake_api(int mode)
{
    struct ef_etw_api api;

    memset(&api, 0, sizeof(api));
    memset(&fake, 0, sizeof(fake));
    fake.mode = mode;
    api.enumerate_providers = fake_enumerate;
    return api;
}

START_TEST(enumerate_grows)
{
    struct ef_etw_api api = fake_api(GROW);
    struct ef_etw_provider_list l;
    char err[256];
    unsigned i;

    ck_assert_int_eq(ef_etw_providers_enumerate(&api, &l, err, sizeof(err)), 0);
    /* Asked the size, got 122 again with a bigger size, then the list. */
    ck_assert_uint_eq(fake.calls, 3);
    ck_assert(fake.null_buf[0]);
    ck_assert_uint_eq(fake.sizes_in[0], 0);
    ck_assert_uint_eq(fake.sizes_in[1], blob(2, NULL, 0));
    ck_assert_uint_eq(fake.sizes_in[2], blob(3, NULL, 0));
    ck_assert_uint_eq(l.n, 3);
    for (i = 0; i < 3; i++) {
        ck_assert_str_eq(l.v[i].name, provs[i].name);
        ck_assert(ef_guid_equal(&l.v[i].guid, &provs[i].guid));
        ck_assert_uint_eq(l.v[i].schema_source, provs[i].source);
    }
    ck_assert_str_eq(ef_etw_schema_source_name(l.v[1].schema_source), "mof");
    ck_assert_str_eq(ef_etw_schema_source_name(l.v[0].schema_source), "manifest");
    ef_etw_providers_free(&l);
}
END_TEST

START_TEST(enumerate_bounded)
{
    struct ef_etw_api api = fake_api(ALWAYS_MORE);
    struct ef_etw_provider_list l;
    char err[256];

    ck_assert_int_eq(ef_etw_providers_enumerate(&api, &l, err, sizeof(err)), EF_ELIMIT);
    ck_assert_uint_eq(fake.calls, EF_ETW_PROVIDERS_MAX_TRIES);
    ck_assert_ptr_nonnull(strstr(err, "122"));
    ck_assert_uint_eq(l.n, 0);

    api = fake_api(TOO_BIG);
    ck_assert_int_eq(ef_etw_providers_enumerate(&api, &l, err, sizeof(err)), EF_ELIMIT);
    ck_assert_uint_eq(fake.calls, 1); /* refused before allocating */

    api = fake_api(DENIED);
    ck_assert_int_eq(ef_etw_providers_enumerate(&api, &l, err, sizeof(err)), EF_EACCES);
    ck_assert_ptr_nonnull(strstr(err, "5"));

    api = fake_api(NONE_REGISTERED);
    ck_assert_int_eq(ef_etw_providers_enumerate(&api, &l, NULL, 0), 0);
    ck_assert_uint_eq(l.n, 0);

    memset(&api, 0, sizeof(api));
    ck_assert_int_eq(ef_etw_providers_enumerate(&api, &l, err, sizeof(err)), EF_ENOTSUP);
}
END_TEST

/* The stub's exception ends only the guarded thread; the next call works. */
START_TEST(enumerate_survives_exception)
{
    struct ef_etw_api api = fake_api(RAISE);
    struct ef_etw_provider_list l;
    char err[256];

    ck_assert_int_eq(ef_etw_providers_enumerate(&api, &l, err, sizeof(err)), EF_ENOTSUP);
    ck_assert_msg(strstr(err, "0x80000100"), "%s", err);
    ck_assert_uint_eq(fake.calls, 1);
    api = fake_api(GROW);
    ck_assert_int_eq(ef_etw_providers_enumerate(&api, &l, err, sizeof(err)), 0);
    ck_assert_uint_eq(l.n, 3);
    ef_etw_providers_free(&l);
}
END_TEST

START_TEST(parse_damaged)
{
    struct ef_etw_provider_list l;
    uint8_t b[1024];
    size_t n = blob(2, b, sizeof(b));

    ck_assert_int_eq(ef_etw_providers_parse(b, n, &l), 0);
    ck_assert_uint_eq(l.n, 2);
    ef_etw_providers_free(&l);
    /* A count whose array would pass the end. */
    b[0] = 60;
    ck_assert_int_eq(ef_etw_providers_parse(b, n, &l), EF_EFORMAT);
    b[0] = 2;
    /* The last name loses its NUL: cut the buffer before it. */
    ck_assert_int_eq(ef_etw_providers_parse(b, n - 2, &l), EF_EFORMAT);
    /* A name offset past the end, then one inside the header. */
    b[8 + 24 + 20] = (uint8_t)n;
    b[8 + 24 + 21] = (uint8_t)(n >> 8);
    ck_assert_int_eq(ef_etw_providers_parse(b, n, &l), EF_EFORMAT);
    b[8 + 24 + 20] = 4;
    b[8 + 24 + 21] = 0;
    ck_assert_int_eq(ef_etw_providers_parse(b, n, &l), EF_EFORMAT);
    ck_assert_int_eq(ef_etw_providers_parse(b, 7, &l), EF_EFORMAT);
    ck_assert_uint_eq(l.n, 0);
}
END_TEST

static char logged[512];

static void log_hook(void *ud, const char *line, size_t len)
{
    (void)ud;
    if (len >= sizeof(logged))
        len = sizeof(logged) - 1;
    memcpy(logged, line, len);
    logged[len] = '\0';
}

START_TEST(resolve_order)
{
    struct ef_etw_api api = fake_api(GROW);
    struct ef_etw_provider_list l;
    struct ef_guid g, want;
    int how = 0;

    ck_assert_int_eq(ef_etw_providers_enumerate(&api, &l, NULL, 0), 0);
    /* The list says Kernel-Process is another GUID: the well-known table comes first. */
    l.v[0].guid.data1 ^= 1;
    ef_log_set_hook(log_hook, NULL);
    logged[0] = '\0';

    ck_assert_int_eq(
        ef_etw_resolve_provider(&l, "{9e814aad-3204-11d2-9a82-006008a86939}", &g, &how), 0);
    ck_assert_str_eq(ef_etw_resolved_name(how), "guid");
    ck_assert(ef_guid_equal(&g, &provs[1].guid));

    ck_assert_int_eq(ef_etw_resolve_provider(&l, "microsoft-windows-kernel-PROCESS", &g, &how), 0);
    ck_assert_str_eq(ef_etw_resolved_name(how), "well-known");
    ck_assert(ef_guid_equal(&g, &provs[0].guid));
    ck_assert(!ef_guid_equal(&g, &l.v[0].guid)); /* not the list's altered one */

    ck_assert_int_eq(ef_etw_resolve_provider(&l, "WINDOWS KERNEL TRACE", &g, &how), 0);
    ck_assert_str_eq(ef_etw_resolved_name(how), "tdh");
    ck_assert(ef_guid_equal(&g, &provs[1].guid));
    ck_assert_str_eq(logged, "");

    /* Not registered: the name hash, with a warning naming the provider. */
    ck_assert_int_eq(ef_guid_parse("{CE5FA4EA-AB00-5402-8B76-9F76AC858FB5}", 38, &want), 0);
    ck_assert_int_eq(ef_etw_resolve_provider(&l, "MyCompany.MyComponent", &g, &how), 0);
    ck_assert_str_eq(ef_etw_resolved_name(how), "tracelogging-hash");
    ck_assert(ef_guid_equal(&g, &want));
    ck_assert_msg(strstr(logged, "MyCompany.MyComponent") && strstr(logged, "hash"), "%s", logged);

    /* No list at all (the enumeration failed): still the hash. */
    ck_assert_int_eq(ef_etw_resolve_provider(NULL, "Windows Kernel Trace", &g, &how), 0);
    ck_assert_str_eq(ef_etw_resolved_name(how), "tracelogging-hash");
    ck_assert_int_eq(ef_etw_resolve_provider(&l, "", &g, &how), EF_EINVAL);
    ef_log_set_hook(NULL, NULL);
    ef_etw_providers_free(&l);
}
END_TEST

TCase *ef_etw_providers_case(void);

TCase *ef_etw_providers_case(void)
{
    TCase *tc = tcase_create("providers");

    tcase_add_test(tc, enumerate_grows);
    tcase_add_test(tc, enumerate_bounded);
    tcase_add_test(tc, enumerate_survives_exception);
    tcase_add_test(tc, parse_damaged);
    tcase_add_test(tc, resolve_order);
    return tc;
}
