#!/usr/bin/env python3
"""Mutation check: puts each small deliberate bug of tests/mutants/*.txt into a
scratch copy of the source, one at a time, and runs the test suite that must
catch it. A mutant the suite does not catch (SURVIVED), a mutant whose `find`
text is not in its file exactly once (the list is stale) and a mutant that does
not compile are all failures of the run; tests/mutants/README.md describes the
list format.

DESIGN: the work tree is never touched. The runner copies the tracked and
untracked-but-not-ignored files (no build folders) to a scratch folder,
configures one plain native build there and builds what the chosen suites need
once. Each mutant is then applied by rewriting its one file, `ninja` rebuilds
only the suite's targets, the suite runs exactly as `meson test` would run it
(command, environment and working folder come from `meson introspect --tests`)
under a timeout derived from the suite's unmutated run, and the original file
is written back with a fresh mtime so the next build compiles it again (ccache
makes that cheap). Every suite first runs once unmutated: a suite that already
fails or skips could not tell a caught mutant from a broken test, so its
mutants are errors. With --jobs N there are N scratch copies, one per worker,
because a mutant changes a file every build of that copy would see.
"""
import argparse
import concurrent.futures
import glob
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
KEYS = ("suite", "file", "find", "replace", "why")
# Exit code of a skipped test (meson's convention): a skip catches nothing.
SKIP = 77


class ListError(Exception):
    pass


class Mutant:
    def __init__(self, mid, where):
        self.id = mid
        self.where = where  # "file:line" of its [id] header, for messages
        self.suite = None
        self.file = None
        self.find = []
        self.replace = []
        self.why = None

    @property
    def find_text(self):
        return "\n".join(self.find)

    @property
    def replace_text(self):
        return "\n".join(self.replace)


def parse_list(path):
    """Reads one mutation list. Returns (mutants, errors); an error is a string
    naming the file and line."""
    mutants, errors = [], []
    cur = None
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    for n, raw in enumerate(lines, 1):
        where = "%s:%d" % (os.path.relpath(path, REPO), n)
        line = raw.rstrip(" \t\r")
        if not line.strip():
            cur = None  # a blank line ends a block
            continue
        if line.lstrip().startswith("#"):
            continue
        if line.startswith("["):
            m = re.match(r"^\[([^\]]*)\]$", line)
            if not m or not ID_RE.match(m.group(1)):
                errors.append("%s: bad header %r (want [id-in-kebab-case])" % (where, line))
                cur = None
                continue
            cur = Mutant(m.group(1), where)
            mutants.append(cur)
            continue
        key, eq, value = line.partition("=")
        key = key.strip()
        if not eq or key not in KEYS:
            errors.append("%s: expected `key = value` with key one of %s: %r" %
                          (where, ", ".join(KEYS), line))
            continue
        if cur is None:
            errors.append("%s: %s outside a [id] block" % (where, key))
            continue
        # The value is everything after "= " taken literally (leading spaces
        # beyond the one after "=" are part of it: indentation matters).
        value = value[1:] if value.startswith(" ") else value
        if key in ("find", "replace"):
            getattr(cur, key).append(value)
        elif getattr(cur, key) is not None:
            errors.append("%s: %s given twice in [%s]" % (where, key, cur.id))
        else:
            setattr(cur, key, value.strip())
    for m in mutants:
        missing = [k for k in KEYS if k != "replace" and not getattr(m, k)]
        if not m.replace:
            missing.append("replace")
        if missing:
            errors.append("%s: [%s] lacks %s" % (m.where, m.id, ", ".join(missing)))
        elif m.find_text == m.replace_text:
            errors.append("%s: [%s] replace is the same as find" % (m.where, m.id))
    return mutants, errors


def source_files(repo):
    """Tracked and untracked-but-not-ignored files, as paths from repo. Outside
    a git checkout (a source tarball): every file but build folders."""
    try:
        out = subprocess.run(["git", "-C", repo, "ls-files", "-z", "--cached", "--others",
                              "--exclude-standard"], check=True, capture_output=True).stdout
        return sorted({p for p in out.decode().split("\0") if p})
    except (OSError, subprocess.CalledProcessError):
        pass
    files = []
    for d, dirs, names in os.walk(repo):
        top = d == repo
        dirs[:] = [x for x in dirs if x not in (".git", "__pycache__") and
                   not (top and (x.startswith("build") or x == "fuzz-out"))]
        files += [os.path.relpath(os.path.join(d, n), repo) for n in names]
    return sorted(files)


def sync_tree(repo, dest):
    """Makes dest hold the current source files of repo. Files whose content
    is unchanged keep their mtime, so a reused scratch build stays
    incremental."""
    n = 0
    for rel in source_files(repo):
        src = os.path.join(repo, rel)
        if not os.path.isfile(src) or os.path.islink(src):
            continue  # deleted in the work tree, or a link to elsewhere
        dst = os.path.join(dest, rel)
        with open(src, "rb") as f:
            data = f.read()
        try:
            with open(dst, "rb") as f:
                if f.read() == data:
                    continue
        except FileNotFoundError:
            os.makedirs(os.path.dirname(dst), exist_ok=True)
        with open(dst, "wb") as f:
            f.write(data)
        shutil.copymode(src, dst)
        n += 1
    return n


def meson_test_names():
    """The test names tests/meson.build declares (for --check, which has no
    build to ask): each test('NAME', ...) and each unit suite's key."""
    names = set()
    for path in glob.glob(os.path.join(REPO, "tests", "**", "meson.build"), recursive=True):
        with open(path, encoding="utf-8") as f:
            text = f.read()
        names.update(re.findall(r"\btest\(\s*'(\w+)'", text))
        m = re.search(r"unit_suites = \{(.*?)\n\}", text, re.S)
        if m:
            names.update(re.findall(r"^  '(\w+)': \{", m.group(1), re.M))
    return names


def run(cmd, log, **kw):
    """Runs cmd with its output appended to the open file log; returns the
    exit code."""
    log.write("$ %s\n" % " ".join(shlex.quote(c) for c in cmd))
    log.flush()
    return subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, **kw).returncode


class Build:
    """One scratch copy of the source and its native build."""

    def __init__(self, root, shared, log):
        self.src = os.path.join(root, "src")
        self.dir = os.path.join(root, "build")
        self.shared = shared
        self.log = log
        self.tests = {}
        self.targets = {}

    def prepare(self):
        os.makedirs(self.src, exist_ok=True)
        sync_tree(REPO, self.src)
        if not os.path.isfile(os.path.join(self.dir, "build.ninja")):
            if run(["meson", "setup", self.dir, self.src, "-Dshared_dir=" + self.shared],
                   self.log) != 0:
                raise ListError("meson setup failed; see %s" % self.log.name)
        elif run(["meson", "setup", "--reconfigure", self.dir, self.src,
                  "-Dshared_dir=" + self.shared], self.log) != 0:
            raise ListError("meson setup --reconfigure failed; see %s" % self.log.name)
        tests = json.loads(subprocess.run(["meson", "introspect", "--tests", self.dir],
                                          check=True, capture_output=True).stdout)
        targets = json.loads(subprocess.run(["meson", "introspect", "--targets", self.dir],
                                            check=True, capture_output=True).stdout)
        byid = {t["id"]: t for t in targets}
        for t in tests:
            outs = []
            for dep in t["depends"]:
                for fn in byid.get(dep, {}).get("filename", []):
                    outs.append(os.path.relpath(fn, self.dir))
            exe = t["cmd"][0]
            if os.path.abspath(exe).startswith(os.path.abspath(self.dir) + os.sep):
                outs.append(os.path.relpath(exe, self.dir))
            self.tests[t["name"]] = t
            self.targets[t["name"]] = sorted(set(outs))

    def build(self, targets, log=None):
        """Runs ninja on targets; returns True when they built."""
        return run(["ninja", "-C", self.dir] + list(targets), log or self.log) == 0

    def suite_command(self, spec):
        """Turns a suite spec (NAME or NAME:ARGS) into (cmd, env, targets,
        meson timeout). For a Check executable ARGS name one test case
        (CK_RUN_CASE); for a script ARGS are appended to its command line
        (tests/cli/run.py takes a file pattern, e.g. cli:test_spool.py)."""
        name, _, args = spec.partition(":")
        t = self.tests.get(name)
        if t is None:
            raise ListError("unknown suite %r (meson tests: %s)" %
                            (name, ", ".join(sorted(self.tests))))
        cmd = list(t["cmd"])
        env = dict(os.environ)
        env.update(t["env"])
        if args:
            if cmd[0].endswith(("python3", "python")) or cmd[0].endswith(".py"):
                cmd += shlex.split(args)
            else:
                env["CK_RUN_CASE"] = args
        return cmd, env, self.targets[name], t["timeout"]

    def run_suite(self, spec, timeout, log):
        """Runs a suite; returns (exit code or None on timeout, seconds)."""
        cmd, env, _, _ = self.suite_command(spec)
        log.write("$ %s\n" % " ".join(shlex.quote(c) for c in cmd))
        log.flush()
        t0 = time.monotonic()
        # Its own session, so a timeout kills every process the suite started
        # (etwfwd under a Python driver, receivers) and none of ours.
        p = subprocess.Popen(cmd, env=env, cwd=self.dir, stdout=log, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, start_new_session=True)
        try:
            rc = p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            rc = None
        finally:
            try:
                os.killpg(p.pid, signal.SIGKILL)  # what the suite left behind
            except OSError:
                pass
            p.wait()
        return rc, time.monotonic() - t0


def apply_mutant(src, m):
    """Checks that find occurs exactly once and applies the mutant. Returns
    (path, original bytes)."""
    path = os.path.join(src, m.file)
    if not os.path.isfile(path):
        raise ListError("%s does not exist (list is stale)" % m.file)
    with open(path, "rb") as f:
        orig = f.read()
    text = orig.decode("utf-8")
    n = text.count(m.find_text)
    if n != 1:
        raise ListError("find occurs %d times in %s, want exactly 1 (list is stale)" %
                        (n, m.file))
    with open(path, "wb") as f:
        f.write(text.replace(m.find_text, m.replace_text).encode("utf-8"))
    return path, orig


def restore(path, orig):
    with open(path, "wb") as f:
        f.write(orig)
    # A fresh mtime (newer than the mutant's objects) makes ninja compile the
    # original again before the next suite that uses this file runs.
    now = time.time()
    os.utime(path, (now, now))


def ran_nothing(log_path):
    """True when a suite's log says it ran no test: a narrowing (util:CASE,
    sink_http:-k X) that matches nothing passes and could catch nothing."""
    with open(log_path, errors="replace") as f:
        text = f.read()
    return bool(re.search(r"\b\d+%: Checks: 0,|^Ran 0 tests", text, re.M))


def tail(path, n=30):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", default=os.environ.get("EF_SHARED_DIR",
                                                       os.path.join(REPO, "..", "shared")),
                    help="the shared folder (testdata), as -Dshared_dir")
    ap.add_argument("--list", nargs="+", metavar="FILE",
                    help="mutation lists to run (default: every tests/mutants/*.txt)")
    ap.add_argument("--only", nargs="+", metavar="ID", help="run only these mutants")
    ap.add_argument("--jobs", type=int, default=1, help="mutants at once (one scratch copy each)")
    ap.add_argument("--keep", action="store_true", help="keep the scratch folder")
    ap.add_argument("--scratch", metavar="DIR",
                    help="scratch folder to use and keep; a second run reuses its build")
    ap.add_argument("--check", action="store_true",
                    help="only check the lists (format, suites, find occurs once); no build")
    ap.add_argument("--time", nargs="+", metavar="SUITE",
                    help="only build and time these suites unmutated (e.g. cli:test_run.py)")
    ap.add_argument("-v", "--verbose", action="store_true", help="print each log's tail")
    opts = ap.parse_args()
    opts.shared = os.path.abspath(opts.shared)
    t_start = time.monotonic()

    lists = opts.list or sorted(glob.glob(os.path.join(HERE, "*.txt")))
    mutants, errors = [], []
    for path in lists:
        ms, errs = parse_list(path)
        mutants += ms
        errors += errs
    seen = {}
    for m in mutants:
        if m.id in seen:
            errors.append("%s: id [%s] already used at %s" % (m.where, m.id, seen[m.id]))
        seen.setdefault(m.id, m.where)
    if opts.only:
        unknown = set(opts.only) - set(seen)
        errors += ["--only: no mutant [%s]" % u for u in sorted(unknown)]
        mutants = [m for m in mutants if m.id in opts.only]
    for e in errors:
        print("ERROR list: " + e)
    if errors:
        return 1
    if opts.time:
        mutants = []
    elif not mutants:
        print("no mutants in %s" % ", ".join(lists))
        return 1
    if not opts.time:
        print("mutants: %d from %s" % (len(mutants),
                                       ", ".join(os.path.relpath(p, REPO) for p in lists)))

    if opts.check:
        bad = 0
        known = meson_test_names()
        for m in mutants:
            if m.suite.partition(":")[0] not in known:
                bad += 1
                print("ERROR %s: unknown suite %r (tests/meson.build has: %s)" %
                      (m.id, m.suite, ", ".join(sorted(known))))
            path = os.path.join(REPO, m.file)
            try:
                with open(path, encoding="utf-8") as f:
                    n = f.read().count(m.find_text)
            except OSError as e:
                n, bad = None, bad + 1
                print("ERROR %s: %s" % (m.id, e))
                continue
            if n != 1:
                bad += 1
                print("ERROR %s: find occurs %d times in %s" % (m.id, n, m.file))
        print("check: %d mutants, %d errors" % (len(mutants), bad))
        return 1 if bad else 0

    root = opts.scratch or tempfile.mkdtemp(prefix="etwfwd-mutants-")
    root = os.path.abspath(root)
    keep = opts.keep or bool(opts.scratch)
    jobs = max(1, min(opts.jobs, len(mutants)))
    results = {}
    try:
        builds = []
        for j in range(jobs):
            wdir = os.path.join(root, "w%d" % j)
            os.makedirs(wdir, exist_ok=True)
            log = open(os.path.join(wdir, "setup.log"), "a")
            builds.append(Build(wdir, opts.shared, log))
        print("scratch: %s" % root)
        sys.stdout.flush()

        # Set up and build each copy (in parallel when there are several).
        t0 = time.monotonic()
        try:
            with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
                list(ex.map(lambda b: b.prepare(), builds))
        except ListError as e:
            print("ERROR " + str(e))
            return 1
        b0 = builds[0]
        suites = opts.time or sorted({m.suite for m in mutants})
        suite_errors = {}
        for s in suites:
            try:
                b0.suite_command(s)
            except ListError as e:
                suite_errors[s] = str(e)
        targets = sorted({t for s in suites if s not in suite_errors
                          for t in b0.suite_command(s)[2]})
        with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
            ok = all(list(ex.map(lambda b: b.build(targets), builds)))
        print("setup and build: %.0fs (%d targets)" % (time.monotonic() - t0, len(targets)))
        if not ok:
            print("ERROR the unmutated source does not build; see %s\n%s" %
                  (b0.log.name, tail(b0.log.name)))
            return 1

        # Each suite once unmutated: it must pass, and its time sets the
        # mutants' timeout.
        timeouts = {}
        print("suite times (unmutated):")
        for s in suites:
            if s in suite_errors:
                print("  %-32s ERROR %s" % (s, suite_errors[s]))
                continue
            slog_path = os.path.join(root, "baseline-%s.log" % re.sub(r"[^\w.-]", "_", s))
            with open(slog_path, "w") as slog:
                rc, secs = b0.run_suite(s, b0.suite_command(s)[3], slog)
            if rc == 0 and ran_nothing(slog_path):
                suite_errors[s] = "suite runs no test; see %s" % slog_path
                print("  %-32s ERROR %s" % (s, suite_errors[s]))
                continue
            if rc != 0:
                why = "skips" if rc == SKIP else ("times out" if rc is None else
                                                   "fails (exit %s)" % rc)
                suite_errors[s] = "suite %s without any mutant; see %s" % (why, slog_path)
                print("  %-32s ERROR %s\n%s" % (s, suite_errors[s], tail(slog_path)))
                continue
            # Generous, as the machine may be shared and a slow mutant is not
            # a hang, but short enough that a hanging mutant costs little.
            timeouts[s] = min(b0.suite_command(s)[3], max(10.0, 4 * secs + 10))
            print("  %-32s %6.1fs  (mutant timeout %.0fs)" % (s, secs, timeouts[s]))
        sys.stdout.flush()
        if opts.time:
            return 1 if suite_errors else 0

        lock = threading.Lock()
        todo = list(mutants)

        def worker(b):
            while True:
                with lock:
                    if not todo:
                        return
                    m = todo.pop(0)
                try:
                    res = run_one(b, m, root, timeouts, suite_errors)
                except Exception as e:  # report it with the mutant, run the rest
                    res = ("ERROR", 0.0, "runner failed: %r" % e)
                with lock:
                    results[m.id] = res
                    status, secs, detail = res
                    print("%s %s (%s, %.1fs)%s" % (status, m.id, m.suite, secs,
                                                    ": " + detail if detail else ""))
                    if opts.verbose and status != "killed":
                        print(tail(os.path.join(root, "mutant-%s.log" % m.id)))
                    sys.stdout.flush()

        with concurrent.futures.ThreadPoolExecutor(jobs) as ex:
            list(ex.map(worker, builds))
        for b in builds:
            b.log.close()
    finally:
        if not keep:
            shutil.rmtree(root, ignore_errors=True)

    # Where the time went, so list authors can see what a suite costs.
    cost = {}
    for m in mutants:
        n, secs = cost.get(m.suite, (0, 0.0))
        cost[m.suite] = (n + 1, secs + results[m.id][1])
    print("time by suite: " + ", ".join(
        "%s %d in %.0fs" % (s, n, secs)
        for s, (n, secs) in sorted(cost.items(), key=lambda kv: -kv[1][1])))
    survived = [m.id for m in mutants if results[m.id][0] == "SURVIVED"]
    errored = [m.id for m in mutants if results[m.id][0] == "ERROR"]
    killed = len(mutants) - len(survived) - len(errored)
    print("mutants: %d killed, %d survived, %d errors, %.0fs" %
          (killed, len(survived), len(errored), time.monotonic() - t_start))
    if survived:
        print("SURVIVED: " + " ".join(survived))
    if errored:
        print("ERROR: " + " ".join(errored))
    if keep:
        print("logs: %s/mutant-ID.log" % root)
    return 1 if survived or errored else 0


def run_one(b, m, root, timeouts, suite_errors):
    """Applies, builds and tests one mutant in build b. Returns (status,
    seconds, detail)."""
    t0 = time.monotonic()
    if m.suite in suite_errors:
        return "ERROR", 0.0, suite_errors[m.suite]
    log_path = os.path.join(root, "mutant-%s.log" % m.id)
    with open(log_path, "w") as log:
        log.write("[%s] %s\n%s\n" % (m.id, m.file, m.why))
        try:
            path, orig = apply_mutant(b.src, m)
        except (ListError, UnicodeDecodeError) as e:
            return "ERROR", time.monotonic() - t0, str(e)
        try:
            if not b.build(b.suite_command(m.suite)[2], log):
                log.flush()
                # The compiler's first diagnostic, without its colour codes.
                out = re.sub(r"\x1b\[[0-9;]*[mK]", "", tail(log_path, 200))
                errs = [ln for ln in out.splitlines() if ": error:" in ln]
                return ("ERROR", time.monotonic() - t0,
                        "did not compile (a mutant must build): %s" %
                        (errs[0].strip() if errs else "see " + log_path))
            rc, _ = b.run_suite(m.suite, timeouts[m.suite], log)
        finally:
            restore(path, orig)
    secs = time.monotonic() - t0
    if rc is None:
        return "killed", secs, "timed out"
    if rc == 0 or rc == SKIP:
        return "SURVIVED", secs, ("suite skipped; " if rc == SKIP else "") + m.why
    return "killed", secs, ""


if __name__ == "__main__":
    sys.exit(main())
