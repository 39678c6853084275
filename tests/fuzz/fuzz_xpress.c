/*
 * fuzz_xpress.c - libFuzzer target: XPRESS decompression of arbitrary bytes
 * into a buffer the size of a large ETW buffer.
 */
#include "etl/xpress.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t out[1 << 16];
    size_t n = 0;

    ef_xpress_decompress(data, size, out, sizeof(out), &n);
    if (n > sizeof(out))
        __builtin_trap();
    return 0;
}
