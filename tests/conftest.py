"""Shared fixtures: paths, the environment nbgrader needs, and one book build per session."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def env_with_venv() -> dict[str, str]:
    """os.environ with the venv's bin first on PATH (nbgrader shells out to alembic)."""
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return env


def run(cmd: list[str], cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    """Run a command; on failure, fail the test with its output."""
    proc = subprocess.run(cmd, cwd=cwd, env=env_with_venv(), capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        pytest.fail(f"{' '.join(cmd)} exited {proc.returncode}\n--- stdout\n{proc.stdout[-4000:]}\n--- stderr\n{proc.stderr[-4000:]}")
    return proc


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


_SKIP = shutil.ignore_patterns(".venv", "_build", ".git", "__pycache__", ".pytest_cache")
_GRADING_RUNS = {"release", "submitted", "autograded", "feedback", "grading", "gradebook.db"}


def _not_for_the_book(folder: str, names: list[str]) -> set[str]:
    """What the book copy leaves out: tool folders, and local nbgrader runs under exercises/."""
    skip = set(_SKIP(folder, names))
    if Path(folder).name == "exercises":
        skip |= _GRADING_RUNS & set(names)
    return skip


@pytest.fixture(scope="session")
def built_book(tmp_path_factory) -> Path:
    """Build the book once, from a copy of the repository, with warnings as errors."""
    copy = tmp_path_factory.mktemp("book") / "course"
    shutil.copytree(REPO, copy, ignore=_not_for_the_book)
    # reuse the repository's execution cache when there is one, unless the data, coursekit or a chapter's
    # figures.py changed since it was filled (it is keyed by the notebooks' code cells only: coursekit.bookcache)
    from coursekit import bookcache

    cache = bookcache.cache_dir(REPO)
    if cache.exists() and bookcache.is_current(cache, REPO):
        shutil.copytree(cache, bookcache.cache_dir(copy))
    proc = run([str(BIN / "jupyter-book"), "build", str(copy), "-W", "--keep-going"], cwd=copy, timeout=1200)
    # the Russian edition, as make book builds it: into _build/html/ru, from the same execution cache
    ru = run([sys.executable, "-m", "coursekit.edition", "--root", str(copy), "build"], cwd=copy, timeout=600)
    (copy / "build.log").write_text(proc.stdout + proc.stderr + ru.stdout + ru.stderr)
    return copy / "_build" / "html"
