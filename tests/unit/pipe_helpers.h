/*
 * pipe_helpers.h - shared fixtures of the pipeline and sink_file suites: a
 * temporary folder, reading files back, running a uv loop until a
 * condition holds, and an in-memory spool (struct ef_spool implemented in
 * pipe_helpers.c with the four calls the sink driver makes) whose contents
 * and cursors the tests control.
 */
#ifndef EF_TESTS_PIPE_HELPERS_H
#define EF_TESTS_PIPE_HELPERS_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "pipeline/spool.h"

/* Creates a fresh temporary folder; its path goes into out. */
void th_mkdtemp(char *out, size_t cap);
/* Deletes a folder and everything in it (one level of subfolders is enough here). */
void th_rmtree(const char *dir);
/* Reads a whole file (malloc'd, NUL-terminated); NULL if missing. */
char *th_read_file(const char *path, size_t *len);
/* Reads a gzip file back with zlib; NULL on error. */
char *th_read_gzip(const char *path, size_t *len);

/* Runs loop one iteration at a time until cond(ud) holds or max iterations pass. */
int th_run_until(uv_loop_t *loop, int (*cond)(void *ud), void *ud, int max);
/* Closes every handle left, runs the loop dry and returns uv_loop_close(). */
int th_loop_fini(uv_loop_t *loop);

/* The fake spool. */
struct ef_spool *th_spool_new(unsigned n_sinks);
void th_spool_free(struct ef_spool *sp);
uint64_t th_spool_append(struct ef_spool *sp, const void *data, uint32_t len);
/* Makes ef_spool_read fail with rc (0: stop failing). */
void th_spool_fail_reads(struct ef_spool *sp, int rc);
/* How many times ef_spool_ack was called. */
unsigned th_spool_acks(const struct ef_spool *sp);

#endif
