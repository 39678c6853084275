/*
 * spool_fixture.h - helpers shared by the spool suite's test files:
 * temporary folders that work on Linux and under Wine, and small file edits
 * to damage a spool on purpose.
 */
#ifndef EF_TESTS_SPOOL_FIXTURE_H
#define EF_TESTS_SPOOL_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include "pipeline/spool.h"

/* A fresh empty folder under the temp dir; the path is malloc'd. */
char *ef_tspool_mkdtemp(void);
/*
 * The suite's per-test fixture (tcase_add_checked_fixture): a fresh folder
 * in ef_tspool_dir, removed afterwards.
 */
extern char *ef_tspool_dir;
void ef_tspool_setup(void);
void ef_tspool_teardown(void);
/* Removes a folder and the files in it. */
void ef_tspool_rmdir(const char *dir);
/* The number of *.seg files in dir. */
int ef_tspool_count_segments(const char *dir);
/* "dir/<name of the n-th segment, sorted>" into out (n from 0); 0 or -1. */
int ef_tspool_segment_path(const char *dir, int n, char *out, size_t cap);
/* Size of a file, or -1. */
long long ef_tspool_file_size(const char *path);
/* Overwrites len bytes at off (off < 0: appends). */
void ef_tspool_patch(const char *path, long long off, const void *data, size_t len);
void ef_tspool_truncate(const char *path, long long size);
/* The deterministic payload of event i: "{\"n\":i,\"pad\":\"xxx...\"}" of i % 300 + 20 bytes. */
size_t ef_tspool_payload(uint64_t i, char *out, size_t cap);
/* Opens dir with sinks "a" and "b" and the given knobs. */
int ef_tspool_open(const char *dir, int mode, uint64_t seg_size, uint64_t max_size, int on_full,
                   int sync, struct ef_spool **sp, struct ef_spool_recovery *rec);
/* The same with the spool's background thread (background = 1). */
int ef_tspool_open_bg(const char *dir, uint64_t seg_size, uint64_t max_size, int on_full, int sync,
                      struct ef_spool **sp, struct ef_spool_recovery *rec);
/* Appends events first..last (payload numbers) and commits; fails the test on error. */
void ef_tspool_append_range(struct ef_spool *sp, uint64_t first, uint64_t last);
/* Reads everything from seq from; checks each payload's number is its seq - delta. */
uint64_t ef_tspool_read_all(struct ef_spool *sp, uint64_t from, uint64_t *first_seen,
                            uint64_t *last_seen);

#endif
