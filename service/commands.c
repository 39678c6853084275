/*
 * commands.c - the list of subcommands, in the order the help shows them.
 */
#include "cli.h"

#include "util/attr.h"

const struct ef_cmd ef_commands[] = {
    {"run", "-c FILE [--follow]",
     "run the configured pipeline until stopped (file sessions: until replayed and delivered)",
     ef_cmd_run},
    {"reload", "[-c CONFIG] [--name NAME]",
     "ask a running etwfwd to re-read its configuration: SIGHUP to `run`'s pid (POSIX), "
     "PARAMCHANGE to the service (Windows)",
     ef_cmd_reload},
    {"validate", "-c FILE [--syntax-only]",
     "check a configuration file and print what it resolves to", ef_cmd_validate},
    {"config", "--help [KEY|SECTION]", "describe the configuration options", ef_cmd_config},
    {"replay", "FILE.etl [--format native|ecs] [--manifest PATH]... [-c CONF] ...",
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
    {"install", "[-c FILE] [--name NAME] [--reconfigure]",
     "register the Windows service (default configuration %ProgramData%\\etwfwd\\etwfwd.ini); "
     "--reconfigure: re-apply its settings to a registered one (Windows)",
     ef_cmd_install},
    {"uninstall", "[--name NAME]",
     "stop and remove the Windows service and its event source (Windows)", ef_cmd_uninstall},
    {"start", "[--name NAME]", "start the Windows service (Windows)", ef_cmd_start},
    {"stop", "[--name NAME]", "stop the Windows service and wait until it has stopped (Windows)",
     ef_cmd_stop},
    {"status", "[--name NAME] [--json]",
     "the Windows service's state, pid, configuration, last exit code, uptime and events "
     "forwarded (Windows)",
     ef_cmd_status},
    {"service", "-c FILE [--name NAME]",
     "the entry the service control manager runs; from a console use 'run' (Windows)",
     ef_cmd_service},
    {"version", "", "print the version and the libraries built in", ef_cmd_version},
};

const unsigned ef_commands_count = EF_ARRAY_LEN(ef_commands);
