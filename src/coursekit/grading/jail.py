"""Last step before a student's kernel starts: runs as root *inside* fresh network,
mount, PID, IPC and UTS namespaces (made by ``unshare``), hides the course's private paths,
applies resource limits, drops to the sandbox user and execs the kernel.

Usage (built by :class:`coursekit.grading.sandbox.SandboxKernelManager`)::

    unshare --net --mount --pid --ipc --uts --fork --kill-child --mount-proc --propagation private -- \
        python -m coursekit.grading.jail SPEC_JSON -- python -m ipykernel_launcher -f conn.json
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import sys

_libc = ctypes.CDLL(None, use_errno=True)
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_REMOUNT, MS_BIND, MS_REC = 1, 2, 4, 32, 4096, 16384
PR_SET_NO_NEW_PRIVS = 38


def _mount(source: str, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    rc = _libc.mount(source.encode(), target.encode(), fstype.encode() if fstype else None, flags,
                     data.encode() if data else None)
    if rc != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"mount {source} on {target}: {os.strerror(err)}")


def hide(paths: list[str], workdir: str, readonly: list[str]) -> None:
    """Cover every path in ``paths`` with an empty tmpfs that the sandbox user cannot
    write (a file with /dev/null). Then put back ``workdir`` (writable) and the
    ``readonly`` paths (the venv, the course package, its data) where a hidden folder
    covered them. Writable places such as /tmp are in ``paths``: the kernel writes only
    to ``workdir``."""
    hidden = [p for p in paths if os.path.exists(p)]

    def covered(path: str) -> bool:
        return any(path == h or path.startswith(h.rstrip("/") + "/") for h in hidden)

    back = [(workdir, False)] + [(p, True) for p in readonly if os.path.isdir(p) and covered(p)]
    fds = [(os.open(p, os.O_RDONLY | os.O_DIRECTORY), p, ro) for p, ro in back]
    for path in hidden:
        if os.path.isdir(path):
            _mount("none", path, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0555")
        else:
            _mount("/dev/null", path, None, MS_BIND)
    for fd, path, ro in fds:
        os.makedirs(path, mode=0o755, exist_ok=True)
        _mount(f"/proc/self/fd/{fd}", path, None, MS_BIND | MS_REC)
        if ro:
            _mount("none", path, None, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_REC)
        os.close(fd)


def limit(spec: dict) -> None:
    """Resource limits of the kernel (inherited by anything it starts)."""
    caps = {"as_bytes": resource.RLIMIT_AS, "cpu_seconds": resource.RLIMIT_CPU,
            "nproc": resource.RLIMIT_NPROC, "fsize_bytes": resource.RLIMIT_FSIZE,
            "nofile": resource.RLIMIT_NOFILE}
    for key, which in caps.items():
        if spec.get(key):
            resource.setrlimit(which, (int(spec[key]), int(spec[key])))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def drop(uid: int, gid: int) -> None:
    """Become the unprivileged user for good (no groups, no way back, no setuid gains)."""
    os.setgroups([])
    os.setresgid(gid, gid, gid)
    os.setresuid(uid, uid, uid)
    if _libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_NO_NEW_PRIVS)")
    if os.getuid() == 0 or os.geteuid() == 0:
        raise SystemExit("jail: still root after dropping privileges")


def main(argv: list[str]) -> None:
    spec = json.loads(argv[0])
    cmd = argv[argv.index("--") + 1:]
    enter(spec)
    os.execve(cmd[0], cmd, spec["env"])


def enter(spec: dict) -> None:
    """Confine this process as ``spec`` says: hidden paths, limits, the sandbox user, its folder;
    the kernel's own stdout/stderr (not the notebook's outputs) go to its folder, not the grader's log."""
    hide(spec["hide"], spec["workdir"], spec.get("readonly", []))
    limit(spec)
    drop(spec["uid"], spec["gid"])
    os.chdir(spec["workdir"])
    os.umask(0o077)
    log = os.open("kernel.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(log, 1)
    os.dup2(log, 2)


if __name__ == "__main__":
    main(sys.argv[1:])
