"""Instructor notes (issue 18): every chapter has a notes page under "For instructors", and its list of the
mistakes students make is generated: each listed mistake really fails the named test. One kernel per assignment
(about 5 s each), run two at a time."""

import re
from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml

from coursekit import mistakes

from conftest import REPO

EXERCISES = REPO / "exercises"
FILES = sorted((EXERCISES / "mistakes").glob("*.yml"))
TOC = yaml.safe_load((REPO / "_toc.yml").read_text())


def toc_files(caption: str) -> list[str]:
    part = next(p for p in TOC["parts"] if p["caption"] == caption)
    return [c["file"] for c in part["chapters"]]


def notes_pages() -> dict[str, str]:
    """chapter number -> notes page (path without suffix) for the notes pages in the toc."""
    return {re.search(r"notes-ch(\d\d)", f).group(1): f for f in toc_files("For instructors") if "notes-ch" in f}


def test_every_chapter_has_a_notes_page_with_its_generated_mistakes():
    chapters = [re.search(r"chapters/(\d\d)-", f).group(1) for f in toc_files("Chapters")]
    pages = notes_pages()
    assert sorted(pages) == sorted(chapters), "a chapter in the toc without instructor notes (instructors/notes-chNN.md)"
    assignments = {f.stem[2:4]: f.stem for f in FILES}
    for number, page in pages.items():
        text = (REPO / f"{page}.md").read_text()
        for heading in ("## Learning objectives", "## A 90-minute session", "## Problems", "## Discussion questions",
                        "## Mistakes students make"):
            assert heading in text, f"{page}: missing {heading!r}"
        assert number in assignments, f"chapter {number} has no exercises/mistakes/*.yml"
        assert f"mistakes/{assignments[number]}.md" in text, f"{page} does not include its generated mistakes"


@pytest.mark.slow
def test_generated_mistakes_are_current_and_each_fails_a_visible_test_naming_its_cause():
    """Issue 24: a visible test never says `ok` to a plausible wrong answer. Each listed mistake fails a
    visible check whose message (first line and hint) contains the mistake's `cause`, unless it is marked
    `hidden_only` with a reason (then a hidden test must catch it)."""
    def one(path):
        spec = mistakes.load(path)
        return spec, mistakes.run(EXERCISES, path)

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(one, FILES))
    problems = []
    for spec, outcomes in results:
        name = spec["assignment"]
        assert len(outcomes) >= 12, f"{name}: list at least two plausible mistakes per part"
        for o in outcomes:
            where = f"{name} part {o.part}: {o.mistake[:70]!r}"
            if o.hidden_only:
                if o.caught_by != "hidden":
                    problems.append(f"{where} is marked hidden_only but is caught by {o.caught_by}")
            elif o.caught_by != "visible":
                problems.append(f"{where} is caught by {o.caught_by}, not by the visible test of {o.test}")
            elif not o.cause:
                problems.append(f"{where}: no `cause` (words the visible message must contain)")
            elif o.cause.lower() not in o.detail.lower():
                problems.append(f"{where}: the visible message does not name the cause {o.cause!r}: {o.detail!r}")
        committed = (REPO / "instructors" / "mistakes" / f"{name}.md").read_text()
        if committed != mistakes.markdown(name, outcomes):
            problems.append(f"instructors/mistakes/{name}.md is stale: run `coursekit mistakes {name}`")
    assert not problems, "\n".join(problems)


def test_mistake_lists_show_no_wrong_code_or_hidden_expected_values():
    for path in FILES:
        spec = mistakes.load(path)
        text = (REPO / "instructors" / "mistakes" / f"{spec['assignment']}.md").read_text()
        for item in spec["mistakes"]:
            for line in item["code"].splitlines():
                if len(line.strip()) >= 25:
                    assert line.strip() not in text, f"{path.name}: wrong code reached the notes: {line.strip()!r}"
        for line in text.splitlines():
            if "a hidden test" in line and ": expected " in line:
                assert re.search(r": expected (True|'\w+ raised'|the right value \(hidden\)), got ", line), line
