"""The mistakes students make, found by running them.

``exercises/mistakes/<assignment>.yml`` lists plausible wrong answers to an
assignment's parts (what the mistake is, the test that should catch it, the
wrong code, and ``cause``: words the visible test's message must contain, so
that it names the cause; or ``hidden_only``: why only a hidden test can catch
it). :func:`run` executes the source notebook once in one kernel,
then, for each mistake, runs the wrong code, then the test cell (its visible
checks first, then the hidden ones) and records which check fails and the
first line of its message, then puts the right answers back. :func:`markdown`
writes that as the list the instructor notes include
(``instructors/mistakes/<assignment>.md``): generated, so it stays true.

What reaches the book: the description, the test's name, whether a visible or a
hidden check caught it, and the first line of the message. A hidden check's
expected value is left out (it would give the answer away); no test code, no
wrong code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
import yaml

_HIDDEN = "### BEGIN HIDDEN TESTS"
_EXPECTED = re.compile(r": expected (.*), got ")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass
class Outcome:
    part: int
    test: str
    mistake: str
    caught_by: str  # "visible", "hidden", "answer cell" or "nothing"
    message: str  # the first line of the failure
    detail: str = ""  # the whole message the student sees (with its hint)
    cause: str | None = None  # words the visible message must contain
    hidden_only: str | None = None  # why only a hidden test catches it


class _Kernel:
    def __init__(self, cwd: Path):
        from jupyter_client.manager import start_new_kernel

        self.km, self.kc = start_new_kernel(kernel_name="python3", cwd=str(cwd))

    def run(self, code: str, timeout: int = 120) -> tuple[str, str, str] | None:
        """Run code; ``(ename, evalue, what the student sees)`` if it raised, else ``None``."""
        reply = self.kc.execute_interactive(code, output_hook=lambda msg: None, timeout=timeout, store_history=False)
        content = reply["content"]
        if content["status"] == "ok":
            return None
        shown = _ANSI.sub("", "\n".join(content.get("traceback", [])))
        return content.get("ename", "Error"), content.get("evalue", ""), shown

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


def _first_line(text: str) -> str:
    return (text.strip().splitlines() or [""])[0].strip()


def _redact(message: str) -> str:
    """A hidden check's message without its expected value."""
    found = _EXPECTED.search(message)
    if not found or found.group(1) in ("True", "False") or found.group(1).endswith(" raised'"):
        return message  # "expected True" or "expected 'ValueError raised'" gives nothing away
    return message[:found.start()] + ": expected the right value (hidden), got " + message[found.end():]


def load(path: str | Path) -> dict:
    return yaml.safe_load(Path(path).read_text())


def run(exercises: str | Path, mistakes_file: str | Path) -> list[Outcome]:
    spec = load(mistakes_file)
    assignment = spec["assignment"]
    source = Path(exercises, "source", assignment, f"{assignment}.ipynb")
    nb = nbformat.read(str(source), as_version=4)
    by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
    setup = by_id["setup"].source
    answers = [c.source for c in nb.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution")]
    tests = {gid: c.source for gid, c in by_id.items() if c.cell_type == "code" and c.metadata["nbgrader"].get("grade")}

    kernel = _Kernel(source.parent)
    try:
        for code in [setup, *answers, *tests.values()]:
            failed = kernel.run(code)
            if failed:
                raise RuntimeError(f"{assignment}: the source notebook fails ({failed[0]}: {_first_line(failed[1])})")
        outcomes = []
        for item in spec["mistakes"]:
            test = tests[item["test"]]
            visible, _, hidden = test.partition(_HIDDEN)
            caught, message, detail = "nothing", "", ""
            failed = kernel.run(item["code"])
            if failed:
                caught, message = "answer cell", f"{failed[0]}: {_first_line(failed[1])}"
            else:
                for where, code in (("visible", visible), ("hidden", hidden)):
                    failed = kernel.run(code)
                    if failed:
                        first = _first_line(failed[1])
                        if failed[0] != "CheckFailed":
                            first = f"{failed[0]}: {first}"
                        caught, message = where, _redact(first) if where == "hidden" else first
                        # the whole message a student sees (for an error in their own function: the test line that
                        # called it, with its hint, and their traceback)
                        detail = "" if where == "hidden" else failed[1] if failed[0] == "CheckFailed" else failed[2]
                        break
            outcomes.append(Outcome(int(item["part"]), item["test"], item["mistake"].strip(), caught, message, detail,
                                    item.get("cause"), (item.get("hidden_only") or "").strip() or None))
            for code in [setup, *answers]:  # the right answers (and untouched data) back for the next mistake
                kernel.run(code)
        return outcomes
    finally:
        kernel.close()


def markdown(assignment: str, outcomes: list[Outcome]) -> str:
    lines = [f"<!-- Generated by `coursekit mistakes {assignment}` from exercises/mistakes/{assignment}.yml: "
             "do not edit by hand. -->", ""]
    for o in outcomes:
        where = {"visible": "the visible test", "hidden": "a hidden test", "answer cell": "the answer cell itself",
                 "nothing": "NOTHING (the tests let it pass)"}[o.caught_by]
        message = o.message.replace("`", "'")
        lines.append(f"- **Part {o.part}.** {o.mistake} Caught by {where} of `{o.test}`"
                     + (f": `{message}`" if message else ".")
                     + (f" (Only a hidden test can catch it: {o.hidden_only})" if o.hidden_only else ""))
    return "\n".join(lines) + "\n"


def write(exercises: str | Path, mistakes_file: str | Path, out_dir: str | Path) -> tuple[Path, list[Outcome]]:
    spec = load(mistakes_file)
    outcomes = run(exercises, mistakes_file)
    out = Path(out_dir) / f"{spec['assignment']}.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(markdown(spec["assignment"], outcomes))
    return out, outcomes
