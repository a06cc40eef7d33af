"""Sandboxed kernels forked from a process that has already imported the course's heavy
modules (a fork server, or "zygote"), so a submission does not pay Python's start and the
import of pandas, Altair, IPython and coursekit (about 3 s here) once more.

One fork server per grading worker. It is started, as root, with the kernel's fixed
environment (no grader secrets), imports :data:`PRELOAD` and then only waits for requests
on its stdin; it never runs student code and never sees a submission. For each kernel::

    fork server --fork--> A: unshare(net, mount, pid, ipc, uts), / made private
                            A --fork--> B: pid 1 of the new PID namespace, own session;
                                        A waits for B (each dies with its parent)
    B: mount a fresh /proc, then the same steps as ``python -m coursekit.grading.jail``
       (hide the course's private paths, resource limits, drop to the sandbox user, chdir
       into its private folder, stdio to kernel.log, environment reset) and runs
       ipykernel in-process: ``IPKernelApp`` with the connection file.

Each kernel is a fresh process (a copy of the fork server's memory, made after the
imports) used for one submission only: no state crosses students. B's pid is returned to
the kernel manager, whose provisioner (:class:`ForkProvisioner`) signals, polls and kills
it through a pidfd, as jupyter_client's LocalProvisioner does with a Popen.
"""

from __future__ import annotations

import ctypes
import json
import os
import select
import signal
import subprocess
import sys
import threading
from typing import Any

from jupyter_client.provisioning import LocalProvisioner

from . import jail

#: Modules imported once by the fork server (missing ones are skipped).
PRELOAD = ["ipykernel.kernelapp", "ipykernel.ipkernel", "IPython", "numpy", "pandas", "altair", "ipywidgets",
           "coursekit", "coursekit.charts", "coursekit.checks", "coursekit.data", "coursekit.widgets"]

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWPID, CLONE_NEWNET = 0x20000, 0x4000000, 0x8000000, 0x20000000, 0x40000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REC, MS_PRIVATE = 2, 4, 8, 16384, 1 << 18
PR_SET_PDEATHSIG = 1


# ---------------------------------------------------------------- inside the fork server


def _kernel(spec: dict, cmd: list[str]) -> None:
    """Process B: finish the sandbox, become the kernel. Never returns."""
    code = 1
    try:
        os.setsid()
        jail._mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
        jail.enter(spec)
        os.closerange(3, 65536)
        os.environ.clear()
        os.environ.update(spec["env"])
        import tempfile

        tempfile.tempdir = None  # TMPDIR is the kernel's folder now
        if "numpy" in sys.modules:  # a fresh process would seed from the OS, not share the server's state
            sys.modules["numpy"].random.seed()
        sys.argv = ["ipykernel_launcher", *cmd[3:]]
        from ipykernel.kernelapp import IPKernelApp

        app = IPKernelApp.instance()
        app.initialize(sys.argv[1:])
        # what these modules do on import only when IPython runs: do it now, as a fresh import would
        if "ipywidgets" in sys.modules:
            sys.modules["ipywidgets"]._handle_ipython()  # the widget comm targets
        if "coursekit.guidance" in sys.modules:
            sys.modules["coursekit.guidance"].install()  # "Part N is not done yet" messages
        app.start()
        code = 0
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


def _spawn(spec: dict, cmd: list[str]) -> int:
    """Fork A, which makes the namespaces and forks B; return B's pid (as the server sees it)."""
    r, w = os.pipe()
    a = os.fork()
    if a == 0:
        try:
            os.close(r)
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.unshare(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWPID | CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "unshare")
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # the fork server gone: A goes
            jail._mount("none", "/", None, MS_REC | MS_PRIVATE)
            b = os.fork()
            if b == 0:
                libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # A gone: the kernel goes
                os.close(w)
                _kernel(spec, cmd)
            os.write(w, json.dumps({"pid": b}).encode())
            os.close(w)
            _, status = os.waitpid(b, 0)  # A stays while its kernel runs (the fork server reaps A)
            os._exit(os.waitstatus_to_exitcode(status) & 0xFF)
        except BaseException as err:
            try:
                os.write(w, json.dumps({"error": f"{type(err).__name__}: {err}"}).encode())
            finally:
                os._exit(1)
    os.close(w)
    data = b""
    while chunk := os.read(r, 4096):
        data += chunk
    os.close(r)
    reply = json.loads(data or b'{"error": "no reply from the namespace process"}')
    if "error" in reply:
        raise RuntimeError(reply["error"])
    return int(reply["pid"])


def _reap(*_: Any) -> None:
    while True:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def serve() -> int:
    """The fork server's loop: one JSON request a line on stdin, one JSON reply a line on stdout."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # dies with its worker
    out = os.fdopen(os.dup(1), "w", buffering=1)
    null = os.open(os.devnull, os.O_RDWR)
    os.dup2(null, 1)  # nothing imported may write on the reply channel
    loaded = []
    for name in PRELOAD:
        try:
            __import__(name)
            loaded.append(name)
        except Exception:
            pass
    if threading.active_count() > 1:  # forking a process with threads would copy held locks
        out.write(json.dumps({"error": f"threads after preload: {threading.enumerate()}"}) + "\n")
        return 1
    signal.signal(signal.SIGCHLD, _reap)
    out.write(json.dumps({"ready": loaded}) + "\n")
    for line in sys.stdin:
        try:
            req = json.loads(line)
            reply = {"pid": _spawn(req["spec"], req["cmd"])}
        except Exception as err:
            reply = {"error": f"{type(err).__name__}: {err}"[:500]}
        out.write(json.dumps(reply) + "\n")
    return 0  # the worker closed us; each A, then each kernel, dies with its parent


# ---------------------------------------------------------------- in the grading worker


class ForkServer:
    """The worker's handle on its fork server (started on first use, restarted if it died)."""

    def __init__(self, env: dict[str, str]):
        self.env = env
        self.proc: subprocess.Popen | None = None
        self.lock = threading.Lock()

    def _start(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "coursekit.grading.forkserver"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=self.env, cwd="/",
                                     text=True, bufsize=1)
        ready = json.loads(self.proc.stdout.readline() or '{"error": "the fork server did not start"}')
        if "error" in ready:
            self.close()
            raise RuntimeError(f"fork server: {ready['error']}")

    def spawn(self, spec: dict, cmd: list[str]) -> int:
        with self.lock:
            if self.proc is None or self.proc.poll() is not None:
                self._start()
            self.proc.stdin.write(json.dumps({"spec": spec, "cmd": cmd}) + "\n")
            self.proc.stdin.flush()
            line = self.proc.stdout.readline()
        reply = json.loads(line or '{"error": "the fork server died"}')
        if "error" in reply:
            raise RuntimeError(f"fork server: {reply['error']}")
        return int(reply["pid"])

    def close(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            try:
                proc.stdin.close()
                proc.wait(timeout=10)
            except Exception:
                proc.kill()
                proc.wait()


_SERVERS: dict[str, ForkServer] = {}


def server(env: dict[str, str]) -> ForkServer:
    """This process's fork server for kernels with the fixed environment ``env``."""
    key = json.dumps(env, sort_keys=True)
    if key not in _SERVERS:
        _SERVERS[key] = ForkServer(env)
    return _SERVERS[key]


class ForkedKernel:
    """What LocalProvisioner expects of its Popen, for a kernel that is not our child."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None
        self.fd = os.pidfd_open(pid)

    def poll(self) -> int | None:
        if self.returncode is None and select.select([self.fd], [], [], 0)[0]:
            self._done()
        return self.returncode

    def _done(self) -> None:
        self.returncode = getattr(self, "_signalled", 0)
        try:
            os.close(self.fd)
        except OSError:
            pass

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            if not select.select([self.fd], [], [], timeout)[0]:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
            self._done()
        return self.returncode  # type: ignore[return-value]

    def send_signal(self, signum: int) -> None:
        if self.returncode is None:
            try:
                signal.pidfd_send_signal(self.fd, signum)
            except ProcessLookupError:
                pass
            if signum == signal.SIGKILL:
                self._signalled = -signal.SIGKILL

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class ForkProvisioner(LocalProvisioner):
    """LocalProvisioner whose kernel comes from the worker's fork server, sandboxed
    (``parent`` is a :class:`coursekit.grading.sandbox.SandboxKernelManager`)."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        km = self.parent
        if cmd[1:3] != ["-m", "ipykernel_launcher"]:
            raise RuntimeError(f"the fork server starts ipykernel only, not {cmd[:3]}")
        pid = server(km.fork_env()).spawn(km.jail_spec(), cmd)
        self.process = ForkedKernel(pid)
        self.pid = self.pgid = pid  # B leads its own session and process group
        self.cwd = kwargs.get("cwd")
        return self.connection_info


if __name__ == "__main__":
    sys.exit(serve())
