"""A chapter as JupyterLab shows it: the book's MyST markup in a form jupyterlab-myst renders.

The book (Sphinx, myst-nb) and JupyterLab (jupyterlab-myst, which speaks mystmd) read the same
chapter, ``chapters/NN-slug/slug.md``, but mystmd knows neither myst-nb's glue nor
sphinxcontrib-bibtex. The chapter file keeps the book's markup; the course's Jupyter server
(:class:`CourseContentsManager`, set by ``coursekit lab-settings``) hands JupyterLab a *view* of it
and turns the view back into the file's markup on save:

===================================  ==============================================================
in the file (the book)               in JupyterLab
===================================  ==============================================================
``{glue:text}`name:fmt```            ``{eval}`book.glued("name:fmt")```: an inline expression that
                                     jupyterlab-myst evaluates once the cells above have run; it
                                     formats the glued value exactly as myst-nb does
````` ```{glue} tbl-x ``` `````      ``{eval}`book.glued_output("tbl-x")```: the glued table
``{cite}`key1,key2```                ``{abbr}`[Author, 2026, ...] (key1,key2)```: the book's
                                     author-year text (from the book's .bib files), keys on hover
````` ```{glue:figure} fig-x `````   ````` ```{figure} ````` numbered like the book (Fig. 6.1)
                                     with its caption; the chart is the output of the cell above
===================================  ==============================================================

Admonitions, dropdowns and ``{numref}`` are MyST that jupyterlab-myst renders as it is.

A cell is shown converted only if converting it back gives its text byte for byte, so an unedited
chapter always saves as it was. Saving also leaves the file's bytes alone whenever the notebook
Lab sends back says the same thing as the file (jupytext's canonical text of both is equal):
JupyterLab's runtime metadata (the kernel's display name, ``language_info``, jupyterlab-myst's
``user_expressions``) never reaches the file, and an unedited chapter is not rewritten in
jupytext's own layout. The kernel name and language information are put into the view on load,
so JupyterLab finds nothing to update when the kernel starts and the chapter does not open as
modified.
"""

from __future__ import annotations

import copy
import re
from functools import lru_cache
from pathlib import Path

# --- the markup --------------------------------------------------------------------------------

_KEY = r"[^\s`\"\\]+"
FIGURE = re.compile(r"^(?P<fence>`{3,}|:{3,})\{glue:figure\} (?P<key>" + _KEY + r")$", re.M)
FIGURE_LAB = re.compile(r"^(?P<fence>`{3,}|:{3,})\{figure\}\n:class: coursekit-glued (?P<key>" + _KEY
                        + r")(?:\n:enumerator: [0-9.]+)?$", re.M)
BLOCK = re.compile(r"^```\{glue\} (?P<key>" + _KEY + r")\n```$", re.M)
BLOCK_LAB = re.compile(r'^\{eval\}`book\.glued_output\("(?P<key>' + _KEY + r')"\)`$', re.M)
TEXT = re.compile(r"\{glue:text\}`(?P<spec>[^`\"\\\n]+)`")
TEXT_LAB = re.compile(r'\{eval\}`book\.glued\("(?P<spec>[^`"\\\n]+)"\)`')
CITE = re.compile(r"\{cite\}`(?P<keys>[^`()\n]+)`")
CITE_LAB = re.compile(r"\{abbr\}`(?P<text>[^`\n]*?) \((?P<keys>[^`()\n]+)\)`")


def to_lab(source: str, cite=None, chapter: int | None = None, figures: list[int] | None = None) -> str:
    """One markdown cell of a chapter as JupyterLab shows it.

    ``cite(keys)`` gives the author-year text of a ``{cite}`` role (None leaves the role as it
    is); ``figures`` counts the chapter's figures so far (a one-item list, updated in place).
    """
    count = figures if figures is not None else [0]

    def figure(m):
        count[0] += 1
        number = f"\n:enumerator: {chapter}.{count[0]}" if chapter is not None else ""
        return f"{m['fence']}{{figure}}\n:class: coursekit-glued {m['key']}{number}"

    def citation(m):
        text = cite(m["keys"]) if cite else None
        if not text or "`" in text or text.endswith(")"):
            return m[0]
        return f"{{abbr}}`{text} ({m['keys']})`"

    out = FIGURE.sub(figure, source)
    out = BLOCK.sub(lambda m: f'{{eval}}`book.glued_output("{m["key"]}")`', out)
    out = TEXT.sub(lambda m: f'{{eval}}`book.glued("{m["spec"]}")`', out)
    return CITE.sub(citation, out)


def from_lab(source: str, cite=None) -> str:
    """A markdown cell as JupyterLab sends it back, in the chapter file's markup."""

    def citation(m):
        return f"{{cite}}`{m['keys']}`" if cite and cite(m["keys"]) == m["text"] else m[0]

    out = CITE_LAB.sub(citation, source)
    out = TEXT_LAB.sub(lambda m: f"{{glue:text}}`{m['spec']}`", out)
    out = BLOCK_LAB.sub(lambda m: f"```{{glue}} {m['key']}\n```", out)
    return FIGURE_LAB.sub(lambda m: f"{m['fence']}{{glue:figure}} {m['key']}", out)


def chapter_number(path: str | Path) -> int | None:
    """6 for ``chapters/06-us-visa-bonds/visa-bonds.md`` (the book numbers figures 6.1, 6.2 ...)."""
    m = re.match(r"(\d+)-", Path(path).parent.name)
    return int(m[1]) if m else None


def notebook_to_lab(nb: dict, path: str | Path, cite=None) -> dict:
    """The notebook (nbformat dict) with its markdown cells as JupyterLab shows them, in place.

    A cell is converted only when converting back restores it exactly."""
    figures = [0]
    chapter = chapter_number(path)
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        source = _text(cell["source"])
        before = figures[0]
        lab = to_lab(source, cite, chapter, figures)
        if from_lab(lab, cite) == source:
            cell["source"] = lab
        else:
            figures[0] = before + len(FIGURE.findall(source))
    return nb


def notebook_from_lab(nb: dict, cite=None) -> dict:
    """The notebook JupyterLab saves, back in the chapter's markup, in place; drops the
    expression results jupyterlab-myst keeps in markdown cells' metadata."""
    for cell in nb.get("cells", []):
        if cell.get("cell_type") != "markdown":
            continue
        cell["source"] = from_lab(_text(cell["source"]), cite)
        cell.get("metadata", {}).pop("user_expressions", None)
    return nb


def _text(source) -> str:
    return "".join(source) if isinstance(source, list) else source


# --- citations ---------------------------------------------------------------------------------

def find_book_root(directory: Path, stop: Path | None = None) -> Path | None:
    """The nearest folder at or above ``directory`` (not above ``stop``) with the book's _config.yml."""
    directory = directory.resolve()
    stop = stop.resolve() if stop else None
    for d in (directory, *directory.parents):
        if (d / "_config.yml").is_file():
            return d
        if stop is not None and d == stop:
            break
    return None


def bib_files(book_root: Path) -> list[Path]:
    """The .bib files the book cites from (``bibtex_bibfiles`` in _config.yml)."""
    import yaml

    config = yaml.safe_load((book_root / "_config.yml").read_text(encoding="utf-8")) or {}
    return [book_root / name for name in config.get("bibtex_bibfiles") or []]


class Citations:
    """The book's author-year citation text, ``[Sobko, 2026]``, from its .bib files.

    Mirrors what the book shows (sphinxcontrib-bibtex, ``author_year`` style with pybtex's
    ``plain`` sorting): one author's last name, two joined by "and", more as "First et al.";
    an organisation as written; "n.d." with no year; several keys sorted as the bibliography
    sorts them. Unknown keys give None (the role is then left as it is).
    """

    def __init__(self, files: list[Path]):
        from pybtex.database import parse_file
        from pybtex.plugin import find_plugin

        self.entries = {}
        for f in files:
            if f.is_file():
                self.entries.update(parse_file(str(f)).entries)
        self._style = find_plugin("pybtex.style.formatting", "plain")()
        self._labels: dict[str, str] = {}

    @staticmethod
    def _latex(text: str) -> str:
        from pybtex.backends.plaintext import Backend
        from pybtex.richtext import Text

        return Text.from_latex(text).render(Backend())  # render_as() looks its backend up on every call

    def label(self, entry) -> str:
        if entry.key not in self._labels:
            self._labels[entry.key] = self._label(entry)
        return self._labels[entry.key]

    def _label(self, entry) -> str:
        people = entry.persons.get("author") or entry.persons.get("editor")
        if people:
            # the parts of a name are tied with no-break spaces, as the book prints them ("Van Elsuwege")
            names = [self._latex("\u00a0".join(p.prelast_names + p.last_names)) for p in people]
            who = names[0] if len(names) == 1 else " and ".join(names) if len(names) == 2 else f"{names[0]} et al."
        else:
            who = self._latex(entry.fields.get("title", ""))
        return f"{who}, {entry.fields.get('year') or 'n.d.'}"

    def __call__(self, keys: str) -> str | None:
        try:
            entries = [self.entries[k.strip()] for k in keys.split(",")]
        except KeyError:
            return None
        return "[" + ", ".join(self.label(e) for e in self._style.sort(entries)) + "]"


@lru_cache(maxsize=8)
def _citations(files: tuple[tuple[str, float], ...]) -> Citations:
    return Citations([Path(f) for f, _ in files])


def citations_for(path: Path, stop: Path | None = None) -> Citations | None:
    """The citations of the book that holds the notebook at ``path`` (None if there is no book)."""
    root = find_book_root(path.parent, stop)
    if root is None:
        return None
    files = tuple((str(f), f.stat().st_mtime) for f in bib_files(root) if f.is_file())
    return _citations(files) if files else None


# --- the Jupyter server side -------------------------------------------------------------------

def _runtime_kernel_metadata(server, kernelspec: dict) -> dict:
    """``kernelspec`` and ``language_info`` as JupyterLab will set them once the kernel starts."""
    out = {}
    name = kernelspec.get("name")
    ksm = getattr(server, "kernel_spec_manager", None)
    if not name or ksm is None:
        return out
    try:  # best effort: without it the chapter still opens, only marked modified once the kernel starts
        spec = ksm.get_kernel_spec(name)
        if getattr(spec, "display_name", None):
            out["kernelspec"] = {"name": name, "display_name": spec.display_name, "language": spec.language}
        if spec.language == "python" and "ipykernel" in " ".join(spec.argv):
            from ipykernel.ipkernel import IPythonKernel

            out["language_info"] = copy.deepcopy(IPythonKernel.language_info)
    except Exception:
        return {}
    return out


def _make_contents_manager():
    import jupytext
    import nbformat
    from jupytext import AsyncTextFileContentsManager
    from traitlets import default

    class CourseContentsManager(AsyncTextFileContentsManager):
        """jupytext's contents manager, showing text notebooks (the chapters) through the Lab view."""

        # an edited chapter saved from Lab carries neither jupytext's version stamps nor Lab's
        # expression results (a jupytext.toml next to the notebook still takes precedence)
        @default("notebook_metadata_filter")
        def _default_notebook_metadata_filter(self):
            return "-jupytext.text_representation.jupytext_version,-jupytext.text_representation.format_version"

        @default("cell_metadata_filter")
        def _default_cell_metadata_filter(self):
            return "-user_expressions"

        def _is_text_notebook(self, path: str) -> bool:
            return Path(path).suffix.lower() in (".md", ".markdown")

        def _citations(self, path: str):
            try:
                return citations_for(Path(self._get_os_path(path)), Path(self.root_dir))
            except Exception as err:  # a broken .bib must not keep a chapter from opening
                self.log.warning("coursekit: no citations for %s: %s", path, err)
                return None

        async def get(self, path, content=True, type=None, format=None, **kwargs):
            model = await super().get(path, content=content, type=type, format=format, **kwargs)
            if content and model.get("type") == "notebook" and self._is_text_notebook(path):
                nb = model["content"]
                notebook_to_lab(nb, path, self._citations(path))
                runtime = _runtime_kernel_metadata(self.parent, nb.get("metadata", {}).get("kernelspec", {}))
                nb.setdefault("metadata", {}).update(runtime)
            return model

        async def save(self, model, path=""):
            path = path.strip("/")
            if model.get("type") != "notebook" or not model.get("content") or not self._is_text_notebook(path):
                return await super().save(model, path)
            model = dict(model, content=copy.deepcopy(model["content"]))
            nb = notebook_from_lab(model["content"], self._citations(path))
            os_path = Path(self._get_os_path(path))
            if os_path.is_file():
                original = os_path.read_text(encoding="utf-8")
                fmt = _text_format(original, os_path)
                before = jupytext.reads(original, fmt=fmt)
                meta = nb.setdefault("metadata", {})
                meta.pop("language_info", None)
                if meta.get("kernelspec", {}).get("name") == before.metadata.get("kernelspec", {}).get("name"):
                    meta["kernelspec"] = before.metadata["kernelspec"]
                if jupytext.writes(nbformat.from_dict(nb), fmt=fmt) == jupytext.writes(before, fmt=fmt):
                    # nothing changed: the file keeps its bytes (not jupytext's layout of them)
                    self.log.info("coursekit: %s is unchanged; its text is kept as it is", path)
                    saved = await super().save({"type": "file", "format": "text", "content": original}, path)
                    saved["type"] = "notebook"
                    return saved
            return await super().save(model, path)

    return CourseContentsManager


def _text_format(text: str, path: Path) -> dict:
    from jupytext.formats import guess_format

    name, _ = guess_format(text, path.suffix)
    return {"extension": path.suffix, "format_name": name}


def __getattr__(name):  # the class is built on first use: importing coursekit needs no Jupyter server
    if name == "CourseContentsManager":
        cls = _make_contents_manager()
        globals()[name] = cls
        return cls
    raise AttributeError(name)
