/*
 * guid.c - GUID parsing and formatting, and the GUID of a provider's name.
 */
#include "guid.h"
#include "bytes.h"
#include "error.h"
#include "sha1.h"

#include <stdio.h>
#include <string.h>

void ef_guid_format(const struct ef_guid *g, char out[EF_GUID_STR_SIZE])
{
    snprintf(out, EF_GUID_STR_SIZE, "{%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}",
             (unsigned)g->data1, (unsigned)g->data2, (unsigned)g->data3, g->data4[0], g->data4[1],
             g->data4[2], g->data4[3], g->data4[4], g->data4[5], g->data4[6], g->data4[7]);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Reads n hex digits of s into *v. */
static int hexn(const char *s, int n, uint32_t *v)
{
    uint32_t r = 0;
    int i, d;

    for (i = 0; i < n; i++) {
        d = hexval(s[i]);
        if (d < 0)
            return EF_EFORMAT;
        r = (r << 4) | (uint32_t)d;
    }
    *v = r;
    return 0;
}

int ef_guid_parse(const char *s, size_t len, struct ef_guid *out)
{
    struct ef_guid g;
    uint32_t v;
    int i;

    if (len == 38) {
        if (s[0] != '{' || s[37] != '}')
            return EF_EFORMAT;
        s++;
        len -= 2;
    }
    if (len != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-')
        return EF_EFORMAT;
    if (hexn(s, 8, &g.data1) < 0)
        return EF_EFORMAT;
    if (hexn(s + 9, 4, &v) < 0)
        return EF_EFORMAT;
    g.data2 = (uint16_t)v;
    if (hexn(s + 14, 4, &v) < 0)
        return EF_EFORMAT;
    g.data3 = (uint16_t)v;
    for (i = 0; i < 2; i++) {
        if (hexn(s + 19 + 2 * i, 2, &v) < 0)
            return EF_EFORMAT;
        g.data4[i] = (uint8_t)v;
    }
    for (i = 0; i < 6; i++) {
        if (hexn(s + 24 + 2 * i, 2, &v) < 0)
            return EF_EFORMAT;
        g.data4[2 + i] = (uint8_t)v;
    }
    *out = g;
    return 0;
}

void ef_guid_read(const void *p, struct ef_guid *out)
{
    const uint8_t *b = p;

    out->data1 = ef_le32(b);
    out->data2 = ef_le16(b + 4);
    out->data3 = ef_le16(b + 6);
    memcpy(out->data4, b + 8, 8);
}

void ef_guid_write(const struct ef_guid *g, void *p)
{
    uint8_t *b = p;

    ef_put_le32(b, g->data1);
    ef_put_le16(b + 4, g->data2);
    ef_put_le16(b + 6, g->data3);
    memcpy(b + 8, g->data4, 8);
}

int ef_guid_equal(const struct ef_guid *a, const struct ef_guid *b)
{
    return a->data1 == b->data1 && a->data2 == b->data2 && a->data3 == b->data3 &&
           memcmp(a->data4, b->data4, 8) == 0;
}

int ef_guid_is_zero(const struct ef_guid *g)
{
    static const struct ef_guid zero;

    return ef_guid_equal(g, &zero);
}

/*
 * Decodes one UTF-8 character of s[0..n) into *cp and returns its length, or
 * 0 for an invalid sequence (overlong, surrogate, above U+10FFFF, cut short).
 */
static size_t utf8_next(const uint8_t *s, size_t n, uint32_t *cp)
{
    size_t len, i;
    uint32_t v, min;

    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if ((s[0] & 0xE0) == 0xC0)
        len = 2, v = s[0] & 0x1Fu, min = 0x80;
    else if ((s[0] & 0xF0) == 0xE0)
        len = 3, v = s[0] & 0x0Fu, min = 0x800;
    else if ((s[0] & 0xF8) == 0xF0)
        len = 4, v = s[0] & 0x07u, min = 0x10000;
    else
        return 0;
    if (len > n)
        return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3Fu);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

/*
 * ToUpperInvariant for the letters provider names plausibly hold. .NET's
 * invariant upper-casing is ICU's u_toupper (the Unicode simple mapping)
 * except that U+0131, dotless i, stays as it is to match Windows
 * (dotnet/runtime, System.Globalization.Native/pal_casing.c). This does the
 * same for ASCII, Latin-1, Latin Extended-A, basic Greek and basic Cyrillic;
 * other characters pass unchanged.
 */
static uint32_t upper_invariant(uint32_t c)
{
    if (c >= 'a' && c <= 'z')
        return c - 0x20;
    if (c < 0xB5)
        return c;
    if (c == 0xB5)
        return 0x39C; /* MICRO SIGN -> GREEK CAPITAL MU */
    if ((c >= 0xE0 && c <= 0xFE && c != 0xF7))
        return c - 0x20;
    if (c == 0xFF)
        return 0x178;
    if (c >= 0x100 && c <= 0x17F) {
        if (c == 0x131 || c == 0x138 || c == 0x149)
            return c; /* dotless i (see above), kra and 'n have no capital */
        if (c == 0x17F)
            return 'S'; /* long s */
        /* Pairs are (even capital, odd small) except in 0x139-0x148 and 0x179-0x17E. */
        if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
            return (c & 1) ? c : c - 1;
        return (c & 1) ? c - 1 : c;
    }
    if (c >= 0x3B1 && c <= 0x3CB && c != 0x3C2)
        return c - 0x20; /* Greek alpha..upsilon with dialytika */
    if (c == 0x3C2)
        return 0x3A3; /* final sigma */
    if (c >= 0x430 && c <= 0x44F)
        return c - 0x20;
    if (c >= 0x450 && c <= 0x45F)
        return c - 0x50;
    return c;
}

/* Appends code point c as UTF-16BE to out; returns the bytes written (2 or 4). */
static size_t put_utf16be(uint32_t c, uint8_t *out)
{
    if (c >= 0x10000) {
        uint32_t hi = 0xD800 + ((c - 0x10000) >> 10), lo = 0xDC00 + ((c - 0x10000) & 0x3FF);
        out[0] = (uint8_t)(hi >> 8);
        out[1] = (uint8_t)hi;
        out[2] = (uint8_t)(lo >> 8);
        out[3] = (uint8_t)lo;
        return 4;
    }
    out[0] = (uint8_t)(c >> 8);
    out[1] = (uint8_t)c;
    return 2;
}

int ef_guid_from_provider_name(const char *utf8_name, size_t len, struct ef_guid *out)
{
    /* EventSource's namespace, the bytes of GenerateGuidFromName (ETW-NOTES section 7). */
    static const uint8_t ns[16] = {0x48, 0x2C, 0x2D, 0xB2, 0xC3, 0x90, 0x47, 0xC8,
                                   0x87, 0xF8, 0x1A, 0x15, 0xBF, 0xC1, 0x30, 0xFB};
    const uint8_t *s = (const uint8_t *)utf8_name;
    uint8_t chunk[256], digest[EF_SHA1_DIGEST_SIZE];
    struct ef_sha1 h;
    size_t pos = 0, used = 0, n;
    uint32_t cp;

    if (len == 0)
        return EF_EINVAL;
    ef_sha1_init(&h);
    ef_sha1_update(&h, ns, sizeof(ns));
    while (pos < len) {
        n = utf8_next(s + pos, len - pos, &cp);
        if (n == 0)
            return EF_EFORMAT;
        pos += n;
        used += put_utf16be(upper_invariant(cp), chunk + used);
        if (used + 4 > sizeof(chunk)) {
            ef_sha1_update(&h, chunk, used);
            used = 0;
        }
    }
    ef_sha1_update(&h, chunk, used);
    ef_sha1_final(&h, digest);
    /* The version nibble of a name-based (v5) GUID, in the byte that ends Data3. */
    digest[7] = (uint8_t)((digest[7] & 0x0F) | 0x50);
    ef_guid_read(digest, out);
    return 0;
}
