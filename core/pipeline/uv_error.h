/*
 * uv_error.h - libuv's negative error numbers as EF_E* codes, for the
 * blocking uv_fs_* calls of the dead-letter writer and the file sink.
 */
#ifndef EF_PIPELINE_UV_ERROR_H
#define EF_PIPELINE_UV_ERROR_H

/*
 * The EF_E* code for a UV_E* error: missing, denied, full, existing and
 * out-of-memory keep their meaning, anything else is EF_EIO. Any thread.
 */
int ef_from_uv(int err);

#endif
