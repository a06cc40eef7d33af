"""Guidance before grading: an unfinished part gets a sentence, not a traceback.

In the student version of an assignment, every answer is a stub that raises
``NotImplementedError``. Running a visible test (or a widget explorer) before
the part is written used to end in a bare traceback. This module turns those
two errors (a stub's ``NotImplementedError``, a ``NameError`` for an answer not
written or not run yet) into one line that says which part to do and how::

    Part 3 is not done yet: write `years_of_income` in the cell above and run it, then run this test again.

Two more errors get a sentence instead of a traceback: the first *Run All* of
a fresh student notebook stops at the first answer cell's ``raise
NotImplementedError()``, and says which part to write first; and an error
raised by a visible test's own code (``int(gold_2026)`` on a Series, say)
says which answer the test could not use, instead of a traceback through test
code. A failed check (:class:`coursekit.checks.CheckFailed`) shows only its
message (what was expected, what came back, the hint).

The error is still raised (the cell still fails, so nbgrader scores nothing
for it): only what is *shown* changes. :func:`install` registers the message
with IPython when ``coursekit`` is imported in a kernel; the explorer in
:mod:`coursekit.widgets` uses :func:`message` directly.

Which name belongs to which part comes from ``parts.json`` next to this file,
written from ``exercises/source`` by ``coursekit student-versions``
(:func:`write_parts`). It holds only what the student version shows anyway:
part numbers and titles, the answer names the prompt or the visible test
mentions, and the first line of each visible test.
"""

from __future__ import annotations

import ast
import json
import linecache
import re
import sys
from pathlib import Path
from types import TracebackType

PARTS_FILE = Path(__file__).with_name("parts.json")
_HEADING = re.compile(r"^##\s*Part\s+(\d+)\s*:\s*(.+?)\s*(\(\d+ points?\))?\s*$", re.M)
_parts_cache: dict | None = None


# --- building parts.json from the source notebooks ---------------------------------------------

def _defined_names(source: str) -> dict[str, str]:
    """Top-level names a cell defines: ``{"name": "function" | "variable"}``."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    names: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names[node.name] = "function"
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for sub in ast.walk(target):
                    if isinstance(sub, ast.Name):
                        names.setdefault(sub.id, "variable")
    return names


def assignment_parts(source: str | Path) -> dict:
    """The parts of one source notebook, as kept in ``parts.json``."""
    import nbformat

    from .student import student_version

    nb = nbformat.read(str(source), as_version=4)
    # what the student version shows as code: code cells, and `code` in the prompts
    shown = "\n".join(cell.source if cell.cell_type == "code" else " ".join(re.findall(r"`([^`]+)`", cell.source))
                      for cell in student_version(source).cells)
    setup: list[str] = []
    parts: list[dict] = []
    current: dict | None = None
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "markdown":
            heading = _HEADING.search(cell.source)
            if heading:
                current = {"part": int(heading.group(1)), "title": heading.group(2), "names": {}, "tests": []}
                parts.append(current)
            continue
        if cell.cell_type != "code":
            continue
        if meta.get("grade_id") == "setup":
            setup = sorted(_defined_names(cell.source))
        elif current is not None and meta.get("solution"):
            for name, kind in _defined_names(cell.source).items():
                # only names the student version shows (prompt, stub or visible test): no solution helpers
                if re.search(rf"\b{re.escape(name)}\b", shown):
                    current["names"][name] = kind
        elif current is not None and meta.get("grade"):
            visible = cell.source.split("### BEGIN HIDDEN TESTS")[0].strip()
            if visible:
                current["tests"].append(visible.splitlines()[0].strip())
    return {"setup": setup, "parts": [p for p in parts if p["names"]]}


def build_parts(exercises: str | Path) -> dict:
    """``{assignment: assignment_parts(...)}`` for every assignment in ``exercises/source``."""
    out = {}
    for source in sorted(Path(exercises, "source").glob("*/*.ipynb")):
        if source.parent.name == source.stem:
            out[source.stem] = assignment_parts(source)
    return out


def write_parts(exercises: str | Path, path: str | Path = PARTS_FILE) -> Path:
    global _parts_cache
    path = Path(path)
    path.write_text(json.dumps(build_parts(exercises), indent=1, sort_keys=True) + "\n")
    _parts_cache = None
    return path


def _parts() -> dict:
    global _parts_cache
    if _parts_cache is None:
        try:
            _parts_cache = json.loads(PARTS_FILE.read_text())
        except (OSError, ValueError):
            _parts_cache = {}
    return _parts_cache


# --- from an error to a sentence ---------------------------------------------------------------

def _frames(tb: TracebackType | None):
    while tb is not None:
        yield tb.tb_frame, tb.tb_lineno
        tb = tb.tb_next


def _is_cell(filename: str) -> bool:
    """A notebook cell (ipykernel's temporary files, or plain IPython's)."""
    return filename.startswith("<ipython-input") or "ipykernel_" in filename or filename.startswith("<cell")


def _lookup(name: str, namespace: dict) -> tuple[dict, dict] | tuple[None, str] | None:
    """``(part, assignment)`` defining ``name``; ``(None, "setup")`` for a setup name.

    The same name can be in two assignments (``implied_total``): the assignment
    whose setup names are most present in the namespace wins."""
    candidates = []
    for assignment, info in _parts().items():
        present = sum(1 for n in info.get("setup", []) if n in namespace)
        for part in info.get("parts", []):
            if name in part["names"]:
                candidates.append((present, part, info))
        if name in info.get("setup", []):
            candidates.append((present, None, info))
    if not candidates:
        return None
    present, part, info = max(candidates, key=lambda c: c[0])
    return (part, info) if part is not None else (None, "setup")


def _running_cell(tb: TracebackType | None) -> str:
    """The source of the cell being run (the outermost frame from a cell)."""
    for frame, _ in _frames(tb):
        if _is_cell(frame.f_code.co_filename):
            return "".join(linecache.getlines(frame.f_code.co_filename))
    return ""


def _names_text(part: dict) -> str:
    """'write `f`, set `a` and `b`' for a part's answer names."""
    funcs = [f"`{n}`" for n, kind in part["names"].items() if kind == "function"]
    values = [f"`{n}`" for n, kind in part["names"].items() if kind != "function"]

    def join(items: list[str]) -> str:
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]

    said = ([f"write {join(funcs)}"] if funcs else []) + ([f"set {join(values)}"] if values else [])
    return ", ".join(said)


def _part_of_cell(source: str, namespace: dict) -> tuple[dict, dict] | None:
    """The part whose answer names a cell mentions most (among the assignments whose setup
    names are most present in the namespace): ``(part, assignment info)``."""
    best, found = None, None
    for info in _parts().values():
        present = sum(1 for n in info.get("setup", []) if n in namespace)
        for part in info.get("parts", []):
            hits = sum(1 for n in part["names"] if re.search(rf"\b{re.escape(n)}\b", source))
            if hits and (best is None or (present, hits) > best):
                best, found = (present, hits), (part, info)
    return found


def _unwritten_cell(frame) -> str | None:
    """The stub's own ``raise NotImplementedError()`` at the top level of an answer cell."""
    source = "".join(linecache.getlines(frame.f_code.co_filename))
    found = _part_of_cell(source, frame.f_globals)
    if found is None:
        return None
    part, _ = found
    return (f"Part {part['part']} ({part['title']}) is not written yet: in this cell, replace "
            f"`raise NotImplementedError()` with your code ({_names_text(part)}), then run the cell again. "
            f"Run All stops at the first part that is not written yet.")


def _test_code_error(err: BaseException, frames: list) -> str | None:
    """An error raised by a visible test's own code (not by a student function it calls):
    which answer the test could not use, in a sentence."""
    cells = [(frame, line) for frame, line in frames if _is_cell(frame.f_code.co_filename)]
    if not cells:
        return None
    running, _ = cells[0]
    innermost, lineno = cells[-1]
    if innermost.f_code.co_filename != running.f_code.co_filename:
        return None  # raised inside a function the student wrote: their traceback is the useful one
    found = _visible_test_part(running)
    if found is None:
        return None
    line = linecache.getline(running.f_code.co_filename, lineno).strip()
    names = [n for n in found["names"] if re.search(rf"\b{re.escape(n)}\b", line)]
    shown = line if len(line) <= 110 else line[:107] + "..."
    detail = (str(err).strip().splitlines() or [""])[0]
    what = " and ".join(f"`{n}`" for n in names) if names else "your answer"
    return (f"Part {found['part']}'s test could not use {what}: `{shown}` stopped with "
            f"{type(err).__name__}{': ' + detail if detail else ''}.\n"
            f"Check that {what} {'is' if len(names) < 2 else 'are'} what Part {found['part']} asks for "
            f"(a number, a list, a dict, a table with the columns it names...), run its cell, then run this test again.")


def _visible_test_part(running) -> dict | None:
    """The part whose visible test is the running cell (its first line is the test's first line)."""
    source = "".join(linecache.getlines(running.f_code.co_filename))
    first = next((line.strip() for line in source.splitlines() if line.strip()), "")
    found = None
    for info in _parts().values():
        for part in info.get("parts", []):
            if first in part["tests"]:
                found = part
    return found


def student_code_error(tb: TracebackType | None) -> str | None:
    """An error raised inside a student's function that a visible test called: a sentence that says so,
    to stand above the traceback (which shows the test's line, with its hint, then the student's code).
    ``None`` for any other error."""
    frames = list(_frames(tb))
    cells = [frame for frame, _ in frames if _is_cell(frame.f_code.co_filename)]
    if len(cells) < 2 or cells[-1].f_code.co_filename == cells[0].f_code.co_filename:
        return None  # not in a cell, or raised by the test's own code
    part = _visible_test_part(cells[0])
    if part is None:
        return None
    return (f"Part {part['part']}'s test stopped inside your code: the check marked ----> below called your function, "
            f"and your function raised the error at the bottom (the last lines show where). Fix it, run its cell, "
            f"then run this test again.")


def message(err: BaseException, tb: TracebackType | None = None, *, where: str = "test") -> str | None:
    """What to show a student instead of a traceback, or ``None`` to show the traceback.

    ``where`` is ``"test"`` (a test cell, or any cell) or ``"explorer"`` (a widget)."""
    tb = tb if tb is not None else err.__traceback__
    frames = list(_frames(tb))
    if type(err) is NotImplementedError:
        # the stub raised it itself: the innermost frame is the unfinished function, or the answer cell
        if not frames:
            return None
        frame, _ = frames[-1]
        name = frame.f_code.co_name
        if not _is_cell(frame.f_code.co_filename):
            return None
        if name == "<module>":
            return _unwritten_cell(frame) if where == "test" else None
        namespace = frame.f_globals
    elif type(err) is NameError:
        name = getattr(err, "name", None) or (re.findall(r"name '(\w+)' is not defined", str(err)) or [None])[0]
        if not name:
            return None
        namespace = frames[-1][0].f_globals if frames else {}
    else:
        return _test_code_error(err, frames) if where == "test" else None
    found = _lookup(name, namespace)
    if found is None:
        return _test_code_error(err, frames) if where == "test" and type(err) is NameError else None
    part, info = found
    again = "run this test again" if where == "test" else "run this cell again"
    if part is None:
        return (f"`{name}` is not defined yet: run the first code cell of the notebook (it loads the data), "
                f"then the cells below it in order, then {again}.")
    verb = "write" if part["names"][name] == "function" else "set"
    if where == "explorer":
        return (f"Finish Part {part['part']} first ({part['title']}): {verb} `{name}` in its answer cell and run it, "
                f"then {again}.")
    first_lines = [line.strip() for line in _running_cell(tb).splitlines() if line.strip()]
    if first_lines and first_lines[0] in part["tests"]:
        return f"Part {part['part']} is not done yet: {verb} `{name}` in the cell above and run it, then {again}."
    return (f"Part {part['part']} ({part['title']}) is not done yet: {verb} `{name}` in Part {part['part']}'s "
            f"answer cell and run it, then {again}.")


# --- IPython -----------------------------------------------------------------------------------

#: The errors the handler looks at (a failed check is an AssertionError; errors from test code are
#: mostly TypeError, AttributeError, KeyError/IndexError, ValueError). SyntaxError is not among them:
#: IPython shows it before the cell runs.
HANDLED = (NameError, NotImplementedError, AssertionError, TypeError, AttributeError, LookupError, ValueError,
           ArithmeticError)


def _handler(shell, etype, value, tb, tb_offset=None):
    """IPython's custom exception handler: it shows the error itself (the kernel
    sends it as the cell's error output, so the cell still fails)."""
    from .checks import CheckFailed

    if isinstance(value, CheckFailed):  # the check's own message: expected, got, hint
        stb = value._render_traceback_()
        shell._showtraceback(etype, value, stb)
        return stb
    try:
        text = message(value, tb)
        inside = student_code_error(tb) if text is None else None
    except Exception:  # never hide the real error behind a broken hint
        text = inside = None
    if inside is not None:  # the student's function failed when a test called it: a sentence, then the traceback
        try:
            stb = [inside, ""] + shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset)
        except Exception:
            stb = None
        if stb:
            shell._showtraceback(etype, value, stb)
            return stb
    if text is None:
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
        return None
    detail = str(value)
    if "\n" in text:  # a test that could not use an answer: the sentence says what stopped it
        stb = text.splitlines()
    else:
        stb = [text, f"({etype.__name__}{': ' + detail if detail else ''}; this cell stopped here.)"]
    shell._showtraceback(etype, value, stb)
    return stb


def install() -> bool:
    """Show :func:`message` instead of the traceback in this IPython kernel (once).

    The error is still raised: the cell fails, as before. Does nothing outside
    IPython or when another handler is already registered."""
    if "IPython" not in sys.modules:
        return False
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return False
    if getattr(shell, "custom_exceptions", ()):
        return getattr(shell, "_coursekit_guidance", False)
    shell.set_custom_exc(HANDLED, _handler)
    shell._coursekit_guidance = True
    return True
