"""The book builds with -W, lists the assignments in their student version only,
and no solution or hidden test reaches the built HTML."""

import html
import re
from pathlib import Path

import nbformat
import pytest

from coursekit.student import student_version

REPO = Path(__file__).resolve().parents[1]
SOURCES = sorted(REPO.glob("exercises/source/*/*.ipynb"))
BLOCKS = re.compile(r"### BEGIN (SOLUTION|HIDDEN TESTS)(.*?)### END \1", re.S)


def secret_lines(source: Path) -> set[str]:
    """Distinctive lines of the solutions and hidden tests of a source notebook."""
    nb = nbformat.read(source, as_version=4)
    student = "\n".join(cell.source for cell in student_version(source).cells)  # what students see anyway
    chapters = "".join(p.read_text() for p in REPO.glob("chapters/*/*.md"))
    lines = set()
    for cell in nb.cells:
        for _, body in BLOCKS.findall(cell.source):
            for line in body.splitlines():
                line = line.strip()
                if len(line) >= 20 and line not in student and line not in chapters:
                    lines.add(line)
    return lines


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_student_versions_in_the_book_are_up_to_date(source):
    committed = REPO / "assignments" / source.name
    assert committed.exists(), "run `coursekit student-versions` (make book does it)"
    fresh = student_version(source)
    assert [c.source for c in nbformat.read(committed, as_version=4).cells] == [c.source for c in fresh.cells], \
        "assignments/ is stale: run `coursekit student-versions`"


@pytest.mark.slow
def test_book_builds_without_warnings(built_book):
    log = (built_book.parents[1] / "build.log").read_text()
    assert "build succeeded" in log
    assert not re.search(r"^WARNING|: WARNING:", log, re.M), "Sphinx warnings in the build"
    for page in ["intro.html", "references.html", "chapters/06-us-visa-bonds/visa-bonds.html", "assignments/ch06_visa_bonds.html"]:
        assert (built_book / page).exists(), page


@pytest.mark.slow
@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_no_solution_or_hidden_test_in_built_html(built_book, source):
    secrets = secret_lines(source)
    assert len(secrets) >= 10, "too few distinctive solution lines to make this test meaningful"
    for page in built_book.rglob("*.html"):
        text = html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))
        assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text, page
        leaked = [s for s in secrets if s in text]
        assert not leaked, f"{page.relative_to(built_book)} shows solution/hidden-test lines: {leaked[:3]}"
    # the downloadable notebooks too
    for nb in built_book.rglob("*.ipynb"):
        assert "BEGIN SOLUTION" not in nb.read_text(encoding="utf-8")


@pytest.mark.slow
def test_vega_ships_with_the_book(built_book):
    bundle = (built_book / "_static" / "vega-offline.js").read_text()
    assert len(bundle) > 500_000 and "VEGA_DEBUG" in bundle
    page = (built_book / "chapters/06-us-visa-bonds/visa-bonds.html").read_text()
    assert "vega-offline.js" in page and page.count("vega-embed") >= 5


def test_assignment_index_lists_every_assignment_with_its_points():
    """assignments/index.md: one row per source notebook, with its test cells and points as graded."""
    index = (REPO / "assignments" / "index.md").read_text()
    for source in SOURCES:
        cells = [c.metadata.get("nbgrader", {}) for c in nbformat.read(source, as_version=4).cells]
        auto = [m for m in cells if m.get("grade") and not m.get("solution")]
        manual = [m for m in cells if m.get("grade") and m.get("solution")]
        row = next((line for line in index.splitlines() if f"{{doc}}`{source.stem}`" in line), None)
        assert row, f"{source.stem} is missing from assignments/index.md"
        expected = (f"| {len(auto)} ({sum(m['points'] for m in auto):g} points) "
                    f"| {len(manual)} ({sum(m['points'] for m in manual):g} points) |")
        assert row.endswith(expected), f"{source.stem}: {row!r} should end with {expected!r}"


@pytest.mark.slow
def test_data_catalogue_lists_every_table_with_a_working_csv(built_book):
    """Issue 10: data-catalogue.html has a section for every resource of data/datapackage.json (its
    name and title), and its download link is a CSV of the built book whose header is the schema's
    fields, with the row count the page states."""
    import csv
    import json

    from bs4 import BeautifulSoup

    package = json.loads((REPO / "data" / "datapackage.json").read_text(encoding="utf-8"))
    page = built_book / "data-catalogue.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    sections = {}
    for h2 in soup.select("section > h2"):
        section = h2.parent
        code = section.find("code")
        if code is not None:
            sections[code.get_text(strip=True)] = section
    problems = []
    for resource in package["resources"]:
        name, fields = resource["name"], [f["name"] for f in resource["schema"]["fields"]]
        section = sections.get(name)
        if section is None:
            problems.append(f"{name}: no section in data-catalogue.html")
            continue
        title = section.h2.get_text(strip=True).rstrip("#").strip().replace("\u2019", "'")  # smart quotes
        if title != resource.get("title", name):
            problems.append(f"{name}: titled {title!r}, the package says {resource.get('title')!r}")
        links = [a["href"] for a in section.select("a.reference.download") if a["href"].endswith(".csv")]
        if len(links) != 1:
            problems.append(f"{name}: {len(links)} CSV download links")
            continue
        csv_path = (page.parent / links[0]).resolve()
        if not csv_path.is_file() or csv_path.name != Path(resource["path"]).name:
            problems.append(f"{name}: the link {links[0]} is not a file of the built book named {resource['path']}")
            continue
        with csv_path.open(newline="", encoding="utf-8") as f:
            rows = list(csv.reader(f))
        if rows[0] != fields:
            problems.append(f"{name}: the CSV's header {rows[0]} is not the schema's fields {fields}")
        stated = re.search(r"Rows\s*:\s*([\d,]+)", section.get_text(" ", strip=True))
        if not stated or int(stated.group(1).replace(",", "")) != len(rows) - 1:
            problems.append(f"{name}: the page states {stated and stated.group(1)} rows, the CSV has {len(rows) - 1}")
    extra = set(sections) - {r["name"] for r in package["resources"]}
    assert len(package["resources"]) >= 60
    assert not problems and not extra, "\n".join(problems + [f"{n}: in the catalogue, not in the package" for n in sorted(extra)])
