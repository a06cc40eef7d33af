"""Keep the book's execution cache honest: drop it when what the chapters import has changed.

Jupyter Book's cache (``_build/.jupyter_cache``) is keyed by a notebook's code cells only. A chapter's
numbers also depend on what its code reads: the tables in ``data/``, the ``coursekit`` package and the
chapter's ``figures.py``. Change one of those and a cached chapter would keep showing the old numbers
(in both editions). ``coursekit book-cache`` (run by ``make book`` before it builds) fingerprints those
inputs and empties the cache when the fingerprint differs from the one the cache was built with.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
#: What a chapter's code reads besides its own cells, relative to the book's folder (and the coursekit
#: modules the chapters import, found by :func:`chapter_modules`).
INPUTS = ("data/**/*", "chapters/*/figures.py", "requirements.txt")
STAMP = "inputs.sha256"
_IMPORT = re.compile(r"^\s*(?:from (coursekit[\w.]*) import \(?([\w,\s]*)|import (coursekit[\w.]*))", re.M)


def chapter_modules(root: Path = REPO) -> list[Path]:
    """The files of the coursekit modules a chapter's kernel loads: what the chapters import, and what
    those import in turn (asked of a fresh Python, so a new import is followed without a list to keep)."""
    names = set()
    for source in [*root.glob("chapters/*/*.md"), *root.glob("chapters/*/figures.py")]:
        for package, members, plain in _IMPORT.findall(source.read_text(encoding="utf-8")):
            names.add(plain or package)
            names.update(f"{package}.{m.strip()}" for m in members.split(",") if package and m.strip())
    code = ("import importlib, sys\n"
            f"for name in {sorted(names)!r}:\n"
            "    try:\n        importlib.import_module(name)\n    except ImportError:\n        pass\n"
            "print('\\n'.join(sorted(m.__file__ for n, m in sys.modules.items()"
            " if n.split('.')[0] == 'coursekit' and getattr(m, '__file__', None))))")
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True).stdout
    return [Path(line) for line in out.splitlines() if line]


def fingerprint(root: Path = REPO) -> str:
    """One hash of every input file's path and bytes (sorted, so it does not depend on the file system)."""
    digest = hashlib.sha256()
    files = sorted({p for pattern in INPUTS for p in root.glob(pattern) if p.is_file() and "__pycache__" not in p.parts}
                   | set(chapter_modules(root)))
    for path in files:
        name = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def cache_dir(root: Path = REPO) -> Path:
    return root / "_build" / ".jupyter_cache"


def is_current(cache: Path, root: Path = REPO, now: str | None = None) -> bool:
    """Was ``cache`` built from the inputs as they are now (``now``: their fingerprint, if known)?"""
    stamp = cache / STAMP
    return stamp.exists() and stamp.read_text(encoding="utf-8").strip() == (now or fingerprint(root))


def refresh(root: Path = REPO) -> bool:
    """Empty the cache if its inputs changed (or it has no stamp); stamp it. True if it was emptied."""
    cache, now = cache_dir(root), fingerprint(root)
    stale = cache.exists() and not is_current(cache, root, now)
    if stale:
        shutil.rmtree(cache)
        for doctrees in (root / "_build" / ".doctrees", root / "_build" / "ru" / ".doctrees"):
            shutil.rmtree(doctrees, ignore_errors=True)  # or Sphinx would not read the chapters again
        print(">> data, coursekit or a chapter's figures.py changed since the last build: "
              "every chapter runs again (execution cache emptied)", flush=True)
    cache.mkdir(parents=True, exist_ok=True)
    (cache / STAMP).write_text(now + "\n", encoding="utf-8")
    return stale


def main(argv: list[str] | None = None) -> int:
    root = Path(argv[0]).resolve() if argv else REPO
    refresh(root)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
