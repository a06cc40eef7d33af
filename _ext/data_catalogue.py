"""Sphinx extension: the data catalogue page, written from data/datapackage.json at build time.

The committed page (``data-catalogue.md``) holds a title and an introduction;
on ``source-read`` this extension appends one section per table of the data
package: title, description, rows, licence, sources, a download link for the
CSV and the fields with their types, units and constraints. Nothing is typed
twice, so the catalogue cannot drift from the data.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

PAGE = "data-catalogue"


def _cell(text) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def _constraints(field: dict) -> str:
    parts = []
    for key, value in field.get("constraints", {}).items():
        if key == "required":
            parts.append("required" if value else "optional")
        elif key == "enum":
            parts.append("one of: " + ", ".join(map(str, value)))
        else:
            parts.append(f"{key} {value}")
    return "; ".join(parts)


def _rows(csv_path: Path) -> int:
    with csv_path.open(newline="", encoding="utf-8") as f:
        return max(sum(1 for _ in csv.reader(f)) - 1, 0)


def table_section(resource: dict, data_dir: Path, licences: str) -> str:
    """The Markdown section of one table."""
    name = resource["name"]
    lines = [f"## {resource.get('title', name)}", "", f"`{name}`: {resource.get('description', '')}", ""]
    sources = "; ".join(s.get("title", s.get("path", "")) for s in resource.get("sources", [])) or "not given"
    lines += [
        f"- **Rows**: {_rows(data_dir / resource['path']):,}",
        f"- **Download**: {{download}}`{resource['path']} </data/{resource['path']}>`",
        f"- **Sources**: {sources}",
        f"- **Licence**: {licences}",
        "",
        "| Field | Type | Unit | Constraints | Description |",
        "|---|---|---|---|---|",
    ]
    for field in resource["schema"]["fields"]:
        title = field.get("title", "")
        label = f"`{field['name']}`" + (f" ({_cell(title)})" if title else "")
        lines.append(f"| {label} | {field.get('type', 'any')} | {_cell(field.get('unit', ''))} | "
                     f"{_cell(_constraints(field))} | {_cell(field.get('description', ''))} |")
    return "\n".join(lines) + "\n"


def catalogue(package_path: Path) -> str:
    """Every table of the data package, in the package's order."""
    package = json.loads(package_path.read_text(encoding="utf-8"))
    licences = ", ".join(f"[{lic.get('title', lic['name'])}]({lic['path']})" if lic.get("path") else lic["name"]
                         for lic in package.get("licenses", []))
    head = f"The course has {len(package['resources'])} tables.\n\n"
    return head + "\n".join(table_section(r, package_path.parent, licences) for r in package["resources"])


#: The Russian edition: the page's own text is translated through its catalog; the tables'
#: descriptions come from datapackage.json and are still English (marked lang="en", said so here).
RU_NOTE = ("\n:::{note}\nОписания таблиц ниже взяты из `data/datapackage.json` и пока даны на английском: "
           "это данные курса, их перевод ещё впереди.\n:::\n\n")


def _fill(app, docname, source) -> None:
    if docname != PAGE or app.builder.name == "gettext":  # the catalog holds the page's own text only
        return
    russian = (app.config.language or "en") == "ru"
    source[0] += "\n" + (RU_NOTE if russian else "") + catalogue(Path(app.srcdir) / "data" / "datapackage.json")


def _mark_english(app, doctree) -> None:
    """In the Russian edition, each table's section (English text from the data package) carries lang="en"."""
    if (app.config.language or "en") != "ru" or app.env.docname != PAGE:
        return
    from docutils import nodes

    for section in doctree.findall(nodes.section):
        if isinstance(section.parent, nodes.section):
            section["classes"].append("language-en")
    for para in doctree.findall(nodes.paragraph):  # "The course has N tables."
        if para.astext().startswith("The course has ") and "language-en" not in para["classes"]:
            para["classes"].append("language-en")


def setup(app):
    app.connect("source-read", _fill)
    app.connect("doctree-read", _mark_english)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
