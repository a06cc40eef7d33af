"""The book's editions: English (the source) and Russian (gettext catalogs), from one source.

- A page is in the Russian edition when its catalog exists: ``locales/ru/LC_MESSAGES/<docname>.po``
  (``gettext_compact = False``: one catalog per page, named like the page). Adding a page to the
  Russian edition is translating its catalog: ``coursekit translations add chapters/01-.../page``
  writes it from the English text, a translator fills it in, the next ``make book`` builds it.
- ``coursekit translations update`` re-extracts the English messages of those pages
  (``sphinx-build -b gettext``) and merges them into their catalogs (sphinx-intl): an English
  sentence that changed becomes a *fuzzy* entry, a new one an untranslated entry.
- ``coursekit book-ru`` builds the Russian edition into ``_build/html/ru/`` (after the English
  one, ``make book``): it refuses to build, naming each entry, while a catalog of the edition has
  a fuzzy or untranslated entry (Sphinx would silently show English there). Executed outputs come
  from the English build's execution cache (``_build/.jupyter_cache``): nothing is executed
  twice; numbers, charts and alt texts are translated at render time (``_ext/book_i18n.py``).
- The catalogs are committed as ``.po``; their ``.mo`` are compiled into ``_build/locales``.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import yaml

LANG = "ru"
REPO = Path(__file__).resolve().parents[2]
#: Pages every edition needs even if nothing else links to them: the bibliography (citations resolve there).
ALWAYS = ("references",)


def catalog_dir(root: Path = REPO) -> Path:
    return root / "locales" / LANG / "LC_MESSAGES"


def translated_pages(root: Path = REPO) -> list[str]:
    """Docnames of the Russian edition: every page with a catalog, in no particular order."""
    base = catalog_dir(root)
    return sorted(p.relative_to(base).with_suffix("").as_posix() for p in base.rglob("*.po"))


def _keep(entry: dict, pages: set[str]) -> dict | None:
    """A _toc.yml entry (file with sections) restricted to ``pages``."""
    sections = [k for k in (_keep(s, pages) for s in entry.get("sections", [])) if k]
    if entry.get("file") in pages:
        return {**entry, "sections": sections} if sections else {k: v for k, v in entry.items() if k != "sections"}
    return None


def edition_toc(root: Path = REPO, pages: list[str] | None = None) -> dict:
    """The English table of contents with only the pages of the Russian edition (same order and parts)."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    keep = set(pages if pages is not None else translated_pages(root))
    if toc["root"] not in keep:
        raise SystemExit(f"the Russian edition needs its front page {toc['root']!r} translated "
                         f"({catalog_dir(root)}/{toc['root']}.po)")
    parts = []
    for part in toc.get("parts", []):
        chapters = [k for k in (_keep(c, keep) for c in part.get("chapters", [])) if k]
        if chapters:
            parts.append({**part, "chapters": chapters})
    return {**toc, "parts": parts}


def _config(root: Path, extra: dict) -> dict:
    over = {"latex_individualpages": False, "gettext_compact": False,
            "nb_execution_cache_path": str(root / "_build" / ".jupyter_cache")}
    over.update(extra)
    return over


def _sphinx(root: Path, outdir: Path, builder: str, doctrees: Path, overrides: dict, strict: bool = True,
            quiet: bool = False) -> None:
    """One Sphinx build of the book as ``jupyter-book build`` runs it, with our overrides.

    The build runs in this process; what the book's extensions set in it (``_ext`` on ``sys.path``,
    ``COURSEKIT_BOOK_BUILD`` in the environment, which changes how charts render) is undone after it."""
    from jupyter_book.sphinx import build_sphinx

    saved_env, saved_path = dict(os.environ), list(sys.path)
    sys.path.insert(0, str(root / "_ext"))
    try:
        result = build_sphinx(str(root), str(outdir), noconfig=True, path_config=str(root / "_config.yml"),
                              confoverrides=_config(root, overrides), doctreedir=str(doctrees), builder=builder,
                              warningiserror=strict, keep_going=True, quiet=quiet, really_quiet=quiet)
    finally:
        os.environ.clear()
        os.environ.update(saved_env)
        sys.path[:] = saved_path
    if result:
        raise SystemExit(f"sphinx-build -b {builder} failed (exit {result})")


def extract(root: Path = REPO, out: Path | None = None, pages: list[str] | None = None) -> Path:
    """``sphinx-build -b gettext`` over ``pages`` (default: the Russian edition's): one .pot per page."""
    pages = pages if pages is not None else translated_pages(root)
    out = out or root / "_build" / "gettext"
    work = Path(tempfile.mkdtemp(prefix="gettext-toc-"))
    toc = work / "_toc.yml"
    toc.write_text(yaml.safe_dump(edition_toc(root, [*pages, *ALWAYS]), sort_keys=False), encoding="utf-8")
    # the messages are the source's words; executed outputs come from the cache (a figure's caption is
    # only there once its glued chart is), warnings are the English build's business
    _sphinx(root, out, "gettext", work / "doctrees", {"external_toc_path": str(toc)}, strict=False, quiet=True)
    shutil.rmtree(work, ignore_errors=True)
    return out


def update(root: Path = REPO, add: list[str] = ()) -> dict:
    """Merge the English text into the catalogs (new: untranslated, changed: fuzzy); ``add`` starts new ones."""
    from sphinx_intl import basic

    pages = sorted({*translated_pages(root), *add, *ALWAYS})
    pot = extract(root, root / "_build" / "gettext", pages)
    keep = Path(tempfile.mkdtemp(prefix="pot-"))
    for page in pages:  # only the edition's pages: sphinx-intl would start a catalog for every .pot
        src = pot / f"{page}.pot"
        if src.exists():
            (keep / src.relative_to(pot)).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, keep / src.relative_to(pot))
    status = basic.update(str(root / "locales"), str(keep), (LANG,), jobs=1)
    shutil.rmtree(keep, ignore_errors=True)
    return status


def problems(root: Path = REPO) -> list[str]:
    """Every fuzzy or untranslated entry of the edition's catalogs, as 'file:line: what'."""
    from babel.messages.pofile import read_po

    found = []
    for page in translated_pages(root):
        path = catalog_dir(root) / f"{page}.po"
        with path.open("rb") as f:
            catalog = read_po(f, abort_invalid=True)
        for message in catalog:
            if not message.id:
                continue
            where = f"{path.relative_to(root)}:{message.lineno}"
            if message.fuzzy:
                found.append(f"{where}: fuzzy (the English changed; check the translation, then drop '#, fuzzy'): "
                             f"{str(message.id)[:70]!r}")
            elif not message.string:
                found.append(f"{where}: not translated: {str(message.id)[:70]!r}")
    return found


def compile_catalogs(root: Path = REPO, dest: Path | None = None) -> Path:
    """Copy the catalogs into ``_build/locales`` (Sphinx compiles each .mo there when its .po is newer)."""
    dest = dest or root / "_build" / "locales"
    for po in (root / "locales").rglob("*.po"):
        target = dest / po.relative_to(root / "locales")
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.read_bytes() != po.read_bytes():
            shutil.copyfile(po, target)
    return dest


def _build(root: Path, work: Path, pages: list[str], strict: bool, locales: Path) -> Path:
    """Sphinx's html build of ``pages`` in Russian, in ``work`` (its own toc, doctrees and html)."""
    toc = work / "_toc.yml"
    toc.parent.mkdir(parents=True, exist_ok=True)
    toc.write_text(yaml.safe_dump(edition_toc(root, pages), sort_keys=False), encoding="utf-8")
    built = work / "html"
    _sphinx(root, built, "html", work / ".doctrees", {
        "language": LANG, "locale_dirs": [str(locales), str(locales / "theme")], "external_toc_path": str(toc),
        "html_search_language": LANG, "html_title": "Монитор Центральной Азии: курс анализа данных",
        "author": "Команда курса «Монитор Центральной Азии»",
        "nb_code_prompt_show": "Показать код", "nb_code_prompt_hide": "Скрыть код",
        # "see fig. 6.1" mid-sentence is lower case in Russian; a caption's own number is capitalised by CSS
        "numfig_format": {"figure": "рис. %s", "table": "табл. %s", "code-block": "листинг %s", "section": "раздел %s"},
    }, strict=strict)
    return built


def build_ru(root: Path = REPO, strict: bool = True) -> Path:
    """The Russian edition, into ``_build/html/ru`` (built in ``_build/ru/html``, then copied)."""
    started = time.monotonic()
    pages = translated_pages(root)
    print(f">> Russian edition: {len(pages)} translated pages ({', '.join(pages)})", flush=True)
    bad = problems(root)
    if bad:
        raise SystemExit("the Russian edition is out of date with the English text "
                         "(coursekit translations update, then translate):\n  " + "\n  ".join(bad))
    built = _build(root, root / "_build" / "ru", pages, strict, compile_catalogs(root))
    dest = root / "_build" / "html" / LANG
    shutil.copytree(built, dest, dirs_exist_ok=True)
    print(f">> Russian edition built in {time.monotonic() - started:.0f} s: {dest}/index.html", flush=True)
    return dest


#: Four Latin words in a row: an English sentence (or its remains) in Russian text.
ENGLISH_RUN = re.compile(r"\b[A-Za-z][a-z'’]+(?:[ ,;:]+[A-Za-z][a-z'’]+){3,}\b")
CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def prose(html: str, root: Path = REPO) -> str:
    """What a reader reads as prose on a built page: no code, outputs, charts, English-marked text or citations."""
    from bs4 import BeautifulSoup

    from coursekit import i18n

    soup = BeautifulSoup(html, "html.parser")
    article = soup.select_one("article.bd-article") or soup
    for junk in article.select("script, style, pre, code, .cell_input, .cell_output, .vega-embed, [lang=en], "
                               "table, .bibliography, .citation, span.pasted-text, .headerlink, .caption-number"):
        junk.decompose()
    for cite in article.select("a[href*='references']"):  # author-year citations ([Sobko, 2026])
        cite.decompose()
    text = " ".join(article.get_text(" ").split())
    for russian in i18n.glossary(root).values():  # names kept in their own language (Platform for Peace and Humanity)
        if not CYRILLIC.search(russian):
            text = text.replace(russian, "")
    return text


def english_left(html: str, root: Path = REPO) -> list[str]:
    """Runs of English words in a Russian page's prose (outside {en} quotations, code, names and citations)."""
    return [m.group(0) for m in ENGLISH_RUN.finditer(prose(html, root))]


def glued_numbers(html: str) -> list[str]:
    """The glued numbers a built page shows (myst-nb's ``span.pasted-text``), sorted."""
    from bs4 import BeautifulSoup

    return sorted(s.get_text() for s in BeautifulSoup(html, "html.parser").select("span.pasted-text"))


def glued_numbers_lost(english: Path, russian: Path, root: Path = REPO) -> list[str]:
    """Glued numbers of the English page that the Russian page does not show (Russian-formatted)."""
    from collections import Counter

    from coursekit import i18n

    if not english.exists() or not russian.exists():
        return [f"(no built page to compare: {english if not english.exists() else russian})"]
    docname = english.relative_to(root / "_build" / "html").with_suffix("").as_posix()
    with i18n.for_chapter(i18n.chapter_of(docname)):
        wanted = Counter(i18n.pasted(n, root, []) for n in glued_numbers(english.read_text(encoding="utf-8")))
    wanted.subtract(glued_numbers(russian.read_text(encoding="utf-8")))
    return sorted(+wanted)


def preview(page: str, root: Path = REPO) -> Path:
    """A translator's check of one page: its catalog, its charts' strings and its prose, in a private build.

    Builds the page (with the front page and the bibliography) in Russian into ``_build/preview/<page>``
    without stopping at the first problem, then lists every untranslated or fuzzy entry of its catalog,
    every string its charts and tables show that has no Russian, and every run of English left in its prose.
    Needs the English build's executions (``make book`` once)."""
    import contextlib
    import io

    if page not in translated_pages(root):
        raise SystemExit(f"{page!r} has no Russian catalog ({catalog_dir(root)}/{page}.po); start one with "
                         f"coursekit translations update --add {page}")
    work = root / "_build" / "preview" / page.replace("/", "_")
    if work.exists():
        shutil.rmtree(work)
    pages = sorted({"intro", page, *ALWAYS})
    entries = [p for p in problems(root) if f"/{page}.po:" in p]
    stderr = io.StringIO()  # Sphinx writes its warnings to sys.stderr as the build starts
    with contextlib.redirect_stderr(stderr):
        built = _build(root, work, pages, False, compile_catalogs(root, work / "locales"))
    plain = re.sub(r"\x1b\[[0-9;]*m", "", stderr.getvalue())
    warnings = [line.split(": WARNING: ", 1)[-1].replace(": add it to locales/ru/charts/<chapter>.yml (en: / ru:)", "")
                for line in plain.splitlines()  # chart strings without Russian, markup a message broke
                if "WARNING" in line and (page in line or "no Russian for" in line)]
    html = built / f"{page}.html"
    english = english_left(html.read_text(encoding="utf-8"), root) if html.exists() else ["(page not built)"]
    lost = glued_numbers_lost(root / "_build" / "html" / f"{page}.html", html, root)
    print(f"\n>> {page}: {len(entries)} catalog entries to do, {len(set(warnings))} warnings "
          f"(chart strings without Russian, broken markup), {len(english)} runs of English in the prose, "
          f"{len(lost)} glued numbers of the English page missing")
    for line in entries:
        print("  catalog:", line)
    for line in dict.fromkeys(warnings):
        print("  warning:", line)
    for line in english:
        print("  English:", line)
    for line in lost:
        print("  glued number missing (keep every {glue:text} role):", line)
    print(f">> the page: {html}")
    return html


def main(argv: list[str] | None = None) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="coursekit translations", description=__doc__.split("\n\n")[0],
                                     epilog="See CONTRIBUTING.md, \"The Russian edition\".")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("build", help="build the Russian edition into _build/html/ru (after the English one)")
    up = sub.add_parser("update", help="merge the English text into the catalogs (changed entries turn fuzzy)")
    up.add_argument("--add", nargs="*", default=[], help="docnames to start a catalog for")
    sub.add_parser("check", help="list fuzzy and untranslated entries (exit 1 if any)")
    pv = sub.add_parser("preview", help="build one page in Russian and list what is left to translate")
    pv.add_argument("page", help="the page's docname, e.g. chapters/06-us-visa-bonds/visa-bonds")
    parser.add_argument("--root", type=Path, default=Path.cwd() if (Path.cwd() / "_config.yml").exists() else REPO,
                        help="the book's folder (default: the current one if it holds _config.yml)")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    if args.cmd == "build":
        build_ru(root)
    elif args.cmd == "update":
        print(update(root, add=args.add))
    elif args.cmd == "preview":
        preview(args.page, root)
    elif args.cmd == "check":
        bad = problems(root)
        print("\n".join(bad) or "every entry translated, none fuzzy")
        return 1 if bad else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
