"""Shared helpers for the command-line tests: how to run etwfwd."""
import os
import shutil
import subprocess
import tempfile

EXE = None
WRAPPER = None
SHARED = None


def configure(exe, wrapper, shared):
    global EXE, WRAPPER, SHARED
    EXE = exe
    WRAPPER = wrapper or None
    SHARED = os.path.abspath(shared)


def is_windows():
    """True when the binary under test is etwfwd.exe run through Wine."""
    return WRAPPER is not None


def shared(*parts):
    return os.path.join(SHARED, *parts)


def host_path(path):
    """A path as the binary sees it: Wine maps Z: to the Unix root."""
    if is_windows() and os.path.isabs(path):
        return "Z:" + path.replace("/", "\\")
    return path


def run(args, stdin=None, timeout=120, env=None):
    """Runs etwfwd with args; returns (exit code, stdout, stderr) as text."""
    cmd = ([WRAPPER] if WRAPPER else []) + [EXE] + list(args)
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    p = subprocess.run(cmd, input=stdin, capture_output=True, timeout=timeout, env=full_env)
    out = p.stdout.decode("utf-8", "replace").replace("\r\n", "\n")
    err = p.stderr.decode("utf-8", "replace").replace("\r\n", "\n")
    return p.returncode, out, err


class TempDir:
    """A temporary folder removed at exit: tests write only there."""

    def __enter__(self):
        self.path = tempfile.mkdtemp(prefix="etwfwd-test-")
        return self.path

    def __exit__(self, *exc):
        shutil.rmtree(self.path, ignore_errors=True)
