"""Synthetic submissions for benchmarks and tests: from a released assignment, the
perfect one (release + the source's solutions), the blank one (the release), partly
wrong ones (some answers replaced by code that runs but is wrong) and looping ones."""

from __future__ import annotations

import json
import random
from pathlib import Path


def grade_id(cell: dict) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _answers(source_nb: dict) -> dict[str, str]:
    out = {}
    for cell in source_nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution"):
            text = "".join(cell["source"])
            out[meta["grade_id"]] = "\n".join(ln for ln in text.splitlines()
                                              if "BEGIN SOLUTION" not in ln and "END SOLUTION" not in ln)
    return out


def perfect(source_nb: dict, release_nb: dict) -> dict:
    """The release with every answer cell filled in from the source's solution."""
    answers = _answers(source_nb)
    nb = json.loads(json.dumps(release_nb))
    for cell in nb["cells"]:
        if grade_id(cell) in answers:
            cell["source"] = answers[grade_id(cell)]
    return nb


def code_answers(nb: dict) -> list[str]:
    """grade_ids of the code answer cells."""
    return [grade_id(c) for c in nb["cells"]
            if c["cell_type"] == "code" and c.get("metadata", {}).get("nbgrader", {}).get("solution")]


def with_answer(nb: dict, gid: str, source: str) -> dict:
    """A copy of ``nb`` whose answer cell ``gid`` holds ``source`` after the original code,
    so names it defines are redefined (e.g. a function that returns a wrong value)."""
    nb = json.loads(json.dumps(nb))
    for cell in nb["cells"]:
        if grade_id(cell) == gid:
            cell["source"] = "".join(cell["source"]) + "\n" + source
    return nb


def _defined_names(source: str) -> list[str]:
    return [ln.split("(")[0][4:].strip() for ln in source.splitlines() if ln.startswith("def ")]


#: Kinds of submission, one cycle of ten: "mixed" has a looping answer in ten, "honest" none.
MIXES = {"mixed": ["perfect"] * 4 + ["blank"] * 2 + ["partly"] * 3 + ["loop"],
         "honest": ["perfect"] * 4 + ["blank"] * 2 + ["partly"] * 4}


def class_of(n: int, source_nb: dict, release_nb: dict, seed: int = 0, mix: str = "mixed") -> dict[str, dict]:
    """``n`` submissions: about 40% perfect, 20% blank, 30% partly wrong, 10% looping
    (``mix="honest"``: 40% partly wrong, no looping answer)."""
    rng = random.Random(seed)
    good = perfect(source_nb, release_nb)
    parts = code_answers(good)
    answers = _answers(source_nb)
    out = {}
    for i in range(n):
        kind = MIXES[mix][i % 10]
        nb = good if kind == "perfect" else release_nb
        if kind in ("partly", "loop"):
            nb = good
            targets = rng.sample(parts, k=rng.randint(1, 2)) if kind == "partly" else [parts[0]]
            for gid in targets:
                names = _defined_names(answers[gid])
                body = "    while True:\n        pass" if kind == "loop" else "    return 0"
                code = "\n".join(f"def {name}(*args, **kwargs):\n{body}" for name in names) or \
                    ("while True:\n    pass" if kind == "loop" else "pass")
                nb = with_answer(nb, gid, code)
        out[f"s{i:04d}-{kind}"] = nb
    return out


def write_class(course: Path, assignment: str, subs: dict[str, dict]) -> None:
    """Write each submission to ``submitted/<student>/<assignment>/<assignment>.ipynb``."""
    for student, nb in subs.items():
        folder = course / "submitted" / student / assignment
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{assignment}.ipynb").write_text(json.dumps(nb))
