"""Student versions of assignments for the book: the source notebook with
solutions, hidden tests and mark schemes removed, and outputs cleared.

It uses nbgrader's own preprocessors, so the page in the book is what
``nbgrader generate_assignment`` hands out (without the gradebook steps).
"""

from __future__ import annotations

from pathlib import Path

import nbformat


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
