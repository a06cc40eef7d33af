"""Check a submission before nbgrader sees it, and repair what would stop a class run.

The submission in ``submitted/`` is never changed: a checked copy goes to a staging
folder that nbgrader then grades. Repairs are flagged for the instructor:
invalid JSON or a file that is not a notebook fails that student only; an edited
``schema_version`` is reset; a duplicated or unknown nbgrader cell loses its nbgrader
metadata (it then runs as a plain cell); a deleted or edited test cell is noted
(nbgrader restores it from the gradebook); a misnamed notebook is renamed when the
match is unambiguous; an answer that redefines a test helper (``check_close = ...``) is flagged.
Only notebooks and released files are staged: extra files (a fake ``coursekit/checks.py``, an
IPython startup file), symlinks and special files are dropped and flagged, and a submission
over 50 MB fails.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

SCHEMA_VERSION = 3
#: An answer cell that rebinds a test helper (``check_close = ...``, ``def check_equal``) games the tests.
REBINDS_HELPER = re.compile(r"^\s*(?:def\s+(check_\w+|chart_values)\b|(check_\w+|chart_values)\s*=(?!=))|\bcoursekit\.checks\.\w+\s*=(?!=)", re.M)


@dataclass
class NotebookSpec:
    """What the gradebook and the release say about one notebook of an assignment."""

    name: str
    cell_ids: set[str]
    test_sources: dict[str, str] = field(default_factory=dict)  # grade_id -> source in the release


@dataclass
class Checked:
    """Outcome of checking one student's submission."""

    student: str
    fatal: str | None = None
    flags: list[str] = field(default_factory=list)


def _norm(source) -> str:
    text = "".join(source) if isinstance(source, list) else source
    return "\n".join(line.rstrip() for line in text.strip().splitlines())


def assignment_spec(gradebook, course_root: Path, assignment: str) -> list[NotebookSpec]:
    """The notebooks of ``assignment`` with their nbgrader cell ids (from the gradebook) and
    the test cells as released (from ``release/``, when it is there)."""
    specs = []
    for nb in gradebook.find_assignment(assignment).notebooks:
        solution_ids = {c.name for c in nb.solution_cells}
        tests = {c.name for c in nb.grade_cells if c.cell_type == "code" and c.name not in solution_ids}
        spec = NotebookSpec(nb.name, {c.name for c in nb.source_cells} | {c.name for c in nb.grade_cells} | solution_ids)
        release = course_root / "release" / assignment / f"{nb.name}.ipynb"
        if release.exists():
            for cell in json.loads(release.read_text())["cells"]:
                gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
                if gid in tests:
                    spec.test_sources[gid] = _norm(cell["source"])
        else:
            spec.test_sources = {gid: None for gid in tests}
        specs.append(spec)
    return specs


def repair(nb, spec: NotebookSpec, flags: list[str]) -> None:
    """Fix, in place, what would stop nbgrader, and note what the student changed."""
    seen_ids, seen_grade = set(), set()
    for cell in nb.cells:
        if "id" in cell:
            if cell.id in seen_ids:
                cell.id = uuid.uuid4().hex[:8]
            seen_ids.add(cell.id)
        meta = cell.metadata.get("nbgrader")
        if not isinstance(meta, dict):
            continue
        gid = meta.get("grade_id")
        if gid not in spec.cell_ids:
            del cell.metadata["nbgrader"]
            flags.append(f"{spec.name}: unknown nbgrader cell {gid!r} made a plain cell")
            continue
        if gid in seen_grade:
            del cell.metadata["nbgrader"]
            flags.append(f"{spec.name}: duplicated cell {gid!r}: the copy runs as a plain cell")
            continue
        seen_grade.add(gid)
        if meta.get("solution") and cell.cell_type == "code" and REBINDS_HELPER.search(cell.source):
            flags.append(f"{spec.name}: answer {gid!r} redefines a test helper (check_...): look at it")
        if meta.get("schema_version") != SCHEMA_VERSION:
            flags.append(f"{spec.name}: schema_version of {gid!r} was {meta.get('schema_version')!r}, reset to {SCHEMA_VERSION}")
            meta["schema_version"] = SCHEMA_VERSION
        if gid in spec.test_sources and spec.test_sources[gid] is not None and _norm(cell.source) != spec.test_sources[gid]:
            flags.append(f"{spec.name}: test cell {gid!r} edited (restored from the gradebook)")
    for gid in sorted(set(spec.test_sources) - seen_grade):
        flags.append(f"{spec.name}: test cell {gid!r} deleted (restored from the gradebook)")


#: Largest total size of the files staged from one submission (notebooks included).
MAX_STAGED_BYTES = 50 * 2**20
#: Jupyter's own autosave folder: dropped without a flag (every honest student may have one).
QUIET_DROPS = {".ipynb_checkpoints"}
#: Files nbgrader itself puts in a submission (``nbgrader submit`` writes the timestamp and, for
#: feedback on a hub, the secret that ``release_feedback`` hashes: dropping it breaks feedback).
NBGRADER_FILES = {"timestamp.txt", "submission_secret.txt"}


def released_files(release: Path | None) -> set[str]:
    """Relative paths of the regular files given out in ``release/<assignment>/``."""
    if release is None or not release.is_dir():
        return set()
    out = set()
    for folder, dirs, files in os.walk(release):  # os.walk does not follow links to folders
        for name in files:
            path = Path(folder) / name
            if stat.S_ISREG(path.lstat().st_mode):
                out.add(path.relative_to(release).as_posix())
    return out


def copy_allowed(submitted: Path, staged: Path, allowed: set[str], result: Checked,
                 max_bytes: int = MAX_STAGED_BYTES) -> None:
    """Copy into ``staged`` the regular files of ``submitted`` that are top-level notebooks or
    released files; drop and flag everything else (extra files, dotfiles, links, devices).
    Links are never followed; more than ``max_bytes`` in all makes the submission fail."""
    total = 0
    for folder, dirs, files in os.walk(submitted):  # links to folders land in ``files``/``dirs`` unfollowed
        here = Path(folder)
        for name in sorted(dirs):
            path = here / name
            if name in QUIET_DROPS:
                dirs.remove(name)
            elif path.is_symlink():
                dirs.remove(name)
                result.flags.append(f"symlink {path.relative_to(submitted).as_posix()!r} dropped (not followed)")
        for name in sorted(files):
            path = here / name
            rel = path.relative_to(submitted).as_posix()
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                result.flags.append(f"symlink {rel!r} dropped (not followed)")
                continue
            if not stat.S_ISREG(mode):
                result.flags.append(f"special file {rel!r} dropped")
                continue
            if not ((here == submitted and (name.endswith(".ipynb") or name in NBGRADER_FILES)) or rel in allowed):
                result.flags.append(f"extra file {rel!r} dropped (only released files are graded)")
                continue
            total += path.lstat().st_size
            if total > max_bytes:
                result.fatal = f"submission larger than {max_bytes // 2**20} MB: not graded"
                result.flags.append(result.fatal)
                return
            target = staged / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
            with os.fdopen(fd, "rb") as src, open(target, "wb") as dst:
                if not stat.S_ISREG(os.fstat(src.fileno()).st_mode):  # swapped for something else meanwhile
                    result.flags.append(f"special file {rel!r} dropped")
                    dst.close()
                    target.unlink()
                    continue
                shutil.copyfileobj(src, dst)


def stage(submitted: Path, staged: Path, student: str, specs: list[NotebookSpec], release: Path | None = None) -> Checked:
    """Copy ``submitted`` (one student's assignment folder) to ``staged``, checked and repaired.

    Only the notebooks and the files given out in ``release`` (``release/<assignment>/``) are
    staged: anything else could shadow the course package or IPython's startup files in the
    kernel's folder, so it is dropped and flagged, as are symlinks and special files."""
    result = Checked(student)
    if staged.exists():
        shutil.rmtree(staged)
    staged.mkdir(parents=True)
    copy_allowed(submitted, staged, released_files(release), result)
    if result.fatal:
        return result
    expected = {s.name: s for s in specs}
    present = {p.stem: p for p in staged.glob("*.ipynb")}
    missing = [n for n in expected if n not in present]
    unknown = [n for n in present if n not in expected]
    if len(missing) == 1 and len(unknown) == 1:
        wrong = present.pop(unknown[0])
        wrong.rename(staged / f"{missing[0]}.ipynb")
        present[missing[0]] = staged / f"{missing[0]}.ipynb"
        result.flags.append(f"misnamed notebook {wrong.name!r} graded as {missing[0]}.ipynb")
    else:
        result.flags += [f"{n}.ipynb missing (scores zero)" for n in missing]
    for name in [n for n in present if n not in expected]:
        present.pop(name).unlink()
        result.flags.append(f"extra notebook {name + '.ipynb'!r} dropped (not part of the assignment)")
    for name, path in present.items():
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            json.loads(text)
        except json.JSONDecodeError as err:
            result.fatal = f"{name}.ipynb is not valid JSON ({err.msg}, line {err.lineno})"
            return result
        try:
            nb = nbformat.reads(text, as_version=4)
        except Exception as err:  # nbformat raises several kinds here
            result.fatal = f"{name}.ipynb is not a readable notebook: {err}"[:300]
            return result
        repair(nb, expected[name], result.flags)
        nbformat.write(nb, path)
    return result
