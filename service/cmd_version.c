/*
 * cmd_version.c - `etwfwd version`.
 */
#include "cli.h"
#include "ef_config.h"

#include <curl/curlver.h>
#include <expat.h>
#include <stdio.h>
#include <uv.h>
#include <yajl/yajl_version.h>
#include <zlib.h>

const struct ef_cmd_spec ef_spec_version = {
    "version", "", 0, 0, NULL, "Prints the version and the libraries built in.", NULL, 0, 0};

int ef_cmd_version(int argc, char **argv)
{
    XML_Expat_Version ev = XML_ExpatVersionInfo();
    struct ef_args a;
    int rc = ef_args_parse(&ef_spec_version, argc, argv, &a);

    ef_args_free(&a);
    if (rc >= 0)
        return rc;
    printf("etwfwd %s (%s %s)\n", EF_VERSION, EF_HOST_SYSTEM, EF_HOST_CPU);
    printf("libuv %s\n", uv_version_string());
    printf("yajl %d.%d.%d\n", YAJL_MAJOR, YAJL_MINOR, YAJL_MICRO);
    printf("libcurl %s\n", LIBCURL_VERSION);
    printf("expat %d.%d.%d\n", ev.major, ev.minor, ev.micro);
    printf("zlib %s\n", zlibVersion());
    return EF_EXIT_OK;
}
