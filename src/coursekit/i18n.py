"""Render-time translation of what the notebooks computed: numbers, charts and tables.

The book executes each chapter once, in English. The Russian edition translates the prose through
Sphinx's gettext catalogs and what the code produced here, as the page is written
(``_ext/book_i18n.py``), so both editions show the same numbers from the same run:

- :func:`number` writes a number the Russian way: decimal comma, a no-break space between groups of
  thousands (as d3-format's ru-RU locale, which the charts use, so prose and charts agree);
- :func:`text` translates one string a chart or table shows: an exact entry of
  ``locales/ru/charts.yml`` or ``locales/ru/charts/<chapter>.yml``, else a template of it in which
  numbers, dates and the names of the glossary (``locales/ru/glossary.yml``) are placeholders ``{0}``,
  ``{1}`` ... filled in Russian;
- :func:`chart` translates a Vega-Lite spec (titles, axis, legend and tooltip titles, the data
  values it draws, the strings its filters compare them with, the alt text) and :func:`embed_options`
  gives vega-embed the ru-RU number and time locale (shipped in ``locales/ru/d3-locale.json``);
- :func:`table` translates the text of a glued table (pandas Styler HTML).

A string with no translation is reported (:class:`Missing`), never shown in English silently.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import json
import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
NBSP = "\u00a0"
#: Between a number and "%" (GOST 8.417: the percent sign is set off from the number): a narrow no-break space.
PERCENT_SPACE = "\u202f"

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
MONTHS_GENITIVE = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
                   "октября", "ноября", "декабря"]
MONTHS_NOMINATIVE = ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь",
                     "октябрь", "ноябрь", "декабрь"]
_MON = "|".join(m[:3] for m in MONTHS)
_MONTH = "|".join(MONTHS)
DATE_DMY = re.compile(rf"\b(\d{{1,2}}) ({_MONTH}|{_MON}) (\d{{4}})\b")
DATE_MY = re.compile(rf"\b({_MONTH}|{_MON}) (\d{{4}})\b")
NUMBER = re.compile(r"(?<![\w.,/-])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w])")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(T[\d:.]+)?$")
#: Strings a chart holds that nobody reads: codes, identifiers, colours, ISO dates.
_NOT_TEXT = re.compile(r"^([A-Z0-9./-]{1,12}|#[0-9a-fA-F]{3,8}|[a-z0-9_]+|data-[0-9a-f]{32})$")


class Missing(LookupError):
    """Strings that have no Russian translation (each names itself)."""


def locale_dir(root: Path = REPO) -> Path:
    return root / "locales" / "ru"


@functools.lru_cache(maxsize=4)
def glossary(root: Path = REPO) -> dict[str, str]:
    """English name -> Russian name (countries, organisations), the one list prose and charts follow."""
    data = yaml.safe_load((locale_dir(root) / "glossary.yml").read_text(encoding="utf-8"))
    return {e["en"]: e["ru"] for e in data["names"]}


def chart_files(root: Path = REPO) -> list[Path]:
    """``locales/ru/charts.yml`` (strings every chapter shares) and one file per chapter in ``charts/``."""
    return [locale_dir(root) / "charts.yml", *sorted((locale_dir(root) / "charts").glob("*.yml"))]


def file_strings(path: Path) -> dict[str, str]:
    """The ``strings:`` of one chart file; one English string with two translations in it is an error."""
    out: dict[str, str] = {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    for entry in (data or {}).get("strings") or []:
        english, russian = entry["en"], entry["ru"]
        if out.get(english, russian) != russian:
            raise ValueError(f"{path.name}: {english!r} has two translations: {out[english]!r} and {russian!r}")
        out[english] = russian
    return out


#: The chapter whose page is being translated ('ch03'): its chart file's strings win over the shared ones
#: ("Years" is «Годы» in a membership table and «В годах дохода» in chapter 6). Set by :func:`for_chapter`.
_CHAPTER: contextvars.ContextVar[str | None] = contextvars.ContextVar("chapter", default=None)


@contextlib.contextmanager
def for_chapter(chapter: str | None):
    """Translate with ``chapter``'s strings (``with i18n.for_chapter("ch03"): ...``)."""
    token = _CHAPTER.set(chapter)
    try:
        yield
    finally:
        _CHAPTER.reset(token)


def strings(root: Path = REPO, chapter: str | None = None) -> dict[str, str]:
    """English string or template -> Russian: ``charts.yml``, then the chapter's own file
    (``charts/ch07.yml``; default: the chapter being translated, see :func:`for_chapter`)."""
    return _strings(root, chapter or _CHAPTER.get())


@functools.lru_cache(maxsize=16)
def _strings(root: Path, chapter: str | None) -> dict[str, str]:
    out = file_strings(locale_dir(root) / "charts.yml")
    if chapter:
        out.update(file_strings(locale_dir(root) / "charts" / f"{chapter}.yml"))
    return out


def field_titles(root: Path = REPO, chapter: str | None = None) -> dict[str, str]:
    """Data field -> Russian title, for a tooltip that shows a field without a title: the ``fields:`` of
    ``charts.yml``, then those of the chapter's own file (``charts/ch07.yml`` for chapter 7), which win:
    ``share_pct`` is a share of world output in one chapter and of imports in another."""
    return _field_titles(root, chapter or _CHAPTER.get())


@functools.lru_cache(maxsize=16)
def _field_titles(root: Path, chapter: str | None) -> dict[str, str]:
    out = {}
    for path in (locale_dir(root) / "charts.yml", locale_dir(root) / "charts" / f"{chapter}.yml"):
        if chapter or path.name == "charts.yml":
            data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
            out.update((data or {}).get("fields") or {})
    return out


def chapter_of(docname: str) -> str | None:
    """'chapters/07-connectivity-trafficking/connectivity-trafficking' -> 'ch07' (its chart file's name)."""
    m = re.match(r"chapters/(\d\d)-", docname)
    return f"ch{m.group(1)}" if m else None


@functools.lru_cache(maxsize=4)
def d3_locale(root: Path = REPO) -> dict:
    return json.loads((locale_dir(root) / "d3-locale.json").read_text(encoding="utf-8"))


#: A hyphen used as a minus sign: before a digit, after nothing that makes it a dash (2016-2023, B-1, p-3).
SIGN = re.compile(r"(?:(?<=^)|(?<=[\s(\[=:;]))-(?=\d)")
#: Names with a version number, kept as written ("CC BY 4.0" is a licence, not four point nought).
LICENCE = re.compile(r"\bCC[ -]BY(?:-[A-Z]{2})*(?: \d\.\d)?(?: IGO)?\b")


def _percent(text: str) -> str:
    return re.sub(r"(\d)\s?%", lambda m: m.group(1) + PERCENT_SPACE + "%", text)


def number(text: str) -> str:
    """'15,000' -> '15 000' (no-break space), '15.89' -> '15,89', '15.89%' -> '15,89 %'; other text kept
    (a licence's version too: 'CC BY 4.0')."""
    def one(m: re.Match) -> str:
        whole, frac = m.group(1), m.group(2) or ""
        return whole.replace(",", NBSP) + frac.replace(".", ",")

    text = SIGN.sub("\u2212", text)  # -37.5 -> −37,5: a minus sign, not a hyphen
    parts = LICENCE.split(text)
    kept = LICENCE.findall(text)
    out = "".join(NUMBER.sub(one, part) + (kept[i] if i < len(kept) else "") for i, part in enumerate(parts))
    return _percent(out)


def _date(m: re.Match) -> str:
    day, month, year = m.group(1), m.group(2), m.group(3)
    i = [x[:3] for x in MONTHS].index(month[:3])
    if len(month) == 3:  # a table's '01 Jan 2026': the short numeric form
        return f"{int(day):02d}.{i + 1:02d}.{year}"
    return f"{int(day)}{NBSP}{MONTHS_GENITIVE[i]} {year}"


def _month(m: re.Match) -> str:
    i = [x[:3] for x in MONTHS].index(m.group(1)[:3])
    return f"{MONTHS_NOMINATIVE[i]} {m.group(2)}"


def template(english: str, root: Path = REPO) -> tuple[str, list[str]]:
    """The string with its dates, numbers and glossary names replaced by {0}, {1} ... and their Russian forms."""
    names = glossary(root)
    pattern = "|".join([LICENCE.pattern, DATE_DMY.pattern, DATE_MY.pattern]
                       + [rf"(?<![\w-]){re.escape(n)}(?![\w-])" for n in sorted(names, key=len, reverse=True)]
                       + [NUMBER.pattern])
    values: list[str] = []

    def repl(m: re.Match) -> str:
        found = m.group(0)
        if LICENCE.fullmatch(found):
            return found
        if (d := DATE_DMY.fullmatch(found)):
            values.append(_date(d))
        elif (d := DATE_MY.fullmatch(found)):
            values.append(_month(d))
        elif found in names:
            values.append(names[found])
        else:
            values.append(number(found))
        return "{" + str(len(values) - 1) + "}"

    return re.sub(pattern, repl, english), values


def needs_translation(value: str) -> bool:
    """Does a reader see words here (not a code, a colour, an ISO date, a bare number)?"""
    value = value.strip()
    return bool(re.search(r"[A-Za-z]{2}", value)) and not _NOT_TEXT.match(value) and not ISO_DATE.match(value)


def text(english: str, root: Path = REPO, missing: list | None = None) -> str:
    """The Russian of one string a chart or table shows (see the module docstring)."""
    table = strings(root)
    if english in table:
        return table[english]
    if english in glossary(root):
        return glossary(root)[english]
    key, values = template(english, root)
    if key in table:
        return table[key].format(*values)
    if values and not re.search(r"[A-Za-z]{2}", re.sub(r"\{\d+\}", "", key)):  # only dates, numbers, names
        return _percent(key.format(*values))
    if not needs_translation(english):
        return number(english) if NUMBER.search(english) and not ISO_DATE.match(english) else english
    if missing is not None:
        missing.append(key)
        return english
    raise Missing(key)


def pasted(english: str, root: Path = REPO, missing: list | None = None) -> str:
    """A glued value pasted into the prose: a number Russian-formatted, a date in Russian ('Jun 2024' ->
    'июнь 2024'), and words looked up like a chart's (``{0} to {1}``)."""
    if re.search(r"[A-Za-z]{2}", english) and not LICENCE.fullmatch(english.strip()):
        return text(english, root, missing)
    return number(english)


# --- charts -----------------------------------------------------------------------------------------
#: Keys whose string values a reader sees (titles, the alt text, a binding's label).
_SHOWN = {"title", "subtitle", "text", "description"}
_EXPRESSIONS = {"filter", "test", "expr", "calculate"}
#: Encoding channels whose constant ``{"value": "..."}`` a reader sees (a label written on the chart).
_CHANNELS = {"text", "tooltip", "description"}
#: A field predicate's values (``{"field": "status", "oneOf": ["member"]}``): compared with the field's data.
_PREDICATES = {"equal", "oneOf"}


def _encoded_fields(spec) -> set[str]:
    found: set[str] = set()

    def walk(o, in_encoding=False):
        if isinstance(o, dict):
            for k, v in o.items():
                if k == "field" and isinstance(v, str) and in_encoding:
                    found.add(v)
                walk(v, in_encoding or k in ("encoding", "facet"))
        elif isinstance(o, list):
            for v in o:
                walk(v, in_encoding)

    walk(spec)
    return found


def keyed_values(o, key=None):
    """Every value of a JSON-like spec with the key it sits under (a list's items under the list's key);
    a dict is given too, before its own values."""
    if isinstance(o, dict):
        yield key, o
        for k, v in o.items():
            yield from keyed_values(v, k)
    elif isinstance(o, list):
        for v in o:
            yield from keyed_values(v, key)
    else:
        yield key, o


def _expression_fields(spec) -> set[str]:
    """Fields an expression or a predicate compares (``datum.central_asia == 'yes'``): their values are
    translated with the expression's strings, so the comparison still holds."""
    found: set[str] = set()
    for key, value in keyed_values(spec):
        if isinstance(value, dict) and isinstance(value.get("field"), str) and _PREDICATES & value.keys():
            found.add(value["field"])
        elif isinstance(value, str) and key in _EXPRESSIONS:
            found.update(re.findall(r"datum\.(\w+)", value))
            found.update(re.findall(r"datum\[['\"]([^'\"]+)['\"]\]", value))
    return found


def chart(spec: dict, root: Path = REPO, missing: list | None = None) -> dict:
    """A translated copy of a Vega-Lite spec.

    One string has one translation everywhere in the spec: in the data of the fields it draws or its
    expressions read, in those expressions, in a scale's domain, and in a bound parameter's options and
    value (a menu of minerals filters the data by the same Russian names)."""
    shown_fields = _encoded_fields(spec)
    compared = _expression_fields(spec) - shown_fields

    def tr(value: str, must: bool) -> str:
        if must:
            return text(value, root, missing)
        try:
            return text(value, root, [])
        except Missing:
            return value

    def shown(value: str) -> str:
        """A string the chart shows that may look like a code ('funded'): translated, or reported."""
        if not re.search(r"[A-Za-z]{2}", value) or re.fullmatch(r"[A-Z0-9./-]{1,12}", value):
            return value
        russian = tr(value, False)
        if russian == value and missing is not None and value not in strings(root):
            missing.append(value)
        return russian

    def literal(expr: str, calculated: bool = False) -> str:
        """The strings of an expression: compared ones as their data is; a calculated label's words must exist."""
        def one(m: re.Match) -> str:
            inner = m.group(2)
            if calculated and re.search(r"[A-Za-z]{2}", inner) and not re.fullmatch(r"[,.~%0-9a-z]*", inner):
                return m.group(1) + tr(inner, True) + m.group(1)  # a label the chart writes ('Shortfall: USD ')
            return m.group(1) + tr(inner, False) + m.group(1)

        return re.sub(r"(['\"])(.*?)\1", one, expr)

    folded: dict[str, list[str]] = {}  # a fold's key field -> its values translated, in the English order

    def transforms(items: list) -> list:
        """A fold turns column names into values the legend shows: translate them right after it."""
        out = []
        for t in items:
            out.append(walk(t, "transform"))
            if isinstance(t, dict) and isinstance(t.get("fold"), list):
                field = (t.get("as") or ["key"])[0]
                pairs = [(f, shown(f)) for f in t["fold"] if isinstance(f, str)]
                if any(r != f for f, r in pairs):
                    key = f"datum[{json.dumps(field)}]"
                    cases = "".join(f"{key} === {json.dumps(f)} ? {json.dumps(r, ensure_ascii=False)} : "
                                    for f, r in pairs if r != f)
                    out.append({"calculate": cases + key, "as": field})
                    folded[field] = [r for _, r in sorted(pairs)]  # Vega sorts the English names
        return out

    def same_order(spec: dict) -> dict:
        """Colours, legend and stacking of folded values as in English: Vega orders them by name, and the
        Russian names sort differently (дефицит before профинансировано)."""
        lists = [v["transform"] for _, v in keyed_values(spec)
                 if isinstance(v, dict) and isinstance(v.get("transform"), list)
                 and any(isinstance(t, dict) and "fold" in t for t in v["transform"])]
        for _, value in list(keyed_values(spec)):
            encoding = value.get("encoding") if isinstance(value, dict) else None
            for channel, enc in (encoding or {}).items():
                field = enc.get("field") if isinstance(enc, dict) else None
                if field not in folded:
                    continue
                if channel == "order":  # stack in the English order: by the value's rank among the English names
                    rank = {"calculate": f"indexof({json.dumps(folded[field], ensure_ascii=False)}, "
                                         f"datum[{json.dumps(field)}])", "as": f"{field}_rank"}
                    for items in lists:
                        if rank not in items:
                            items.append(rank)
                    enc.update(field=rank["as"], type="quantitative")
                elif not (enc.get("scale") or {}).get("domain"):
                    enc["scale"] = {**(enc.get("scale") or {}), "domain": folded[field]}
        return spec

    def walk(o, key=None, parent=None):
        if isinstance(o, dict):
            out = {}
            for k, v in o.items():
                if k in _EXPRESSIONS and isinstance(v, str):
                    out[k] = literal(v, calculated=k == "calculate")
                elif k == "transform" and isinstance(v, list):
                    out[k] = transforms(v)
                elif k == "value" and isinstance(v, str) and key in _CHANNELS:
                    out[k] = tr(v, needs_translation(v))  # a constant label: text=alt.value("...")
                elif k == "bind" and isinstance(v, dict):
                    out[k] = {**v, **({"name": tr(v["name"], True)} if isinstance(v.get("name"), str) else {}),
                              **{key2: [shown(x) if isinstance(x, str) else x for x in v[key2]]
                                 for key2 in ("options", "labels") if isinstance(v.get(key2), list)}}
                elif k in _PREDICATES and isinstance(o.get("field"), str):
                    out[k] = [tr(x, False) if isinstance(x, str) else x for x in v] if isinstance(v, list) else (
                        tr(v, False) if isinstance(v, str) else v)  # {"field": "status", "oneOf": [...]}
                elif k == "value" and isinstance(v, str) and isinstance(o.get("bind"), dict):
                    out[k] = tr(v, False)  # a bound parameter's value, one of its options
                else:
                    out[k] = walk(v, k, o)
            return out
        if isinstance(o, list):
            return [walk(v, key, parent) for v in o]
        if isinstance(o, str):
            if key in _SHOWN:
                return tr(o, True)
            if key in ("domain", "sort"):
                return tr(o, False)
            if key in shown_fields:
                return tr(o, needs_translation(o))
            if key in compared:
                return tr(o, False)
            return o
        return o

    return same_order(walk(spec))


def tooltip_titles(spec: dict, root: Path = REPO, missing: list | None = None) -> dict:
    """Tooltip entries given as a bare field (``"country:N"`` is ``{"field": "country"}``) get a Russian title."""
    fields = field_titles(root)

    def walk(o):
        if isinstance(o, dict):
            for k, v in list(o.items()):
                if k == "tooltip":
                    entries = v if isinstance(v, list) else [v]
                    for e in entries:
                        if isinstance(e, dict) and "field" in e and "title" not in e:
                            if e["field"] in fields:
                                e["title"] = fields[e["field"]]
                            elif missing is not None:
                                missing.append(f"tooltip field {e['field']!r} "
                                               "(add it under fields: of the chapter's chart file)")
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)

    walk(spec)
    return spec


def embed_options(options: dict, root: Path = REPO) -> dict:
    """vega-embed options with the Russian number and time formats (d3's ru-RU locale, shipped offline)."""
    loc = d3_locale(root)
    return {**options, "formatLocale": loc["format"], "timeFormatLocale": loc["time"]}


_CALL = re.compile(r"\}\)\(")


def chart_html(html: str, root: Path = REPO, missing: list | None = None) -> str:
    """Altair's HTML output with its spec translated and its embed options localised."""
    decoder = json.JSONDecoder()
    out, pos = [], 0
    for m in _CALL.finditer(html):
        start = m.end()
        if start < pos:
            continue
        try:
            spec, end = decoder.raw_decode(html, start)
            sep = re.match(r"\s*,\s*", html[end:])
            options, end2 = decoder.raw_decode(html, end + sep.end())
        except (ValueError, AttributeError):
            continue
        new = tooltip_titles(chart(spec, root, missing), root, missing)
        out.append(html[pos:start])
        out.append(json.dumps(new).replace("</", "<\\/") + ", " + json.dumps(embed_options(options, root)))
        pos = end2
    out.append(html[pos:])
    return "".join(out)


def table(html: str, root: Path = REPO, missing: list | None = None) -> str:
    """A glued table (Styler HTML) with its caption, headers and cells in Russian."""
    from bs4 import BeautifulSoup, NavigableString

    soup = BeautifulSoup(html, "html.parser")
    for node in list(soup.find_all(string=True)):
        if node.parent.name in ("style", "script") or not isinstance(node, NavigableString) or not node.strip():
            continue
        stripped = node.strip()
        node.replace_with(node.replace(stripped, text(stripped, root, missing)))
    return str(soup)
