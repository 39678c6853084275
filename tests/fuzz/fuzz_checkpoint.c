/*
 * fuzz_checkpoint.c - a file session's checkpoint file (core/source/
 * checkpoint.c) on arbitrary bytes: it lives in state_dir, where a crash or
 * a disk can leave anything. Loading never fails on its content (a damaged
 * file is ignored), and saving what was loaded gives a file that loads.
 */
#include "source/checkpoint.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    struct ef_ckpt *c;
    uint64_t skip;
    FILE *f;

    if (!path[0])
        snprintf(path, sizeof(path), "/tmp/etwfwd-fuzz-ckpt-%d", (int)getpid());
    f = fopen(path, "wb");
    if (!f)
        return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    if (ef_ckpt_open(path, "fuzz", &c) != 0)
        __builtin_trap(); /* only memory can fail it */
    /* The fuzz input itself as a trace (the file exists): begin, end, accept, save. */
    if (ef_ckpt_begin_file(c, path, 0, &skip) == 0)
        ef_ckpt_end_file(c, 3);
    ef_ckpt_accepted(c, 2);
    ef_ckpt_save(c);
    ef_ckpt_free(c);
    if (ef_ckpt_open(path, "fuzz", &c) != 0)
        __builtin_trap();
    ef_ckpt_free(c);
    remove(path);
    return 0;
}
