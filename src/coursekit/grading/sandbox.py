"""The sandboxed kernel: each submission's kernel runs as an unprivileged user, in its
own network, mount, PID, IPC and UTS namespaces, with resource limits, in a private working copy.

The grading process itself (nbgrader) keeps the grader's rights: it must read
``source/`` and the gradebook. Only the kernel, where student code runs, is confined.
Its command line is ``unshare ... python -m coursekit.grading.jail SPEC -- <kernel argv>``
(see :mod:`coursekit.grading.jail`); it talks to nbgrader over Unix sockets (ZMQ ``ipc``
transport), since TCP on localhost does not cross a new network namespace.
"""

from __future__ import annotations

import asyncio
import json
import os
import pwd
import secrets
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Bool, Integer, List, Unicode

SANDBOX_USER = "coursekit-sandbox"
#: Places any user may write: covered in the kernel's view, so it writes only to its folder.
WRITABLE_PLACES = ["/tmp", "/var/tmp", "/dev/shm", "/run/lock", "/dev/mqueue"]
ENV_KEEP = ["LANG", "LC_ALL", "COURSEKIT_DATA", "NBGRADER_EXECUTION", "PYTHONHASHSEED", "TZ"]


class SandboxUnavailable(RuntimeError):
    """Isolation was asked for but the machine cannot give it (say why, and how to opt out)."""


def ensure_user(name: str = SANDBOX_USER, create: bool = True) -> tuple[int, int]:
    """uid and gid of the sandbox user; created (``useradd --system``) if missing and root."""
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        if not create or os.geteuid() != 0:
            raise SandboxUnavailable(f"no user {name!r}: run `coursekit grade` once as root to create it") from None
        subprocess.run(["useradd", "--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent",
                        "--shell", "/usr/sbin/nologin", name], check=True, capture_output=True)
        entry = pwd.getpwnam(name)
    if entry.pw_uid == 0:
        raise SandboxUnavailable(f"user {name!r} is root")
    return entry.pw_uid, entry.pw_gid


def check_available() -> None:
    """Raise :class:`SandboxUnavailable` unless this process can build the sandbox."""
    if os.geteuid() != 0:
        raise SandboxUnavailable("isolating student code needs root (to switch user and make namespaces); "
                                 "run as root, or pass --no-isolation to grade with the grader's own rights")
    if not shutil.which("unshare"):
        raise SandboxUnavailable("`unshare` (util-linux) is not installed")
    probe = subprocess.run(["unshare", "--net", "--mount", "--pid", "--ipc", "--uts", "--fork", "--mount-proc", "true"],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        raise SandboxUnavailable(f"cannot create namespaces here: {probe.stderr.strip()}")


def run_root() -> Path:
    """The folder (root-owned, 0711: others may pass, not list) that holds kernels' working copies."""
    root = Path(tempfile.gettempdir()) / f"coursekit-sandbox-{os.geteuid()}"
    root.mkdir(mode=0o711, exist_ok=True)
    if root.is_symlink() or root.stat().st_uid != os.geteuid():
        raise SandboxUnavailable(f"{root} is not owned by this user: remove it")
    root.chmod(0o711)
    return root


def enclosing_git_dir(path: Path) -> Path | None:
    """The ``.git`` of the repository holding ``path`` (it holds the solutions' history)."""
    for parent in [path, *path.parents]:
        if (parent / ".git").exists():
            return parent / ".git"
    return None


class SandboxKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels run confined (see the module docstring)."""

    isolate = Bool(True, help="confine the kernel; False runs it with the grader's rights").tag(config=True)
    user = Unicode(SANDBOX_USER, help="unprivileged user the kernel runs as").tag(config=True)
    memory_mb = Integer(2048, help="address-space cap of the kernel (MB)").tag(config=True)
    cpu_seconds = Integer(300, help="CPU-time cap of the kernel (s)").tag(config=True)
    nproc = Integer(256, help="cap on processes of the sandbox user").tag(config=True)
    fsize_mb = Integer(64, help="largest file the kernel may write (MB)").tag(config=True)
    nofile = Integer(256, help="open files cap").tag(config=True)
    hide_paths = List(Unicode(), help="paths the kernel must not see (the course root, the gradebook...)").tag(config=True)
    readonly_paths = List(Unicode(), help="paths the kernel must keep reading even under a hidden one").tag(config=True)
    copy_limit_mb = Integer(200, help="largest submission folder copied into the sandbox (MB)").tag(config=True)
    fork_server = Bool(True, help="fork sandboxed kernels from a process that has imported the course's modules "
                                  "(coursekit.grading.forkserver) instead of starting Python each time").tag(config=True)

    _workdir: Path | None = None

    def _make_workdir(self, cwd: str | None, uid: int, gid: int) -> Path:
        """A private copy of the submission's folder without notebooks, owned by the sandbox user."""
        root = run_root()
        work = root / secrets.token_hex(12)
        work.mkdir()
        src = Path(cwd).resolve() if cwd else None
        if src and src.is_dir() and src not in root.parents and src != root:
            files = []
            for folder, dirs, names in os.walk(src):  # links are neither followed nor copied
                dirs[:] = [d for d in dirs if not (Path(folder) / d).is_symlink() and Path(folder) / d != root]
                for name in names:
                    path = Path(folder) / name
                    st = path.lstat()
                    if stat.S_ISREG(st.st_mode) and path.suffix != ".ipynb":
                        files.append((path, st.st_size))
            if sum(size for _, size in files) > self.copy_limit_mb * 2**20:
                raise RuntimeError(f"{src} holds more than {self.copy_limit_mb} MB: not copied into the sandbox")
            for path, _ in files:
                target = work / path.relative_to(src)
                target.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
                with os.fdopen(fd, "rb") as fh, open(target, "wb") as out:
                    if stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                        shutil.copyfileobj(fh, out)
        for path in [work, *work.rglob("*")]:
            os.chown(path, uid, gid, follow_symlinks=False)
        work.chmod(0o700)
        return work

    async def _async_pre_start_kernel(self, **kw):
        if self.isolate and self.fork_server and self.provisioner is None:
            from .forkserver import ForkProvisioner

            self.kernel_id = kw.get("kernel_id") or self.kernel_id or secrets.token_hex(16)
            self.provisioner = ForkProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
        if self.isolate:
            uid, gid = ensure_user(self.user)
            self._ids = (uid, gid)
            self._workdir = self._make_workdir(kw.get("cwd"), uid, gid)
            self.transport = "ipc"
            self.ip = str(self._workdir / ".kernel")
            self.connection_file = str(self._workdir / ".kernel.json")
            self.cache_ports = False
        return await super()._async_pre_start_kernel(**kw)

    def _base_env(self) -> dict[str, str]:
        """The kernel's environment without its folder: also the fork server's."""
        env = {k: os.environ[k] for k in ENV_KEEP if k in os.environ}
        env.update(PATH=f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
                   PYTHONNOUSERSITE="1", PYDEVD_DISABLE_FILE_VALIDATION="1",
                   # the kernel's folder must not shadow installed modules (a submitted coursekit/)
                   PYTHONSAFEPATH="1",
                   # one thread per numerical library: kernels share the sandbox user's process cap
                   OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
        return env

    def fork_env(self) -> dict[str, str]:
        return dict(self._base_env(), HOME="/nonexistent")

    def jail_spec(self) -> dict:
        """What :mod:`coursekit.grading.jail` (or the fork server) needs to confine this kernel."""
        uid, gid = self._ids
        work = str(self._workdir)
        env = self._base_env()
        env.update(HOME=work, TMPDIR=work, IPYTHONDIR=f"{work}/.ipython", MPLCONFIGDIR=f"{work}/.matplotlib",
                   XDG_CACHE_HOME=f"{work}/.cache")
        home = os.path.expanduser("~")
        return {
            "uid": uid, "gid": gid, "workdir": work, "env": env,
            "hide": [*self.hide_paths, str(run_root()), home, *WRITABLE_PLACES],
            "readonly": [*self.readonly_paths, sys.prefix, sys.base_prefix],
            "as_bytes": self.memory_mb * 2**20, "cpu_seconds": self.cpu_seconds, "nproc": self.nproc,
            "fsize_bytes": self.fsize_mb * 2**20, "nofile": self.nofile,
        }

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        if not self.isolate:
            return cmd
        uid, gid = self._ids
        os.chown(self.connection_file, uid, gid)
        if self.fork_server:  # the ForkProvisioner hands cmd and jail_spec() to the fork server
            return cmd
        return ["unshare", "--net", "--mount", "--pid", "--ipc", "--uts", "--fork", "--kill-child", "--mount-proc",
                "--propagation", "private", "--", sys.executable, "-m", "coursekit.grading.jail",
                json.dumps(self.jail_spec()), "--", *cmd]

    async def _async_cleanup_resources(self, restart: bool = False) -> None:
        await super()._async_cleanup_resources(restart=restart)
        if self._workdir is not None and not restart:
            for _ in range(20):  # a killed kernel's namespace may still be writing for a moment
                shutil.rmtree(self._workdir, ignore_errors=True)
                if not self._workdir.exists():
                    break
                await asyncio.sleep(0.25)
            self._workdir = None

    # AsyncKernelManager binds cleanup_resources to the base method: point it at ours.
    cleanup_resources = _async_cleanup_resources
