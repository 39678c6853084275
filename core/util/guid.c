/*
 * guid.c - GUID parsing and formatting.
 */
#include "guid.h"
#include "bytes.h"
#include "error.h"

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
