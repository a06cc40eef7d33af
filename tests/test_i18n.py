"""The Russian edition (issue 26): catalogs complete and current, one glossary, numbers and charts in Russian.

Fast tests read the catalogs (``locales/ru``) and regenerate the English messages of the translated pages
in a temporary folder (``sphinx-build -b gettext``, nothing executed: about 5 s). Book tests read the
session's ``built_book`` (both editions; ``A11Y_BOOK`` points them at an existing build). The browser
tests of test_browser.py and test_a11y.py take every page under ``_build/html``, the Russian ones
(``_build/html/ru/``) included; ``test_russian_charts_draw_in_russian`` below opens the Russian chapter.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml
from babel.messages.pofile import read_po

from coursekit import edition, i18n

REPO = Path(__file__).resolve().parents[1]
PAGES = edition.translated_pages(REPO)
CHAPTERS = sorted((p for p in PAGES if p.startswith("chapters/")), key=lambda p: "06-us-visa-bonds" in p)
CYRILLIC, ENGLISH_RUN = edition.CYRILLIC, edition.ENGLISH_RUN


def _catalog(page: str):
    with (edition.catalog_dir(REPO) / f"{page}.po").open("rb") as f:
        return read_po(f)


def test_the_russian_edition_has_its_front_page_chapter_and_catalogue():
    assert {"intro", "chapters/06-us-visa-bonds/visa-bonds", "data-catalogue", "references"} <= set(PAGES)
    toc = edition.edition_toc(REPO)
    files = json.dumps(toc)
    assert toc["root"] == "intro" and "assignments/" not in files


def test_every_catalog_entry_is_translated_and_none_is_fuzzy():
    assert edition.problems(REPO) == []


def test_preview_of_a_page_without_a_catalog_says_how_to_start_one():
    with pytest.raises(SystemExit, match="has no Russian catalog.*update --add assignments/ch06_visa_bonds"):
        edition.preview("assignments/ch06_visa_bonds", REPO)


def test_a_fuzzy_or_empty_entry_is_reported(tmp_path):
    """The check the build runs (coursekit.edition.problems) names the file, line and entry."""
    page = tmp_path / "locales" / "ru" / "LC_MESSAGES" / "p.po"
    page.parent.mkdir(parents=True)
    page.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
                    '#, fuzzy\nmsgid "Old English"\nmsgstr "Старый перевод"\n\nmsgid "New English"\nmsgstr ""\n',
                    encoding="utf-8")
    found = edition.problems(tmp_path)
    assert len(found) == 2 and "fuzzy" in found[0] and "not translated" in found[1], found
    assert all("p.po:" in f for f in found)


def test_a_changed_english_sentence_turns_fuzzy_and_stops_the_russian_build(tmp_path):
    """The whole loop, on a copy: edit an English sentence of the intro, `coursekit translations update`
    marks its entry fuzzy (keeping the old Russian for the translator to check), and the Russian build
    refuses to run, naming it. (Only the intro's catalogs are kept, so no notebook runs.)"""
    copy = tmp_path / "book"
    shutil.copytree(REPO, copy, ignore=shutil.ignore_patterns(".git", ".venv", "_build", "exercises", "node_modules",
                                                              "assignments", "benchmarks", "deploy", ".pytest_cache"))
    shutil.rmtree(edition.catalog_dir(copy) / "chapters")
    intro = copy / "intro.md"
    old = "The editors describe slow build-up rather than sudden change."
    assert old in intro.read_text(encoding="utf-8")
    intro.write_text(intro.read_text(encoding="utf-8").replace(old, "The editors describe a slow build-up."),
                     encoding="utf-8")
    assert edition.problems(copy) == []
    edition.update(copy)
    found = edition.problems(copy)
    assert len(found) == 1 and "intro.po" in found[0] and "fuzzy" in found[0] and "a slow build-up" in found[0], found
    with pytest.raises(SystemExit, match="out of date with the English text"):
        edition.build_ru(copy)


@pytest.fixture(scope="module")
def fresh_messages(tmp_path_factory) -> Path:
    """The English messages of the translated pages, extracted now from the current source."""
    out = tmp_path_factory.mktemp("gettext")
    return edition.extract(REPO, out, PAGES)


@pytest.mark.parametrize("page", PAGES)
def test_the_catalog_is_not_older_than_the_english_text(fresh_messages, page):
    """Each message of the English page has its entry (an entry whose English changed would be missing
    here: run `coursekit translations update`, which marks it fuzzy, and translate it again)."""
    with (fresh_messages / f"{page}.pot").open("rb") as f:
        english = {m.id for m in read_po(f) if m.id}
    translated = {m.id for m in _catalog(page) if m.id}
    new = sorted(english - translated)
    gone = sorted(translated - english)
    assert not new and not gone, (f"{page}: the English text changed since its catalog was updated "
                                  f"(coursekit translations update):\n  new: {new}\n  gone: {gone}")


# --- the glossary -------------------------------------------------------------------------------
GLOSSARY = yaml.safe_load((REPO / "locales" / "ru" / "glossary.yml").read_text(encoding="utf-8"))["names"]


def _stem(word: str) -> str:
    return word[:-2] if len(word) > 6 else word[:-1] if len(word) >= 4 else word


def test_the_glossary_has_one_russian_name_for_each_name():
    english = [e["en"] for e in GLOSSARY]
    assert len(english) == len(set(english)), "a name is listed twice"
    assert all(e["ru"].strip() for e in GLOSSARY)
    for code in ("KAZ", "KGZ", "TJK", "TKM", "UZB", "AFG", "RUS", "CHN", "MEX", "VEN", "HTI"):
        from coursekit import regions
        assert regions.name(code) in english, f"{regions.name(code)} (coursekit.regions) has no Russian name"
    assert {"EAEU": "ЕАЭС", "CSTO": "ОДКБ", "CIS": "СНГ"}.items() <= {e["en"]: e["ru"] for e in GLOSSARY}.items()


@pytest.mark.parametrize("page", PAGES)
def test_the_prose_uses_the_glossarys_names(page):
    """Where an English message names a country or organisation, its translation uses the glossary's
    Russian name (declined as grammar needs: compared by stem)."""
    problems = []
    for message in _catalog(page):
        if not message.id or not message.string:
            continue
        for entry in GLOSSARY:
            if re.search(rf"(?<![\w-]){re.escape(entry['en'])}(?![\w-])", message.id):
                stems = [_stem(w) for w in re.findall(r"[\wЁё.]+", entry["ru"])]
                if not all(s.lower() in message.string.lower() for s in stems):
                    problems.append(f"{entry['en']} -> {entry['ru']}: {message.string[:90]!r}")
    assert not problems, f"{page}: names not as the glossary has them:\n" + "\n".join(problems)


def test_chart_strings_are_russian_and_keep_their_placeholders():
    for english, russian in ((e, r) for path in i18n.chart_files(REPO) for e, r in i18n.file_strings(path).items()):
        words = re.sub(r"\{\d+\}", "", english)
        assert CYRILLIC.search(russian) or not re.search(r"[A-Za-z]{3}", words), f"not Russian: {russian!r}"
        assert sorted(re.findall(r"\{\d+\}", english)) == sorted(re.findall(r"\{\d+\}", russian)), english


def test_numbers_are_written_the_russian_way():
    assert i18n.number("15,000") == "15\u00a0000"
    assert i18n.number("15.89") == "15,89"
    assert i18n.number("1,103.5 and 2022") == "1\u00a0103,5 and 2022"
    assert i18n.number("7.57%") == "7,57\u202f%"
    assert i18n.number("B-1/B-2") == "B-1/B-2" and i18n.number("2016-2023") == "2016-2023"
    assert i18n.number("-37.5 and (-4)") == "\u221237,5 and (\u22124)"  # a minus sign, not a hyphen
    assert i18n.text("Turkmenistan on 1 January 2026", REPO, missing=[]) == "Turkmenistan on 1 January 2026"
    assert i18n.text("01 Jan 2026", REPO) == "01.01.2026"
    with pytest.raises(i18n.Missing):
        i18n.text("A sentence nobody translated", REPO)


def test_glued_words_dates_licences_and_percent_signs_read_the_russian_way():
    assert i18n.pasted("Jun 2024", REPO) == "июнь 2024"
    assert i18n.pasted("5 June 2024", REPO) == "5\u00a0июня 2024"
    assert i18n.pasted("1,650", REPO) == "1\u00a0650"
    assert i18n.pasted("January 2016 to March 2023", REPO) == "январь 2016 — март 2023"
    assert i18n.number("CC BY 4.0, 15.89%") == "CC BY 4.0, 15,89\u202f%"
    assert i18n.text("42%", REPO) == "42\u202f%"


def _one_chart(**extra) -> dict:
    return {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "description": "Bar chart",
            "data": {"values": [{"status": "member", "mineral": "gold", "ok": "yes", "usd": 1.5}]}, **extra}


@pytest.fixture
def chart_strings(tmp_path):
    """A copy of the locale folder with a few strings of a made-up chapter 99."""
    shutil.copytree(REPO / "locales", tmp_path / "locales")
    (tmp_path / "locales" / "ru" / "charts" / "ch99.yml").write_text(
        "strings:\n  - {en: Bar chart, ru: Столбчатая диаграмма}\n  - {en: member, ru: член}\n"
        "  - {en: gold, ru: золото}\n  - {en: funded, ru: профинансировано}\n  - {en: 'Gap: USD ', ru: 'Дефицит: '}\n"
        "  - {en: Mineral, ru: Минерал}\n  - {en: Years, ru: Годы}\n", encoding="utf-8")
    return tmp_path


def test_a_string_has_one_translation_throughout_a_chart(chart_strings):
    """Data, the expressions and predicates comparing it, menu options and the parameter's value, a
    folded column's name and the labels an expression writes: all translated alike, so filters still match."""
    spec = _one_chart(
        params=[{"name": "pick", "value": "gold", "bind": {"input": "select", "options": ["gold"], "name": "Mineral"}}],
        transform=[{"filter": "datum.mineral == pick"}, {"calculate": "'Gap: USD ' + format(datum.usd, '.2f')", "as": "t"},
                   {"fold": ["funded"], "as": ["part", "v"]}],
        mark="bar", encoding={"fill": {"field": "part", "type": "nominal"}, "order": {"field": "part", "type": "nominal"},
                              "color": {"condition": {"test": "datum.ok == 'yes'", "value": "#000"}, "value": "#fff"},
                              "opacity": {"condition": {"test": {"field": "status", "oneOf": ["member"]}, "value": 1}, "value": 0.5}})
    with i18n.for_chapter("ch99"):
        out = i18n.chart(spec, chart_strings)
    row = out["data"]["values"][0]
    assert row["mineral"] == "золото" and row["ok"] == "да" and row["status"] == "член"
    assert out["params"][0]["value"] == "золото" and out["params"][0]["bind"]["options"] == ["золото"]
    assert out["params"][0]["bind"]["name"] == "Минерал" and out["description"] == "Столбчатая диаграмма"
    assert "'да'" in out["encoding"]["color"]["condition"]["test"]
    assert out["encoding"]["opacity"]["condition"]["test"]["oneOf"] == ["член"]
    assert "'Дефицит: '" in out["transform"][1]["calculate"] and "'.2f'" in out["transform"][1]["calculate"]
    assert out["transform"][3] == {"calculate": 'datum["part"] === "funded" ? "профинансировано" : datum["part"]', "as": "part"}
    # folded values keep the English colours and stacking order (Vega sorts by name; Russian names sort differently)
    assert out["encoding"]["fill"]["scale"]["domain"] == ["профинансировано"]
    assert out["encoding"]["order"] == {"field": "part_rank", "type": "quantitative"}
    assert out["transform"][4] == {"calculate": 'indexof(["профинансировано"], datum["part"])', "as": "part_rank"}


def test_a_chapters_own_strings_win_and_a_missing_label_is_reported(chart_strings):
    with i18n.for_chapter("ch99"):
        assert i18n.text("Years", chart_strings) == "Годы"
    with i18n.for_chapter("ch06"):
        assert i18n.text("Years", chart_strings) == "В годах дохода"
    assert i18n.chapter_of("chapters/07-connectivity-trafficking/connectivity-trafficking") == "ch07"
    missing: list = []
    i18n.chart(_one_chart(transform=[{"calculate": "'Nobody translated this ' + datum.usd", "as": "t"}]), chart_strings, missing)
    assert "Nobody translated this " in missing


# --- the built editions -------------------------------------------------------------------------
@pytest.fixture(scope="module")
def book(request) -> Path:
    if os.environ.get("A11Y_BOOK"):
        return Path(os.environ["A11Y_BOOK"]).resolve()
    return request.getfixturevalue("built_book")


def _soup(path: Path):
    from bs4 import BeautifulSoup

    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _pasted(path: Path) -> list[str]:
    return edition.glued_numbers(path.read_text(encoding="utf-8"))




@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_every_glued_number_of_the_english_page_is_in_the_russian_page(book, page):
    english, russian = _pasted(book / f"{page}.html"), _pasted(book / "ru" / f"{page}.html")
    with i18n.for_chapter(i18n.chapter_of(page)):
        wanted = Counter(i18n.pasted(n, REPO) for n in english)
    lost = wanted - Counter(russian)  # a translation may glue a number the English typed (the 27 conventions)
    assert not lost, f"ru/{page}: glued values of the English page missing: {sorted(lost)}"
    if page.startswith("chapters/"):
        assert len(russian) >= 10 and any("," in n for n in russian)  # decimal commas


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_no_english_sentence_is_left_in_a_russian_page(book, page):
    html = (book / "ru" / f"{page}.html").read_text(encoding="utf-8")
    assert len(CYRILLIC.findall(edition.prose(html, REPO))) > 200 or page in {"references", "data-catalogue"}
    runs = edition.english_left(html, REPO)
    assert not runs, f"ru/{page}: English left outside quotations, code and names: {runs}"


def _specs(path: Path) -> list[dict]:
    html, decoder, specs = path.read_text(encoding="utf-8"), json.JSONDecoder(), []
    for m in re.finditer(r"\}\)\(", html):
        try:
            specs.append(decoder.raw_decode(html, m.end())[0])
        except ValueError:
            pass
    return [s for s in specs if isinstance(s, dict) and "$schema" in s]


def _kept_english_removed(text: str) -> str:
    """An alt text without what may stay English in it: the glossary's Latin names (Federal Register),
    Latin-only quotations or parentheses (a document's title: "(Temporary Final Rule)") and names given
    with their Russian rendering."""
    for entry in GLOSSARY:
        if not CYRILLIC.search(entry["ru"]):
            text = text.replace(entry["ru"], "")
    text = re.sub(r"[A-Z][\w&'’ ,-]+ — «", "«", text)  # a name with its Russian rendering: "Improving ... — «...»"
    return re.sub(r'\([^()А-Яа-яЁё]*\)|"[^"А-Яа-яЁё]*"|“[^”А-Яа-яЁё]*”|«[^»А-Яа-яЁё]*»', "", text)


@pytest.mark.slow
@pytest.mark.parametrize("page", CHAPTERS)
def test_russian_charts_carry_russian_titles_labels_and_alt_text(book, page):
    specs = _specs(book / "ru" / f"{page}.html")
    assert len(specs) == len(_specs(book / f"{page}.html")) >= 1
    for spec in specs:
        assert CYRILLIC.search(spec["description"]), spec["description"]
        assert not ENGLISH_RUN.search(_kept_english_removed(spec["description"])), spec["description"]
        shown = [v for k, v in i18n.keyed_values({k: v for k, v in spec.items() if k != "datasets"})
                 if isinstance(v, str) and k in ("title", "subtitle", "text") and re.search(r"[A-Za-z]{3}", v)]
        assert not [s for s in shown if not CYRILLIC.search(_kept_english_removed(s) or "ж")], shown
    if page.startswith("chapters/06"):
        assert "Казахстан" in json.dumps(specs, ensure_ascii=False) and "Kazakhstan" not in json.dumps(
            [s.get("datasets") for s in specs])


@pytest.mark.slow
def test_each_edition_links_to_the_other_and_says_its_language(book):
    for page in PAGES:
        en, ru = _soup(book / f"{page}.html"), _soup(book / "ru" / f"{page}.html")
        assert en.html["lang"] == "en" and ru.html["lang"] == "ru"
        to_ru, to_en = en.select_one(".edition-switch a[hreflang=ru]"), ru.select_one(".edition-switch a[hreflang=en]")
        assert to_ru and to_en, page
        assert (book / f"{page}.html").parent.joinpath(to_ru["href"]).resolve() == (book / "ru" / f"{page}.html").resolve()
        assert (book / "ru" / f"{page}.html").parent.joinpath(to_en["href"]).resolve() == (book / f"{page}.html").resolve()
        # the book's own words around the page: its title, the contents' captions, the theme's buttons
        assert CYRILLIC.search(ru.select_one(".logo__title").get_text()), page
        assert all(CYRILLIC.search(c.get_text()) for c in ru.select(".caption-text")), page
        assert "Наверх" in ru.get_text() and "Back to top" not in ru.get_text()
        article = ru.select_one("article")
        if article:
            article.decompose()
        english = [f"{name}={el[name]!r}" for el in ru.find_all(True) for name in ("aria-label", "title", "alt",
                   "placeholder", "data-bs-title") if el.get(name) and re.search(r"[A-Za-z]{3,} [A-Za-z]{3,}", el[name])]
        assert not english, f"ru/{page}: the theme's labels in English: {english}"
    entries = _soup(book / "ru" / "references.html").select("div.citation")
    assert entries and all(e.get("lang") == "en" for e in entries)  # read in English by a screen reader
    untranslated = _soup(book / "assignments/ch06_visa_bonds.html")
    assert untranslated.select_one(".edition-switch") is None  # no Russian page: no link
    chapter = _soup(book / "ru" / "chapters/06-us-visa-bonds/visa-bonds.html")
    to_english = [a for a in chapter.select("a.edition-other") if "assignments/ch06_visa_bonds" in a["href"]]
    assert to_english and "на английском" in to_english[0].get_text(), "an untranslated page's link"


@pytest.mark.slow
def test_the_russian_search_finds_russian_words(book):
    index = (book / "ru" / "searchindex.js").read_text(encoding="utf-8")
    language = (book / "ru" / "_static" / "documentation_options.js").read_text(encoding="utf-8")
    assert "LANGUAGE: 'ru'" in language or '"ru"' in language
    terms = json.loads(re.search(r"Search\.setIndex\((.*)\)\s*$", index, re.S).group(1))["terms"]
    assert "залог" in terms  # the stem of залог, залога, залоги ... (Sphinx's Russian stemmer)
    assert (book / "ru" / "_static" / "translations.js").exists()


#: Per chart of a page: the labels Vega cut with "…" (an axis's or legend's labelLimit) and those drawn
#: past the chart's edge.
CUT_LABELS = """() => [...document.querySelectorAll('.vega-embed svg.marks')].map(svg => {
  const box = svg.getBoundingClientRect(), texts = [...svg.querySelectorAll('text')];
  return {cut: texts.map(t => t.textContent).filter(t => t.includes('…')),
          outside: texts.filter(t => { const r = t.getBoundingClientRect();
                                       return r.width > 0 && (r.left < box.left - 1 || r.right > box.right + 1); })
                        .map(t => t.textContent)};
})"""


@pytest.mark.slow
@pytest.mark.browser
def test_russian_charts_draw_in_russian(book):
    """Offline, every chart of every Russian chapter draws an SVG whose axis and title text and whose
    alt text are Russian, with Russian number formats (decimal comma), and no console error; no Russian
    chart cuts or overflows more labels than its English twin (Russian words are longer)."""
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not os.path.exists(chromium):
        if os.environ.get("CI"):
            pytest.fail("Debian chromium is not installed")
        pytest.skip("chromium not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        errors = []
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.route("**/*", lambda r: r.abort() if urlparse(r.request.url).scheme in ("http", "https") else r.continue_())
        cramped = []
        for chapter in CHAPTERS:  # the six-chart ch06 page last: the checks below read it
            labels = {}
            for edition in ("en", "ru"):  # the Russian page last: the checks below read it
                page.goto((book / ("ru" if edition == "ru" else "") / f"{chapter}.html").as_uri())
                n = page.locator(".vega-embed").count()
                page.wait_for_function(f"document.querySelectorAll('.vega-embed svg.marks').length >= {n}", timeout=30000)
                labels[edition] = page.evaluate(CUT_LABELS)
            assert n >= (6 if "06-us-visa-bonds" in chapter else 1), chapter
            for i, (en, ru) in enumerate(zip(labels["en"], labels["ru"])):
                if len(ru["cut"]) > len(en["cut"]) or len(ru["outside"]) > len(en["outside"]):
                    cramped.append(f"{chapter} chart {i}: cut {ru['cut']} outside {ru['outside']}")
            for i in range(n):
                embed = page.locator(".vega-embed").nth(i)
                label = embed.locator("[role=graphics-document]").get_attribute("aria-label") or ""
                texts = embed.locator("svg.marks").first.evaluate(
                    "s => [...s.querySelectorAll('text')].map(t => t.textContent)")
                assert CYRILLIC.search(label), (chapter, label)
                assert any(CYRILLIC.search(t) for t in texts), (chapter, texts)
            assert not errors, (chapter, errors)
        assert not cramped, "Russian labels cut ('…') or drawn outside a chart more than in English (shorten them " \
                            "in locales/ru/charts/<chapter>.yml):\n" + "\n".join(cramped)
        drawn = " | ".join(page.locator("#fig-raw-number svg.marks").first.evaluate(
            "s => [...s.querySelectorAll('text')].map(t => t.textContent)"))
        assert "15,89" in drawn and "15.89" not in drawn
        assert "52\u00a0083" in drawn  # d3's ru-RU thousands separator
        assert "Читать" not in page.locator(".edition-switch").inner_text() and "Read in English" in page.locator(
            ".edition-switch").inner_text()
        assert not errors, errors
        # the Russian search: an inflected form finds the chapter through the Russian stemmer
        page.goto((book / "ru" / "search.html").as_uri() + "?q=залогов")
        page.wait_for_function("document.querySelectorAll('#search-results li').length > 0", timeout=30000)
        found = page.locator("#search-results li a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
        assert any("visa-bonds" in href for href in found), found
        browser.close()


def test_jupyterlab_can_be_switched_to_russian():
    """The pinned language pack is installed: a student picks Settings > Language > Русский in Lab
    (the default stays English; the pack is for JupyterLab 4.5, so strings new in 4.6 stay English)."""
    from jupyterlab_server.translation_utils import get_language_packs

    packs, message = get_language_packs("ru_RU")
    assert "ru_RU" in packs, message


@pytest.mark.slow
def test_the_russian_build_runs_no_notebook(book):
    """The Russian edition reuses the English build's executions (same cache): nothing runs twice."""
    log = book.parent.parent / "build.log"  # written by the built_book fixture
    if not log.exists():
        pytest.skip("no build log next to this build (A11Y_BOOK)")
    russian = log.read_text(encoding="utf-8").split(">> Russian edition:", 1)
    assert len(russian) == 2, "the Russian edition was not built"
    assert "Using cached notebook" in russian[1] and "Executing notebook" not in russian[1]
