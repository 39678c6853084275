"""The command line itself: every subcommand's --help, --opt=value and
--opt value, options before or after the file, and errors that name the
problem (issue 14, item 7).

The option lists below are written by hand from the documented interface
(README, docs/config.md, the issue), not read from the code, so an option
the help forgets or a stray one fails here.
"""
import json
import os
import re
import unittest

import clihelp

# Every option each subcommand takes, as --help must list it (-h/--help aside).
OPTIONS = {
    "run": ["-c", "--config", "--follow"],
    "reload": ["-c", "--config", "--name"],
    "validate": ["-c", "--config", "--syntax-only"],
    "replay": ["--manifest", "--mof", "--format", "--int64-strings", "--typed", "-c", "--config"],
    "inspect": ["--json"],
    "spool": [],
    "providers": ["--json"],
    "sessions": ["--json"],
    "selftest": ["--events"],
    "install": ["-c", "--config", "--name", "--reconfigure"],
    "uninstall": ["--name"],
    "start": ["--name"],
    "stop": ["--name"],
    "status": ["--name", "--json"],
    "service": ["-c", "--config", "--name"],
    "version": [],
}


def etl(*parts):
    return clihelp.host_path(clihelp.shared("testdata", "etl", *parts))


def listed_options(help_text):
    """The option spellings at the start of the lines of the options: section."""
    self_opts = set()
    section = help_text.split("\noptions:\n", 1)
    if len(section) < 2:
        return self_opts
    for line in section[1].split("\n"):
        m = re.match(r"  (-\S+?)(?:,\s*(-\S+))?(?:\s|$)", line)
        if m:
            self_opts.update(x.rstrip(",") for x in m.groups() if x)
    return self_opts


def events(out):
    """Replay's JSON lines without ECS event.created, the one value that is the time of the run."""
    docs = []
    for line in out.splitlines():
        d = json.loads(line)
        if isinstance(d.get("event"), dict):
            d["event"].pop("created", None)
        docs.append(d)
    return docs


class Help(unittest.TestCase):
    def test_every_subcommand_lists_every_option(self):
        rc, out, err = clihelp.run(["--help"])
        self.assertEqual(rc, 0, err)
        commands = re.findall(r"(?m)^  (\S+)", out.split("commands:")[1])
        # The table above covers every command the top-level help lists, and only those.
        self.assertEqual(sorted(set(commands) - {"config"}), sorted(OPTIONS))
        for cmd, opts in sorted(OPTIONS.items()):
            for flag in ("--help", "-h"):
                rc, out, err = clihelp.run([cmd, flag])
                self.assertEqual(rc, 0, (cmd, flag, err))
                self.assertEqual(err, "", (cmd, flag))
                self.assertTrue(out.startswith("usage: etwfwd %s" % cmd), (cmd, out))
                listed = listed_options(out)
                self.assertEqual(listed, set(opts) | {"-h", "--help"}, (cmd, out))
                # Each option has a help sentence: text after it, ending with a full stop.
                for line in out.split("\noptions:\n", 1)[1].strip().split("\n  -"):
                    self.assertRegex(line.strip(), r"\.$", (cmd, line))

    def test_help_anywhere_wins(self):
        rc, out, err = clihelp.run(["replay", "x.etl", "--format", "ecs", "--help"])
        self.assertEqual(rc, 0, err)
        self.assertIn("--int64-strings", out)
        rc, out, err = clihelp.run(["run", "--bogus", "-h"])
        self.assertEqual(rc, 0, err)
        self.assertIn("--follow", out)

    def test_config_help_sections(self):
        # Keys of each section as docs/config.md lists them.
        expect = {
            "service": (["state_dir", "log_level", "spool", "hostname"], ["url", "kind"]),
            "session": (["kind", "path", "trace_name", "kernel_flags"], ["url", "state_dir"]),
            "provider": (["level", "match_any_keyword", "event_ids"], ["url", "state_dir"]),
            "sink": (["type", "url", "batch_max_events", "tls_verify"], ["kind", "state_dir"]),
            "route": (["session", "sink"], ["url", "state_dir", "kind"]),
        }
        for sec, (present, absent) in expect.items():
            rc, out, err = clihelp.run(["config", "--help", sec])
            self.assertEqual(rc, 0, (sec, err))
            self.assertIn("[%s" % sec, out)
            keys = re.findall(r"(?m)^  (\w+) = ", out)
            for k in present:
                self.assertIn(k, keys, sec)
            for k in absent:
                self.assertNotIn(k, keys, sec)
            # The spellings a user copies from a file name the same section.
            title = "[service]" if sec == "service" else "[%s:NAME]" % sec
            rc2, out2, err2 = clihelp.run(["config", "--help", title])
            self.assertEqual(rc2, 0, err2)
            if sec in ("session", "sink", "provider"):
                # Bare "session" and "sink" are also keys of [route:NAME], "provider" one of
                # [session:NAME]: those keys are shown beside the section.
                self.assertIn(out2, out)
                self.assertIn("[route:NAME]" if sec != "provider" else "[session:NAME]", out)
            else:
                self.assertEqual(out2, out)

    def test_config_help_key_still_works(self):
        rc, out, err = clihelp.run(["config", "--help", "sink.url"])
        self.assertEqual(rc, 0, err)
        self.assertEqual(re.findall(r"(?m)^  (\w+) = ", out), ["url"])
        rc, out, err = clihelp.run(["config", "--help", "nope"])
        self.assertEqual(rc, 2)
        self.assertIn("no option 'nope'", err)


class ConfigHelpTexts(unittest.TestCase):
    """Every option's help is whole sentences (issue 14, item 10)."""

    def test_whole_sentences(self):
        rc, out, err = clihelp.run(["config", "--help"])
        self.assertEqual(rc, 0, err)
        blocks = re.findall(r"(?m)^  (\w+) = .*\n((?:      .*\n)+)", out)
        # As many as docs/config.md's tables have rows: every option was found.
        with open(os.path.join(os.path.dirname(__file__), "..", "..", "docs", "config.md")) as f:
            rows = [ln for ln in f if re.match(r"\| `\w+` \|", ln)]
        self.assertEqual(len(blocks), len(rows))
        for key, block in blocks:
            help_text = block.rstrip("\n").split("\n")[-1].strip()
            # A capital first, a full stop last, no fragment left hanging.
            self.assertRegex(help_text, r"^[A-Z]", key)
            self.assertTrue(help_text.endswith("."), (key, help_text))
            # Each later sentence starts with a capital too ("e.g." is not a sentence end).
            for m in re.finditer(r"(?<!e\.g)\. (\S)", help_text):
                self.assertRegex(m.group(1), r"[A-Z(]", (key, help_text))
            # Not a "key: meaning" list dressed as prose ("0: never", "in: only ...").
            self.assertNotRegex(help_text, r"^\w+: ", key)


class Forms(unittest.TestCase):
    def same_replay(self, variants):
        results = []
        for args in variants:
            rc, out, err = clihelp.run(["replay"] + args)
            self.assertEqual(rc, 0, (args, err))
            results.append(events(out))
        self.assertTrue(results[0])
        for args, r in zip(variants[1:], results[1:]):
            self.assertEqual(r, results[0], args)
        return results[0]

    def test_replay_format_forms(self):
        f = etl("perfview", "primitive-types.etl")
        docs = self.same_replay([[f, "--format", "ecs"], ["--format", "ecs", f],
                                 [f, "--format=ecs"], ["--format=ecs", f],
                                 ["--format=ecs", "--", f]])
        # ECS indeed, not the native layout.
        self.assertIn("@timestamp", docs[0])
        self.assertNotIn("System", docs[0])

    def test_replay_repeated_options_either_form(self):
        f = etl("tx", "HTTP_Server.etl")
        m = etl("tx", "HTTP_Server.man")
        docs = self.same_replay([[f, "--manifest", m, "--typed"], ["--manifest=" + m, "--typed", f],
                                 ["--typed", "--manifest", m, f]])
        # The manifest was loaded in every form: the events have names from it.
        names = [d["System"]["Provider"].get("Name") for d in docs]
        self.assertIn("Microsoft-Windows-HttpService", names)

    def test_inspect_option_before_file(self):
        f = etl("perfview", "primitive-types.etl")
        a = clihelp.run(["inspect", f, "--json"])
        b = clihelp.run(["inspect", "--json", f])
        self.assertEqual(a[0], 0, a[2])
        self.assertEqual(a[:2], b[:2])
        self.assertTrue(json.loads(a[1])["providers"])

    def write_conf(self, d, trace):
        conf = os.path.join(d, "etwfwd.ini")
        with open(conf, "w") as f:
            f.write("[service]\nstate_dir = %s\nmetrics_listen =\nstats_interval = 1h\n\n"
                    "[session:s]\nkind = file\npath = %s\n\n"
                    "[sink:out]\ntype = file\npath = %s\n"
                    % (clihelp.host_path(os.path.join(d, "state")), trace,
                       clihelp.host_path(os.path.join(d, "out", "events.json"))))
        return clihelp.host_path(conf)

    def test_validate_forms(self):
        with clihelp.TempDir() as d:
            conf = self.write_conf(d, etl("perfview", "primitive-types.etl"))
            outs = []
            for args in (["-c", conf], ["--config", conf], ["--config=" + conf],
                         ["--syntax-only", "-c", conf], ["-c", conf, "--syntax-only"],
                         ["--syntax-only", "--config=" + conf]):
                rc, out, err = clihelp.run(["validate"] + args)
                self.assertEqual(rc, 0, (args, err))
                outs.append(out)
            self.assertIn("OK", outs[0])
            self.assertEqual(len(set(outs)), 1)

    def test_run_forms(self):
        trace = etl("perfview", "primitive-types.etl")
        rc, out, err = clihelp.run(["replay", trace])
        self.assertEqual(rc, 0, err)
        want = len(out.splitlines())
        self.assertGreater(want, 0)
        for args in (["--config={}"], ["-c", "{}"], ["--config", "{}"]):
            with clihelp.TempDir() as d:
                conf = self.write_conf(d, trace)
                rc, out, err = clihelp.run(["run"] + [a.format(conf) for a in args])
                self.assertEqual(rc, 0, (args, err))
                with open(os.path.join(d, "out", "events.json"), "rb") as f:
                    got = [ln for ln in f.read().decode().splitlines()
                           if '"Name":"etwfwd"' not in ln]
                self.assertEqual(len(got), want, args)


class Errors(unittest.TestCase):
    def usage_error(self, args, message):
        rc, out, err = clihelp.run(args)
        self.assertEqual(rc, 2, (args, err))
        self.assertEqual(out, "", args)
        first = err.split("\n", 1)[0]
        self.assertEqual(first, message, args)
        # Then the usage of the command, on stderr.
        if args and not args[0].startswith("-") and message.startswith("etwfwd %s:" % args[0]):
            self.assertIn("\nusage: etwfwd %s" % args[0], err)
        else:
            self.assertIn("\nusage: etwfwd <command>", err)

    def test_unknown_option_suggests(self):
        f = etl("perfview", "primitive-types.etl")
        self.usage_error(["replay", "--formt", "ecs", f],
                         "etwfwd replay: unknown option '--formt' (did you mean --format?)")
        self.usage_error(["replay", f, "--int64-string"],
                         "etwfwd replay: unknown option '--int64-string' "
                         "(did you mean --int64-strings?)")
        self.usage_error(["inspect", f, "--jsn"],
                         "etwfwd inspect: unknown option '--jsn' (did you mean --json?)")
        self.usage_error(["validate", "--syntaxonly", "-c", "x.ini"],
                         "etwfwd validate: unknown option '--syntaxonly' "
                         "(did you mean --syntax-only?)")
        self.usage_error(["run", "-c", "x.ini", "--folow"],
                         "etwfwd run: unknown option '--folow' (did you mean --follow?)")
        self.usage_error(["run", "--bogus-thing"], "etwfwd run: unknown option '--bogus-thing'")
        self.usage_error(["status", "--jason"],
                         "etwfwd status: unknown option '--jason' (did you mean --json?)")

    def test_missing_value(self):
        f = etl("perfview", "primitive-types.etl")
        self.usage_error(["replay", f, "--format"],
                         "etwfwd replay: --format needs a value (native or ecs)")
        self.usage_error(["replay", f, "--format="],
                         "etwfwd replay: --format needs a value (native or ecs)")
        # An option where the value should be is not taken as the value.
        self.usage_error(["replay", f, "--format", "--typed"],
                         "etwfwd replay: --format needs a value (native or ecs)")
        self.usage_error(["run", "-c"], "etwfwd run: -c needs a value (a configuration file)")
        self.usage_error(["validate", "--config"],
                         "etwfwd validate: --config needs a value (a configuration file)")
        self.usage_error(["selftest", "--events"],
                         "etwfwd selftest: --events needs a value (a count of events, 1 to "
                         "10000000)")

    def test_flag_with_value(self):
        self.usage_error(["run", "-c", "x.ini", "--follow=yes"],
                         "etwfwd run: --follow takes no value")

    def test_missing_arguments(self):
        self.usage_error(["replay"], "etwfwd replay: missing FILE.etl")
        self.usage_error(["replay", "--format", "ecs"], "etwfwd replay: missing FILE.etl")
        self.usage_error(["inspect", "--json"], "etwfwd inspect: missing FILE.etl")
        self.usage_error(["run", "--follow"], "etwfwd run: missing -c FILE")
        self.usage_error(["validate", "--syntax-only"], "etwfwd validate: missing -c FILE")
        self.usage_error(["spool", "verify"], "etwfwd spool: missing verify or dump, and DIR")

    def test_bad_values(self):
        f = etl("perfview", "primitive-types.etl")
        self.usage_error(["replay", f, "--format=xml"],
                         "etwfwd replay: unknown format 'xml' (native or ecs)")
        self.usage_error(["spool", "verfy", "x"],
                         "etwfwd spool: unknown action 'verfy' (did you mean verify?)")
        self.usage_error(["replay", f, "g.etl"], "etwfwd replay: unexpected argument 'g.etl'")
        self.usage_error(["replay", f, "--format", "ecs", "--format", "native"],
                         "etwfwd replay: --format given twice")

    def test_unknown_command(self):
        self.usage_error(["rnu"], "etwfwd: unknown command 'rnu' (did you mean run?)")
        self.usage_error(["replya"], "etwfwd: unknown command 'replya' (did you mean replay?)")
        self.usage_error(["valdiate"],
                         "etwfwd: unknown command 'valdiate' (did you mean validate?)")
        self.usage_error(["frobnicate"], "etwfwd: unknown command 'frobnicate'")


if __name__ == "__main__":
    unittest.main()
