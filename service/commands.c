/*
 * commands.c - the list of subcommands, in the order the help shows them.
 */
#include "cli.h"

#include "util/attr.h"

const struct ef_cmd ef_commands[] = {
    {"run", "-c FILE [--follow]",
     "run the configured pipeline until stopped (file sessions: until replayed and delivered)",
     ef_cmd_run},
    {"validate", "-c FILE", "check a configuration file and print what it resolves to",
     ef_cmd_validate},
    {"config", "--help [KEY]", "describe the configuration options", ef_cmd_config},
    {"replay", "FILE.etl [--manifest PATH]... [--mof PATH]...",
     "decode a trace file and print its events as JSON lines", ef_cmd_replay},
    {"inspect", "FILE.etl [--json]",
     "print a trace file's header, events per provider and id, and read errors", ef_cmd_inspect},
    {"spool", "verify|dump DIR", "check a spool for damage, or print the events it holds",
     ef_cmd_spool},
    {"providers", "[FILTER] [--json]",
     "list the providers registered on this machine: name, GUID, schema source (Windows)",
     ef_cmd_providers},
    {"sessions", "[--json]",
     "list the running ETW sessions with their buffers and losses, ours marked (Windows)",
     ef_cmd_sessions},
    {"selftest", "[--events N]",
     "prove live ETW works here: write N events of a provider of our own through a private "
     "session and check every one arrives decoded (Windows)",
     ef_cmd_selftest},
    {"version", "", "print the version and the libraries built in", ef_cmd_version},
};

const unsigned ef_commands_count = EF_ARRAY_LEN(ef_commands);
