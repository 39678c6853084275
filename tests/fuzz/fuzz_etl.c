/*
 * fuzz_etl.c - libFuzzer target: the .etl reader over arbitrary bytes.
 *
 * Every record's payload and extended items are read in full so ASan sees
 * any pointer that escapes its buffer.
 */
#include "etl/etl.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ef_etl_options opt = {NULL, NULL, 1u << 20};
    struct ef_etl_reader *r = NULL;
    const struct ef_record *rec;
    volatile uint8_t sink = 0;
    uint32_t i;
    uint16_t k;

    if (ef_etl_open_memory(data, size, &opt, &r) < 0)
        return 0;
    while (ef_etl_next(r, &rec) == 1) {
        for (i = 0; i < rec->user_data_len; i++)
            sink ^= rec->user_data[i];
        for (k = 0; k < rec->ext_count; k++) {
            for (i = 0; i < rec->ext[k].size; i++)
                sink ^= rec->ext[k].data[i];
        }
    }
    (void)sink;
    ef_etl_close(r);
    return 0;
}
