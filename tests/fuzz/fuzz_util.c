/*
 * fuzz_util.c - the core/util parsers of untrusted bytes: UTF-16, UTF-8,
 * SID, GUID text, hex. The first byte picks the parser.
 */
#include "util/buf.h"
#include "util/guid.h"
#include "util/hex.h"
#include "util/sid.h"
#include "util/utf16.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char small[7], sid[EF_SID_STR_SIZE], gs[EF_GUID_STR_SIZE];
    struct ef_guid g;
    struct ef_buf b;
    size_t used;

    if (size < 1)
        return 0;
    ef_buf_init(&b, 4096);
    switch (data[0] % 5) {
    case 0:
        ef_utf16le_to_utf8(data + 1, size - 1, EF_UTF16_STOP_AT_NUL, small, sizeof(small), NULL,
                           &used);
        if (used > size - 1)
            __builtin_trap();
        ef_utf16le_to_buf(data + 1, size - 1, 0, &b, &used);
        break;
    case 1:
        ef_utf8_sanitize_to_buf(data + 1, size - 1, &b);
        break;
    case 2:
        if (ef_sid_format(data + 1, size - 1, sid, &used) == 0 && used > size - 1)
            __builtin_trap();
        break;
    case 3:
        if (ef_guid_parse((const char *)data + 1, size - 1, &g) == 0) {
            ef_guid_format(&g, gs);
            if (strlen(gs) != 38)
                __builtin_trap();
        }
        break;
    default:
        ef_hexdump_append(&b, data + 1, size - 1);
        break;
    }
    ef_buf_free(&b);
    return 0;
}
