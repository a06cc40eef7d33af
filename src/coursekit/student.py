"""Student versions of assignments for the book: the source notebook with
solutions, hidden tests and mark schemes removed, and outputs cleared.

It uses nbgrader's own preprocessors, so the page in the book is what
``nbgrader generate_assignment`` hands out (without the gradebook steps).
"""

from __future__ import annotations

from pathlib import Path

import nbformat

#: The paragraph every assignment opens with (in its intro cell; tests/test_guidance.py checks that each source
#: notebook has it, line breaks aside). Write it into a new assignment with :func:`how_it_works`.
HOW_IT_WORKS = (
    "**How it works.** Write your code where it says `# YOUR CODE HERE` (delete the `raise NotImplementedError()` "
    "line). Each part has a test cell below it: run it, and it prints `ok: ...` for each check, or tells you what it "
    "expected, what it got and a hint. The visible tests check everything the part asks for; more tests, hidden from "
    "you, try other cases and decide the grade. Your answers must be plain variables and functions: the explorer "
    "widget only helps you explore and is not graded. Before you submit, use *Kernel → Restart Kernel and Run All "
    "Cells* and check that nothing fails."
)


def how_it_works(width: int = 116) -> str:
    """:data:`HOW_IT_WORKS` wrapped as the notebooks' Markdown is."""
    import textwrap

    return "\n".join(textwrap.wrap(HOW_IT_WORKS, width=width, break_on_hyphens=False, break_long_words=False))


def has_how_it_works(markdown: str) -> bool:
    """Whether a Markdown cell holds :data:`HOW_IT_WORKS` (line breaks and spacing aside)."""
    return " ".join(HOW_IT_WORKS.split()) in " ".join(markdown.split())


def student_version(source: str | Path) -> nbformat.NotebookNode:
    """The student version of an nbgrader source notebook."""
    from nbgrader.preprocessors import ClearHiddenTests, ClearMarkScheme, ClearOutput, ClearSolutions
    from traitlets.config import Config

    config = Config()
    config.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
    nb = nbformat.read(str(source), as_version=4)
    resources: dict = {}
    for step in (ClearSolutions(config=config), ClearHiddenTests(config=config),
                 ClearMarkScheme(config=config), ClearOutput(config=config)):
        nb, resources = step.preprocess(nb, resources)
    return nb


def write_student_versions(exercises: str | Path, out_dir: str | Path) -> list[Path]:
    """Write ``out_dir/<assignment>.ipynb`` for every assignment in ``exercises/source``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for source in sorted(Path(exercises, "source").glob("*/*.ipynb")):
        if source.parent.name != source.stem:
            continue  # only the notebook named after its assignment
        target = out_dir / source.name
        nbformat.write(student_version(source), str(target))
        written.append(target)
    return written
