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

int ef_cmd_version(int argc, char **argv)
{
    XML_Expat_Version ev = XML_ExpatVersionInfo();

    (void)argv;
    if (argc > 1) {
        fprintf(stderr, "etwfwd version: takes no arguments\n");
        return EF_EXIT_USAGE;
    }
    printf("etwfwd %s (%s %s)\n", EF_VERSION, EF_HOST_SYSTEM, EF_HOST_CPU);
    printf("libuv %s\n", uv_version_string());
    printf("yajl %d.%d.%d\n", YAJL_MAJOR, YAJL_MINOR, YAJL_MICRO);
    printf("libcurl %s\n", LIBCURL_VERSION);
    printf("expat %d.%d.%d\n", ev.major, ev.minor, ev.micro);
    printf("zlib %s\n", zlibVersion());
    return EF_EXIT_OK;
}
