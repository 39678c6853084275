#!/usr/bin/env python3
"""Crash-safety harness: SIGKILL at random points, restart, nothing lost.

Starts a process that moves events through the spool into a file output,
kills it with SIGKILL at --kills random points (each restart recovers the
spool), then lets it finish and checks:
  - every source event is in the output at least once, byte for byte;
  - duplicates (at-least-once delivery after a kill) are counted and reported;
  - `etwfwd spool verify` says the spool is clean.

Modes:
  writer  drives tests/crash/spool_writer (the spool + a fsyncing file
          consumer, as `etwfwd run` will); its events are known exactly.
  run     drives `etwfwd run -c FILE` replaying a .etl into the file sink;
          the expected lines are what `etwfwd replay FILE` prints. Exits 77
          (skipped) while `etwfwd run` does not exist yet.
Native only: SIGKILL has no Wine equivalent worth testing.

In run mode a kill proves something only when it lands while the run is
still at work, so the mode replays PerfView's net.4.5.2.x86.etl (168 298
events over 13.2 s of trace time) in real time (replay_speed = 1). A
restart resumes after the events its checkpoint says the spool took, and
pacing starts again at the first event not forwarded, so the kills (50 at
0.02-0.3 s, about 8 s of running in all) consume less trace time than the
trace holds and each one lands mid-run. A kill counts as mid-run when,
right after it, the checkpoint did not yet say the trace was done or the
output held fewer lines than the trace has events; the test fails when
fewer than 90% of the kills did, or when fewer than half came after their
start had moved on (its checkpoint or output grew: a kill during start-up
alone tests little). Then duplicates are bounded: with
spool_sync = always the ledger (the sink's cursor) is written at every ack
and the checkpoint after every spool commit, so what one kill can make
come out twice is what the spool took after the last checkpoint write (at
most the queue's content, queue_max_events) plus what the file sink wrote
and had not yet acknowledged (one batch, batch_max_events, in_flight = 1).
The test fails when the duplicates exceed that bound times the mid-run
kills, or when any event is missing.
"""
import argparse
import collections
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

SKIP = 77
# run mode: the bounds of what one kill can make come out twice (see the top).
QUEUE_MAX = 1024
BATCH_MAX = 256
MID_RUN_SHARE = 0.9
MOVING_SHARE = 0.5


def writer_payload(n):
    pad = (n * 7) % 200
    return '{"n":%d,"pad":"%s"}' % (n, chr(ord("a") + n % 26) * pad)


def read_lines(path):
    if not os.path.exists(path):
        return []
    with open(path, "rb") as f:
        data = f.read()
    # A torn last line is the consumer's to repair on restart; ignore it here.
    return data.decode("utf-8", "replace").split("\n")[:-1]


def verify_spool(etwfwd, spool_dir):
    p = subprocess.run([etwfwd, "spool", "verify", spool_dir], capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


class WriterTarget:
    def __init__(self, opts, work):
        self.exe = opts.writer
        self.total = opts.events
        self.spool = os.path.join(work, "spool")
        self.out = os.path.join(work, "out.ndjson")

    def start(self):
        return subprocess.Popen([self.exe, self.spool, self.out, str(self.total)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def finish(self, p, timeout):
        out, err = p.communicate(timeout=timeout)
        if p.returncode != 0:
            raise SystemExit("writer failed (%d): %s" % (p.returncode, err.decode()))
        return out.decode()

    def expected(self):
        return [writer_payload(n) for n in range(self.total)]


class RunTarget:
    def __init__(self, opts, work):
        self.etwfwd = opts.etwfwd
        self.etl = opts.etl
        self.spool = os.path.join(work, "state", "spool")
        self.out = os.path.join(work, "out.ndjson")
        self.conf = os.path.join(work, "etwfwd.ini")
        self.ckpt = os.path.join(work, "state", "checkpoints", "replay.ckpt")
        # rotate_size = 0: the output is one file even when a bug makes it
        # twice the trace (the default rotates at 100 MiB, this trace is 98).
        with open(self.conf, "w") as f:
            f.write("[service]\nstate_dir = %s\nmetrics_listen =\nstats_interval = 3600s\n"
                    "shutdown_timeout = 10s\nspool_sync = always\nqueue_max_events = %d\n\n"
                    "[session:replay]\nkind = file\npath = %s\nreplay_speed = %d\n\n"
                    "[sink:out]\ntype = file\npath = %s\nbatch_max_events = %d\n"
                    "in_flight = 1\nrotate_size = 0\n"
                    % (os.path.join(work, "state"), QUEUE_MAX, self.etl, opts.replay_speed,
                       self.out, BATCH_MAX))
        p = subprocess.run([self.etwfwd, "replay", self.etl], capture_output=True)
        if p.returncode != 0:
            raise SystemExit("etwfwd replay %s failed: %s" % (self.etl, p.stderr.decode()))
        self._expected = p.stdout.decode("utf-8", "replace").split("\n")[:-1]

    def start(self):
        return subprocess.Popen([self.etwfwd, "run", "-c", self.conf],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def finish(self, p, timeout):
        # With only file sessions and no --follow, `run` ends by itself once
        # every line is delivered. A SIGINT is sent only when it does not: one
        # sent while it is already on its way out (its signal watchers closed)
        # would kill it and fail the run for nothing.
        try:
            out, err = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.send_signal(signal.SIGINT)
            out, err = p.communicate(timeout=30)
        if p.returncode != 0:
            raise SystemExit("etwfwd run exited %d: %s" % (p.returncode, err.decode()))
        return out.decode()

    def expected(self):
        return self._expected

    def progress(self):
        """(trace done, events the checkpoint counts, output lines)."""
        done, events = False, 0
        if os.path.exists(self.ckpt):
            with open(self.ckpt) as f:
                for l in f:
                    w = l.split()
                    if w[:1] in (["done"], ["at"]):
                        done = done or w[0] == "done"
                        events += int(w[1])
        return done, events, count_lines(self.out)

    def mid_run(self, before):
        """Whether the run just killed had work left (the checkpoint does not
        say the trace is done, or the output lacks lines), and whether it
        had moved on since its start (the checkpoint or the output grew)."""
        done, events, lines = self.progress()
        left = not done or lines < len(self._expected)
        return left, left and (events, lines) != before[1:]


def count_lines(path):
    if not os.path.exists(path):
        return 0
    with open(path, "rb") as f:
        return f.read().count(b"\n")


def is_stats(line):
    # The runner's own periodic stats events are not source events.
    return '"Name":"etwfwd"' in line


def has_run_command(etwfwd):
    p = subprocess.run([etwfwd, "--help"], capture_output=True, text=True)
    return any(l.split()[:1] == ["run"] for l in p.stdout.splitlines())


def pick_etl(shared):
    """PerfView's net.4.5.2.x86.etl: 13.2 s of trace time, long enough in real
    time that every kill lands while the run is at work (see the top)."""
    path = os.path.join(shared, "testdata", "etl", "perfview", "net.4.5.2.x86.etl")
    return path if os.path.exists(path) else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mode", choices=["writer", "run"], default="writer")
    ap.add_argument("--writer", help="tests/crash/spool_writer binary")
    ap.add_argument("--etwfwd", required=True)
    ap.add_argument("--kills", type=int, default=50)
    ap.add_argument("--events", type=int, default=300000)
    ap.add_argument("--shared", default=os.environ.get("EF_SHARED_DIR", ""))
    ap.add_argument("--etl", help="run mode: the trace to replay (default: one from --shared)")
    ap.add_argument("--seed", type=int, default=int(os.environ.get("EF_CRASH_SEED", "0")) or None)
    ap.add_argument("--max-delay", type=float, default=None,
                    help="longest run before a kill (s; default 0.5, run mode 0.3)")
    ap.add_argument("--replay-speed", type=int, default=1, help="run mode: replay_speed")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    opts = ap.parse_args()

    if opts.max_delay is None:
        opts.max_delay = 0.3 if opts.mode == "run" else 0.5
    seed = opts.seed if opts.seed is not None else random.randrange(1 << 30)
    rnd = random.Random(seed)
    print("crash: mode=%s kills=%d seed=%d" % (opts.mode, opts.kills, seed))
    if opts.mode == "run":
        if not has_run_command(opts.etwfwd):
            print("crash: `etwfwd run` does not exist yet: skipped")
            return SKIP
        opts.etl = opts.etl or pick_etl(opts.shared)
        if not opts.etl:
            print("crash: no .etl under %s: skipped" % opts.shared)
            return SKIP

    work = tempfile.mkdtemp(prefix="etwfwd-crash-")
    t0 = time.time()
    try:
        target = (WriterTarget if opts.mode == "writer" else RunTarget)(opts, work)
        damaged_after_kill = 0
        mid_run = moving = 0
        for k in range(opts.kills):
            before = target.progress() if opts.mode == "run" else None
            p = target.start()
            time.sleep(rnd.uniform(0.02 if opts.mode == "run" else 0.01, opts.max_delay))
            if p.poll() is not None:
                # It finished before the kill: the kill point was past the end.
                p.communicate()
                continue
            p.send_signal(signal.SIGKILL)
            p.communicate()
            if opts.mode == "run":
                left, moved = target.mid_run(before)
                mid_run += left
                moving += moved
            if os.path.isdir(target.spool):
                rc, _ = verify_spool(opts.etwfwd, target.spool)
                damaged_after_kill += rc == 1
        p = target.start()
        log = target.finish(p, timeout=120)
        elapsed = time.time() - t0

        want = target.expected()
        got = [l for l in read_lines(target.out) if not is_stats(l)]
        have = collections.Counter(got)
        missing = collections.Counter(want) - have
        wanted = set(want)
        unexpected = collections.Counter({l: c for l, c in have.items() if l not in wanted})
        # A line the trace itself holds twice is not a duplicate of delivery.
        want_n = collections.Counter(want)
        dups = sum(c - want_n[l] for l, c in have.items() if c > want_n[l] and l in wanted)
        rc, report = verify_spool(opts.etwfwd, target.spool)
        print("crash: %d source events, %d output lines, %d duplicates, %d missing, "
              "%d unexpected; %d kills left damage that the restart repaired; %.1f s"
              % (len(want), len(got), dups, sum(missing.values()), sum(unexpected.values()),
                 damaged_after_kill, elapsed))
        print("crash: last start: " + log.strip().replace("\n", " | "))
        ok = True
        if missing:
            print("FAIL: %d events missing, e.g. %r" % (sum(missing.values()),
                                                        next(iter(missing))[:120]))
            ok = False
        if unexpected:
            print("FAIL: %d lines that no source event explains, e.g. %r"
                  % (sum(unexpected.values()), next(iter(unexpected))[:120]))
            ok = False
        if rc != 0:
            print("FAIL: spool verify exit %d:\n%s" % (rc, report))
            ok = False
        if opts.mode == "run":
            bound = mid_run * (QUEUE_MAX + BATCH_MAX)
            print("crash: %d of %d kills landed mid-run, %d of them after the start had "
                  "moved on; duplicates allowed: %d (%d per kill)"
                  % (mid_run, opts.kills, moving, bound, QUEUE_MAX + BATCH_MAX))
            if mid_run < MID_RUN_SHARE * opts.kills:
                print("FAIL: only %d of %d kills landed while the run was at work"
                      % (mid_run, opts.kills))
                ok = False
            if moving < MOVING_SHARE * opts.kills:
                print("FAIL: only %d of %d kills came after their start had forwarded or "
                      "delivered anything" % (moving, opts.kills))
                ok = False
            if dups > bound:
                print("FAIL: %d duplicates, more than %d per mid-run kill"
                      % (dups, QUEUE_MAX + BATCH_MAX))
                ok = False
        print("crash: %s" % ("ok" if ok else "FAILED (seed %d)" % seed))
        return 0 if ok else 1
    finally:
        if opts.keep:
            print("crash: work folder kept: " + work)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
