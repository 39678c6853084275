/*
 * test_util_sha1.c - SHA-1 and the GUID of a TraceLogging/EventSource
 * provider's name.
 *
 * Every expected value comes from outside this code: the digests from FIPS
 * 180-2's examples and RFC 3174's test suite, the provider GUIDs from
 * Microsoft's TRACELOGGING_DEFINE_PROVIDER page (ETW-NOTES section 7), from
 * PerfView's own log of the EventSources it enabled (net.4.5.2.x86.LogFile.txt
 * in the shared test data) and from the provider GUID of the EventSource
 * event in SelfDescribingSingleEvent.etl.
 */
#include "runner.h"

#include "util/error.h"
#include "util/guid.h"
#include "util/sha1.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void hex20(const uint8_t d[EF_SHA1_DIGEST_SIZE], char out[41])
{
    int i;

    for (i = 0; i < EF_SHA1_DIGEST_SIZE; i++)
        snprintf(out + 2 * i, 3, "%02x", d[i]);
}

struct sha1_case {
    const char *msg;
    unsigned repeat;
    const char *want;
};

static const struct sha1_case sha1_cases[] = {
    /* FIPS 180-2 appendix A.1 / RFC 3174 TEST1. */
    {"abc", 1, "a9993e364706816aba3e25717850c26c9cd0d89d"},
    /* FIPS 180-2 appendix A.2 / RFC 3174 TEST2: 448 bits, so padding needs a second block. */
    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 1,
     "84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
    /* FIPS 180-2 appendix A.3 / RFC 3174 TEST3: one million 'a'. */
    {"a", 1000000, "34aa973cd4c4daa4f61eeb2bdbad27316534016f"},
    /* RFC 3174 TEST4: 640 bytes, a whole number of blocks. */
    {"0123456701234567012345670123456701234567012345670123456701234567", 10,
     "dea356a2cddd90c7a7ecedc5ebb563934f460452"},
    /* The empty message. */
    {"", 1, "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
};

START_TEST(sha1_vectors)
{
    const struct sha1_case *c = &sha1_cases[_i];
    uint8_t d[EF_SHA1_DIGEST_SIZE];
    char got[41];
    struct ef_sha1 h;
    unsigned i;

    ef_sha1_init(&h);
    for (i = 0; i < c->repeat; i++)
        ef_sha1_update(&h, c->msg, strlen(c->msg));
    ef_sha1_final(&h, d);
    hex20(d, got);
    ck_assert_str_eq(got, c->want);
}
END_TEST

/*
 * The million 'a' of FIPS 180-2 A.3 in pieces of every size from 1 to 130
 * bytes, so pieces straddle, fill and skip the 64-byte block in every way.
 */
START_TEST(sha1_streaming_pieces)
{
    static const char want[] = "34aa973cd4c4daa4f61eeb2bdbad27316534016f";
    char *a = malloc(1000000), got[41];
    uint8_t d[EF_SHA1_DIGEST_SIZE];
    struct ef_sha1 h;
    size_t done = 0, piece = 1;

    ck_assert_ptr_nonnull(a);
    memset(a, 'a', 1000000);
    ef_sha1_init(&h);
    ef_sha1_update(&h, NULL, 0);
    while (done < 1000000) {
        size_t n = 1000000 - done < piece ? 1000000 - done : piece;
        ef_sha1_update(&h, a + done, n);
        done += n;
        piece = piece % 130 + 1;
    }
    ef_sha1_final(&h, d);
    hex20(d, got);
    ck_assert_str_eq(got, want);
    free(a);
}
END_TEST

struct name_case {
    const char *name;
    const char *want;
};

static const struct name_case name_cases[] = {
    /* Microsoft's example on the TRACELOGGING_DEFINE_PROVIDER page. */
    {"MyCompany.MyComponent", "{CE5FA4EA-AB00-5402-8B76-9F76AC858FB5}"},
    /* The hash upper-cases the name first, so case does not matter. */
    {"mycompany.mycomponent", "{CE5FA4EA-AB00-5402-8B76-9F76AC858FB5}"},
    {"MYCOMPANY.MYCOMPONENT", "{CE5FA4EA-AB00-5402-8B76-9F76AC858FB5}"},
    /* PerfView's log of the EventSources it enabled (net.4.5.2.x86.LogFile.txt). */
    {"Microsoft-Windows-ASPNET", "{EE799F41-CFA5-550B-BF2C-344747C1C668}"},
    {"Microsoft.Tasks.Nuget", "{B734069E-103C-5376-2080-4F009207881A}"},
    {"Microsoft-AdoNet-SystemData", "{6A4DFE53-EB50-5332-8473-7B7E10A94FD1}"},
    {"Microsoft-AspNetCore-Hosting", "{9E620D2A-55D4-5ADE-DEB7-C26046D245A8}"},
    {"Microsoft-ApplicationInsights-Core", "{74AF9F20-AF6A-5582-9382-F21F674FB271}"},
    /* The log names it by its class, PerfViewLogger; its EventSource name is PerfView. */
    {"PerfView", "{A8A71AC1-040F-54A2-07CA-00A89B5AB761}"},
    /* The provider GUID of MySource/TestEvent in SelfDescribingSingleEvent.etl. */
    {"MySource", "{A61EA624-4944-55FC-C2A8-37838829438D}"},
};

START_TEST(provider_name_vectors)
{
    const struct name_case *c = &name_cases[_i];
    char got[EF_GUID_STR_SIZE];
    struct ef_guid g;

    ck_assert_int_eq(ef_guid_from_provider_name(c->name, strlen(c->name), &g), 0);
    ef_guid_format(&g, got);
    ck_assert_str_eq(got, c->want);
}
END_TEST

/* Only len bytes are read: the name need not end in a NUL. */
START_TEST(provider_name_len_bounds)
{
    static const char text[] = "MyCompany.MyComponentXYZ";
    char got[EF_GUID_STR_SIZE];
    struct ef_guid g;

    ck_assert_int_eq(ef_guid_from_provider_name(text, 21, &g), 0);
    ef_guid_format(&g, got);
    ck_assert_str_eq(got, "{CE5FA4EA-AB00-5402-8B76-9F76AC858FB5}");
}
END_TEST

/*
 * Letters beyond ASCII hash as their upper-case form (ToUpperInvariant): a
 * name in small letters gets the GUID of the same name in capitals. The pairs
 * are from the Unicode code charts; U+0131 (dotless i) stays as it is in .NET,
 * so it must not hash as 'I'.
 */
struct fold_case {
    const char *lower, *upper;
    int same;
};

static const struct fold_case fold_cases[] = {
    {"caf\xC3\xA9-\xC3\xBE", "CAF\xC3\x89-\xC3\x9E", 1}, /* é Þ (Latin-1) */
    {"\xC3\xBF", "\xC5\xB8", 1},                         /* ÿ -> Ÿ U+0178 */
    {"\xC2\xB5s", "\xCE\x9CS", 1},                       /* µ -> Greek capital mu */
    {"\xC4\x81\xC4\xBA\xC5\x8B\xC5\xBE", "\xC4\x80\xC4\xB9\xC5\x8A\xC5\xBD", 1}, /* ā ĺ ŋ ž */
    {"\xC5\xBF", "S", 1},                                                        /* long s */
    {"\xCE\xB1\xCF\x89\xCF\x82", "\xCE\x91\xCE\xA9\xCE\xA3", 1},                 /* α ω ς */
    {"\xD0\xB0\xD1\x8F\xD1\x91", "\xD0\x90\xD0\xAF\xD0\x81", 1},                 /* а я ё */
    {"\xC4\xB1", "I", 0},        /* dotless i stays */
    {"\xC3\xB7", "\xC3\x97", 0}, /* ÷ is no letter */
    {"\xC3\x9F", "SS", 0},       /* ß has no one-letter capital */
};

START_TEST(provider_name_case_folding)
{
    const struct fold_case *c = &fold_cases[_i];
    struct ef_guid a, b;

    ck_assert_int_eq(ef_guid_from_provider_name(c->lower, strlen(c->lower), &a), 0);
    ck_assert_int_eq(ef_guid_from_provider_name(c->upper, strlen(c->upper), &b), 0);
    ck_assert_int_eq(ef_guid_equal(&a, &b), c->same);
}
END_TEST

/*
 * The exact UTF-16BE units hashed, worked out by hand from the code charts:
 * the expected GUID is built here from the namespace and those bytes, with
 * the SHA-1 the vectors above prove. A character above U+FFFF goes as its
 * surrogate pair; U+0131 (dotless i) stays U+0131, neither 'I' nor U+0130,
 * as .NET keeps it; U+00DF (sharp s) has no one-letter capital and stays.
 */
struct hand_case {
    const char *utf8;
    uint8_t be[8];
    size_t n;
};

static const struct hand_case hand_cases[] = {
    {"a\xF0\x9F\x98\x80", {0x00, 0x41, 0xD8, 0x3D, 0xDE, 0x00}, 6}, /* "A" U+1F600 */
    {"\xC4\xB1", {0x01, 0x31}, 2},                                  /* dotless i */
    {"\xC3\x9F", {0x00, 0xDF}, 2},                                  /* sharp s */
    {"\xC3\xBF-\xC5\xBF", {0x01, 0x78, 0x00, 0x2D, 0x00, 0x53}, 6}, /* ÿ -> U+0178, long s -> S */
};

START_TEST(provider_name_hand_built)
{
    static const uint8_t ns[16] = {0x48, 0x2C, 0x2D, 0xB2, 0xC3, 0x90, 0x47, 0xC8,
                                   0x87, 0xF8, 0x1A, 0x15, 0xBF, 0xC1, 0x30, 0xFB};
    const struct hand_case *c = &hand_cases[_i];
    uint8_t d[EF_SHA1_DIGEST_SIZE];
    struct ef_guid got, want;
    struct ef_sha1 h;

    ef_sha1_init(&h);
    ef_sha1_update(&h, ns, sizeof(ns));
    ef_sha1_update(&h, c->be, c->n);
    ef_sha1_final(&h, d);
    d[7] = (uint8_t)((d[7] & 0x0F) | 0x50);
    ef_guid_read(d, &want);
    ck_assert_int_eq(ef_guid_from_provider_name(c->utf8, strlen(c->utf8), &got), 0);
    ck_assert(ef_guid_equal(&got, &want));
}
END_TEST

START_TEST(provider_name_errors)
{
    static const char *const bad[] = {
        "\xC3",             /* cut short */
        "\xC0\xAF",         /* overlong '/' */
        "\xED\xA0\x80",     /* a surrogate */
        "\xF4\x90\x80\x80", /* above U+10FFFF */
        "ab\xFF",           /* never valid */
        "\x80x",            /* a continuation byte first */
    };
    struct ef_guid g, before;
    size_t i;

    memset(&before, 0x5A, sizeof(before));
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        g = before;
        ck_assert_int_eq(ef_guid_from_provider_name(bad[i], strlen(bad[i]), &g), EF_EFORMAT);
        ck_assert(ef_guid_equal(&g, &before));
    }
    ck_assert_int_eq(ef_guid_from_provider_name("x", 0, &g), EF_EINVAL);
}
END_TEST

/* Names longer than the function's 256-byte staging buffer hash as a whole. */
START_TEST(provider_name_long)
{
    char name[1001];
    struct ef_guid a, b;

    memset(name, 'q', 1000);
    name[1000] = '\0';
    ck_assert_int_eq(ef_guid_from_provider_name(name, 1000, &a), 0);
    name[999] = 'r';
    ck_assert_int_eq(ef_guid_from_provider_name(name, 1000, &b), 0);
    ck_assert(!ef_guid_equal(&a, &b));
    ck_assert_int_eq(a.data3 >> 12, 5);
}
END_TEST

TCase *ef_util_sha1_case(void);
TCase *ef_util_sha1_case(void)
{
    TCase *tc = tcase_create("sha1");

    tcase_add_loop_test(tc, sha1_vectors, 0, (int)(sizeof(sha1_cases) / sizeof(sha1_cases[0])));
    tcase_add_test(tc, sha1_streaming_pieces);
    tcase_add_loop_test(tc, provider_name_vectors, 0,
                        (int)(sizeof(name_cases) / sizeof(name_cases[0])));
    tcase_add_test(tc, provider_name_len_bounds);
    tcase_add_loop_test(tc, provider_name_case_folding, 0,
                        (int)(sizeof(fold_cases) / sizeof(fold_cases[0])));
    tcase_add_loop_test(tc, provider_name_hand_built, 0,
                        (int)(sizeof(hand_cases) / sizeof(hand_cases[0])));
    tcase_add_test(tc, provider_name_errors);
    tcase_add_test(tc, provider_name_long);
    return tc;
}
