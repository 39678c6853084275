/*
 * source_file.c - reading a schema file into a file-fed schema source
 * (manifest_index.c, mof_source.c); see source_file.h.
 */
#include "decode/source_file.h"

#include <stdlib.h>

#include "util/error.h"
#include "util/file.h"

int ef_source_add_file(const char *path, ef_source_add_fn add, void *src, struct ef_buf *err)
{
    char *data = NULL;
    size_t len = 0;
    int rc;

    rc = ef_read_file(path, EF_SOURCE_FILE_MAX, &data, &len);
    if (rc < 0) {
        if (err)
            ef_buf_appendf(err, "%s: cannot read: %s", path, ef_strerror(rc));
        return rc;
    }
    rc = add(src, path, data, len, err);
    free(data);
    return rc;
}
