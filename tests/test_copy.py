"""The copy check: our text shares no run of 8+ words with a source text outside quotation marks.

Issue 23. "Prose is ours" (DESIGN.md): facts, numbers, names and dates carry over from
``../shared/source-texts/`` with a citation, sentences do not. This test reads everything that
teaches (chapters and their ``figures.py``, assignments in their source and student versions,
instructor notes, mistakes lists (``exercises/mistakes/*.yml`` and the pages written from them),
the front page, the data catalogue, the data package and the CSVs' text) and fails on a run of 8
or more consecutive words that also stands, in that order, in a source text, unless it is quoted.

How it compares. Both sides are cut into words, ignoring case, punctuation, accents and the kind
of quote, dash or apostrophe ("Russia’s" = "Russia's" = "Russias"); footnote markers (¹²³) are
dropped. Every 8-word window of a source text goes into a set; every 8-word window of our text
found in that set marks its words as shared, and overlapping windows join into one run.

What is allowed. Words inside quotation marks ("...", “...”, ‘...’, '...'), Markdown blockquotes,
and the names and titles listed in ``tests/copy_allowlist.yaml`` (each with a reason) count as
quoted. A run fails when at least ``UNQUOTED_LIMIT`` (5) of its words stand outside quotation
marks: a quotation excuses itself and a word or two that introduce it, not a copied clause beside
it. Python (chapter code cells, notebook code cells, ``figures.py``, the mistakes lists' code) is
checked in its strings and comments only.

Where the source texts are. The folder named by ``COURSE_SOURCE_TEXTS``, else the repository's
sibling folder ``../shared/source-texts``, else ``/work/shared/source-texts`` (the course
machines' shared folder; ``data/prep/ch04_minerals.py`` falls back to it for the reference data
too), so that a clean clone anywhere on such a machine finds them.

Without them: the fingerprint. The source texts are third-party articles and stay out of the
repository, but ``tests/source_fingerprints.json.gz`` holds, for each source file, the hash of every
normalised 8-word window (blake2b, 8 bytes; sorted) and the line the window starts on, and no
text. When no folder above holds the texts (or ``COURSE_SOURCE_TEXTS=none`` forces it), the check
looks our windows up in it instead, and a failure reads the same (our shared words, the source file
and line). When the texts are here, the test also checks that the committed fingerprint
was made from them; after a source text (or the way words are normalised) changes, regenerate it
with ``python tests/test_copy.py --fingerprint``. With neither texts nor fingerprint the test is
skipped, except under CI (``CI=1``), where it fails: a copy check that cannot read its sources has
checked nothing.
"""

from __future__ import annotations

import base64
import bisect
import csv
import fnmatch
import gzip
import hashlib
import io
import json
import os
import re
import struct
import sys
import tokenize
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
ALLOWLIST = Path(__file__).with_name("copy_allowlist.yaml")
FINGERPRINT = Path(__file__).with_name("source_fingerprints.json.gz")
REGENERATE = "regenerate with: python tests/test_copy.py --fingerprint"
N = 8  # words in a window
UNQUOTED_LIMIT = 5  # a run fails when this many of its words stand outside quotation marks
HASH_BYTES = 8  # blake2b digest size of a window's hash in the fingerprint
HASH_SCHEME = f"blake2b(digest_size={HASH_BYTES}) of the window's normalised words joined by single spaces, UTF-8"


def source_dir() -> Path | None:
    """The folder to read the source texts from; None when ``COURSE_SOURCE_TEXTS=none`` (use the fingerprint)."""
    env = os.environ.get("COURSE_SOURCE_TEXTS")
    if env:
        return None if env.strip().lower() == "none" else Path(env)
    sibling = REPO.parent / "shared" / "source-texts"
    machine = Path("/work/shared/source-texts")
    return sibling if sibling.is_dir() or not machine.is_dir() else machine


# ---------------------------------------------------------------- words -------------------------

_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_WORD = re.compile(r"[^\W_]+(?:['’ʼ][^\W_]+)*")


def _norm_word(word: str) -> str:
    word = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in word if c.isalnum())


@dataclass
class Segment:
    """A piece of our text: its characters, the line of each stretch, and where it sits."""

    file: str
    text: str
    where: str = ""  # "cell 12", "row 4, column what", a JSON path...
    breaks: list[tuple[int, int]] = field(default_factory=lambda: [(0, 1)])  # (char offset, line)
    quoted_all: bool = False  # a blockquote or a column allow-listed as quotation

    def line(self, pos: int) -> int:
        i = bisect.bisect_right([b[0] for b in self.breaks], pos) - 1
        off, line = self.breaks[max(i, 0)]
        return line + self.text.count("\n", off, pos)


def words(text: str) -> list[tuple[str, int]]:
    """(normalised word, character offset) for each word of text; footnote markers dropped."""
    text = text.translate({ord(c): " " for c in _SUPERSCRIPTS})
    out = []
    for m in _WORD.finditer(text):
        w = _norm_word(m.group())
        if w:
            out.append((w, m.start()))
    return out


_QUOTE_PAIRS = [
    re.compile(r"“[^”]*”"),
    re.compile(r"‘(?:[^’]|’(?=[^\W_]))*’(?![^\W_])"),  # a ’ between letters is an apostrophe
]


_SINGLE_OPEN = re.compile(r"(?:^|(?<=[\s(\[—–-]))'(?=\S)")
_SINGLE_CLOSE = re.compile(r"(?<=\S)'(?=$|[\s.,;:!?)\]—–-])")


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Character spans inside quotation marks: curly pairs, and straight double quotes paired in order."""
    spans = [m.span() for rx in _QUOTE_PAIRS for m in rx.finditer(text)]
    straight = [m.start() for m in re.finditer(r'"', text)]
    spans += [(a, b + 1) for a, b in zip(straight[0::2], straight[1::2])]
    # 'single quotes' (the CSV notes use them): an opener follows a space or a bracket, a closer
    # precedes one; an apostrophe inside a word is neither, and a closer with no opener is ignored
    closers = [m.start() for m in _SINGLE_CLOSE.finditer(text)]
    for m in _SINGLE_OPEN.finditer(text):
        if spans and any(a <= m.start() < b for a, b in spans):
            continue
        end = next((c for c in closers if c > m.start()), None)
        if end is not None:
            spans.append((m.start(), end + 1))
    return spans


# ---------------------------------------------------------------- sources -----------------------


@dataclass
class Sources:
    grams: dict  # window (live texts) or its hash (fingerprint) -> (file name, line) of its first sighting
    files: list[str]
    origin: str = ""  # where they were read from, for messages
    hashed: bool = False  # True: read from the fingerprint, keys are window hashes

    def find(self, window: tuple[str, ...]) -> tuple[str, int] | None:
        return self.grams.get(window_hash(window) if self.hashed else window)


def window_hash(window: tuple[str, ...]) -> int:
    return int.from_bytes(hashlib.blake2b(" ".join(window).encode("utf-8"), digest_size=HASH_BYTES).digest(), "big")


def source_files(folder: Path | None) -> list[Path]:
    return sorted(folder.glob("*.txt")) if folder is not None and folder.is_dir() else []


@lru_cache(maxsize=None)
def source_windows(path: Path) -> list[tuple[tuple[str, ...], int]]:
    """(window of N normalised words, line it starts on) for each window of a source text, in order."""
    text = path.read_text(encoding="utf-8")
    ws = words(text)
    toks = [w for w, _ in ws]
    out, line, last = [], 1, 0
    for i in range(len(toks) - N + 1):
        pos = ws[i][1]
        line += text.count("\n", last, pos)
        last = pos
        out.append((tuple(toks[i : i + N]), line))
    return out


def live_sources(folder: Path | None) -> Sources | None:
    """The source texts in folder, or None when it holds none."""
    files = source_files(folder)
    if not files:
        return None
    grams: dict[tuple[str, ...], tuple[str, int]] = {}
    for path in files:
        for window, line in source_windows(path):
            grams.setdefault(window, (path.name, line))
    return Sources(grams, [p.name for p in files], f"the source texts in {folder}")


def fingerprint_of(folder: Path | None) -> dict[str, dict[int, int]]:
    """For each source text in folder: the hash of each of its windows -> the line of its first sighting."""
    out: dict[str, dict[int, int]] = {}
    for path in source_files(folder):
        table: dict[int, int] = {}
        for window, line in source_windows(path):
            table.setdefault(window_hash(window), line)
        out[path.name] = table
    return out


def write_fingerprint(fp: dict[str, dict[int, int]], out: Path) -> None:
    """The fingerprint as gzipped JSON: per file, the sorted hashes (8 bytes each, big-endian) and the
    line of each (2 bytes, little-endian), base64; deterministic, so an unchanged text rewrites the same bytes."""
    files = {}
    for name in sorted(fp):
        keys = sorted(fp[name])
        lines = [fp[name][k] for k in keys]
        if lines and max(lines) > 0xFFFF:
            raise ValueError(f"{name}: a line number above 65535 does not fit the fingerprint")
        files[name] = {
            "windows": len(keys),
            "hashes": base64.b64encode(b"".join(k.to_bytes(HASH_BYTES, "big") for k in keys)).decode("ascii"),
            "lines": base64.b64encode(struct.pack(f"<{len(lines)}H", *lines)).decode("ascii"),
        }
    doc = {
        "about": "Fingerprint of ../shared/source-texts for the copy check (tests/test_copy.py): for each "
                 f"source text, the hash of every normalised {N}-word window, sorted, and the line it starts "
                 f"on. No text. {REGENERATE}",
        "window": N,
        "hash": HASH_SCHEME,
        "files": files,
    }
    raw = json.dumps(doc, indent=1, sort_keys=True).encode("utf-8") + b"\n"
    out.write_bytes(gzip.compress(raw, compresslevel=9, mtime=0))


def read_fingerprint(path: Path = FINGERPRINT) -> dict[str, dict[int, int]]:
    doc = json.loads(gzip.decompress(path.read_bytes()))
    if doc.get("window") != N or doc.get("hash") != HASH_SCHEME:
        pytest.fail(f"{path.name} was made with windows of {doc.get('window')} words hashed as "
                    f"{doc.get('hash')!r}; the check uses {N} and {HASH_SCHEME!r}: {REGENERATE}")
    out: dict[str, dict[int, int]] = {}
    for name, entry in doc["files"].items():
        raw, n = base64.b64decode(entry["hashes"]), entry["windows"]
        keys = struct.unpack(f">{n}Q", raw) if HASH_BYTES == 8 else [
            int.from_bytes(raw[i : i + HASH_BYTES], "big") for i in range(0, len(raw), HASH_BYTES)]
        lines = struct.unpack(f"<{n}H", base64.b64decode(entry["lines"]))
        out[name] = dict(zip(keys, lines))
    return out


@lru_cache(maxsize=None)
def fingerprint_sources(path: Path = FINGERPRINT) -> Sources:
    """The source texts as the fingerprint knows them: window hashes, each with its file and line."""
    fp = read_fingerprint(path)
    grams: dict[int, tuple[str, int]] = {}
    for name in sorted(fp):
        for key, line in fp[name].items():
            grams.setdefault(key, (name, line))  # files in the same order as live_sources reads them
    return Sources(grams, sorted(fp), f"the fingerprint {path.name}", hashed=True)


@lru_cache(maxsize=1)
def sources() -> Sources:
    """The live source texts when they are here, else the committed fingerprint, else skip (fail under CI)."""
    folder = source_dir()
    live = live_sources(folder)
    if live:
        return live
    if FINGERPRINT.is_file():
        return fingerprint_sources()
    where = f"at {folder}" if folder else "read (COURSE_SOURCE_TEXTS=none)"
    msg = (f"the source texts are not {where} (set COURSE_SOURCE_TEXTS to their folder) and there is no "
           f"fingerprint {FINGERPRINT.name} ({REGENERATE})")
    if os.environ.get("CI"):
        pytest.fail(f"{msg}; in CI the copy check must run")
    pytest.skip(msg)


# ---------------------------------------------------------------- allow-list --------------------


@lru_cache(maxsize=1)
def allowlist() -> dict:
    spec = yaml.safe_load(ALLOWLIST.read_text(encoding="utf-8")) or {}
    for kind in ("phrases", "columns"):
        for entry in spec.get(kind) or []:
            assert str(entry.get("reason", "")).strip(), f"{ALLOWLIST.name}: {entry} has no reason"
    phrases = [tuple(w for w, _ in words(e["text"])) for e in spec.get("phrases") or []]
    columns = [(e["table"], e["column"]) for e in spec.get("columns") or []]
    return {"phrases": [p for p in phrases if p], "columns": columns}


def column_allowed(table: str, column: str) -> bool:
    """Whether an allow-list entry (its table may be a glob such as ``ch02_*``) covers table.column."""
    return any(fnmatch.fnmatchcase(table, t) and column == c for t, c in allowlist()["columns"])


# ---------------------------------------------------------------- reading our files -------------


def _blocks(lines: list[str], first_line: int):
    """Markdown prose in blocks (paragraphs, list items, table rows): (text, first line, blockquote?)."""
    block: list[str] = []
    start = first_line
    quote = False

    def flush():
        if block:
            yield "\n".join(block), start, quote

    for k, line in enumerate(lines):
        s = line.lstrip()
        new_item = bool(re.match(r"([-*+]|\d+[.)]|\|)\s", s)) or s.startswith("|")
        is_quote = s.startswith(">")
        if not s or new_item or is_quote != quote:
            yield from flush()
            block, quote = [], is_quote
        if s:
            if not block:
                start = first_line + k  # the block's first line (not the blank line before it)
            block.append(line)
    yield from flush()


def _python(code: str, file: str, first_line: int, where: str = "") -> list[Segment]:
    """Strings (adjacent literals joined) and comments of Python code; magics blanked."""
    code = "\n".join("" if l.lstrip().startswith(("%", "!")) else l for l in code.split("\n"))
    segs: list[Segment] = []
    try:
        toks = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return [Segment(file, code, where, [(0, first_line)])]
    run_text, run_breaks = "", []

    def close():
        nonlocal run_text, run_breaks
        if run_text:
            segs.append(Segment(file, run_text, where, run_breaks))
        run_text, run_breaks = "", []

    for tok in toks:
        if tok.type == tokenize.STRING:
            body = re.sub(r"^[A-Za-z]*('''|\"\"\"|'|\")", "", tok.string)
            body = body[: len(body) - len(re.search(r"('''|\"\"\"|'|\")$", body).group())]
            body = body.replace('\\"', '"').replace("\\'", "'").replace("\\n", "\n")
            run_breaks.append((len(run_text), first_line + tok.start[0] - 1))
            run_text += body
        elif tok.type in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT) or (
            tok.type == tokenize.OP and tok.string in "()"
        ):
            continue
        else:
            close()
            if tok.type == tokenize.COMMENT:
                segs.append(Segment(file, tok.string.lstrip("#"), where, [(0, first_line + tok.start[0] - 1)]))
    close()
    return segs


def _markdown(text: str, file: str, first_line: int = 1, where: str = "") -> list[Segment]:
    """Prose blocks of MyST Markdown, and the strings and comments of its code cells."""
    lines = text.split("\n")
    segs: list[Segment] = []
    k = 0
    if lines and lines[0].strip() == "---":  # front matter (jupytext header)
        end = next((j for j in range(1, len(lines)) if lines[j].strip() == "---"), 0)
        k = end + 1
    prose_from = k
    while k < len(lines):
        m = re.match(r"\s*(`{3,}|~{3,})\s*\{code-cell\}", lines[k])
        if not m:
            k += 1
            continue
        for body, start, quote in _blocks(lines[prose_from:k], first_line + prose_from):
            segs.append(Segment(file, body, where, [(0, start)], quoted_all=quote))
        fence = m.group(1)
        end = next((j for j in range(k + 1, len(lines)) if lines[j].strip() == fence), len(lines))
        code = [l for l in lines[k + 1 : end]]
        code = ["" if re.match(r"\s*:[\w-]+:", l) else l for l in code]  # cell options
        segs += _python("\n".join(code), file, first_line + k + 1, where)
        k = prose_from = end + 1
    for body, start, quote in _blocks(lines[prose_from:], first_line + prose_from):
        segs.append(Segment(file, body, where, [(0, start)], quoted_all=quote))
    return segs


def _notebook(path: Path, rel: str) -> list[Segment]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    segs = []
    for i, cell in enumerate(nb["cells"]):
        src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        where = f"cell {i}"
        if cell["cell_type"] == "code":
            segs += _python(src, rel, 1, where)
        else:
            segs += _markdown(src, rel, 1, where)
    return segs


def _json_strings(node, path: str):
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _json_strings(value, f"{path}.{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            name = value.get("name") if isinstance(value, dict) else None
            yield from _json_strings(value, f"{path}[{name or i}]")
    elif isinstance(node, str):
        yield path.lstrip("."), node


def _datapackage(path: Path, rel: str) -> list[Segment]:
    raw = path.read_text(encoding="utf-8")
    segs = []
    for where, value in _json_strings(json.loads(raw), ""):
        if len(value.split()) < N:
            continue
        at = raw.find(json.dumps(value, ensure_ascii=False)[:40])
        line = raw.count("\n", 0, at) + 1 if at >= 0 else 0
        segs.append(Segment(rel, value, where, [(0, line)]))
    return segs


def _csv(path: Path, rel: str) -> list[Segment]:
    segs = []
    table = path.stem
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, [])
        for row in reader:
            for col, value in zip(header, row):
                if len(value.split()) >= N:
                    segs.append(Segment(rel, value, f"row {reader.line_num - 1}, column {col}",
                                        [(0, reader.line_num)], quoted_all=column_allowed(table, col)))
    return segs


def _yaml(path: Path, rel: str) -> list[Segment]:
    """Every string of a YAML file (the mistakes lists); a ``code`` value is read as Python."""
    segs: list[Segment] = []

    def walk(node, key=""):
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                walk(v, getattr(k, "value", ""))
        elif isinstance(node, yaml.SequenceNode):
            for v in node.value:
                walk(v, key)
        elif isinstance(node, yaml.ScalarNode) and isinstance(node.value, str):
            line = node.start_mark.line + 1 + (1 if node.style in ("|", ">") else 0)
            if key == "code":
                segs.extend(_python(node.value, rel, line))
            else:
                segs.append(Segment(rel, node.value, key, [(0, line)]))

    walk(yaml.compose(path.read_text(encoding="utf-8")))
    return segs


def our_files() -> list[str]:
    pats = ["chapters/*/*.md", "chapters/*/figures.py", "exercises/source/*/*.ipynb", "assignments/*.ipynb",
            "assignments/*.md", "instructors/*.md", "instructors/mistakes/*.md", "exercises/mistakes/*.yml",
            "intro.md", "data-catalogue.md",
            "data/datapackage.json", "data/*.csv"]
    return sorted({str(p.relative_to(REPO)) for pat in pats for p in REPO.glob(pat)})


@lru_cache(maxsize=None)
def segments(rel: str) -> list[Segment]:
    path = REPO / rel
    if rel.endswith(".ipynb"):
        return _notebook(path, rel)
    if rel.endswith(".py"):
        return _python(path.read_text(encoding="utf-8"), rel, 1)
    if rel.endswith(".json"):
        return _datapackage(path, rel)
    if rel.endswith(".csv"):
        return _csv(path, rel)
    if rel.endswith(".yml"):
        return _yaml(path, rel)
    return _markdown(path.read_text(encoding="utf-8"), rel)


# ---------------------------------------------------------------- the check ---------------------


@dataclass
class Hit:
    file: str
    where: str
    line: int
    shared: str
    unquoted: int
    source: str
    source_line: int

    def __str__(self) -> str:
        at = f"{self.file}:{self.line}" + (f" ({self.where})" if self.where else "")
        source = f"{self.source}:{self.source_line}" if self.source_line else self.source
        return (f"{at}: {len(self.shared.split())} words shared with {source}, "
                f"{self.unquoted} outside quotation marks: \"{self.shared}\"")


def hits_in(seg: Segment, src: Sources) -> list[Hit]:
    ws = words(seg.text)
    if len(ws) < N:
        return []
    toks = [w for w, _ in ws]
    spans = [(0, len(seg.text))] if seg.quoted_all else quoted_spans(seg.text)
    starts = sorted(spans)
    quoted = [any(a <= pos < b for a, b in starts) for _, pos in ws]
    for phrase in allowlist()["phrases"]:
        n = len(phrase)
        for i in range(len(toks) - n + 1):
            if tuple(toks[i : i + n]) == phrase:
                quoted[i : i + n] = [True] * n
    shared = [False] * len(toks)
    first: dict[int, tuple[str, int]] = {}
    for i in range(len(toks) - N + 1):
        found = src.find(tuple(toks[i : i + N]))
        if found:
            shared[i : i + N] = [True] * N
            first.setdefault(i, found)
    out = []
    i = 0
    while i < len(toks):
        if not shared[i]:
            i += 1
            continue
        j = i
        while j < len(toks) and shared[j]:
            j += 1
        unquoted = sum(1 for k in range(i, j) if not quoted[k])
        if unquoted >= UNQUOTED_LIMIT:
            source, source_line = first[i]
            text = " ".join(w if not quoted[k] else f"[{w}]" for k, w in enumerate(toks[i:j], start=i))
            out.append(Hit(seg.file, seg.where, seg.line(ws[i][1]), text, unquoted, source, source_line))
        i = j
    return out


def copy_hits(rel: str, src: Sources | None = None) -> list[Hit]:
    src = src or sources()
    return [h for seg in segments(rel) for h in hits_in(seg, src)]


# ---------------------------------------------------------------- tests -------------------------


@pytest.mark.parametrize("rel", our_files())
def test_no_unquoted_copy_from_the_source_texts(rel):
    hits = copy_hits(rel)
    via = ""
    if sources().hashed:
        via = (f"\n(Checked against {sources().origin}, as the source texts are not here: the source file "
               "and line come from its hashes.)")
    assert not hits, (
        f"{len(hits)} run(s) of {N}+ words copied from ../shared/source-texts without quotation marks "
        "(rewrite in our words keeping facts, numbers, names, dates, modality and scope; or quote a short "
        "phrase and attribute it; a name or title goes in tests/copy_allowlist.yaml with a reason). "
        "Words in [brackets] are quoted or allow-listed:\n" + "\n".join(f"  {h}" for h in hits) + via
    )


def _live_or_skip() -> Sources:
    live = live_sources(source_dir())
    if live is None:
        where = source_dir() or "COURSE_SOURCE_TEXTS=none"
        pytest.skip(f"the source texts are not here ({where}); the check runs on {FINGERPRINT.name}")
    return live


def test_the_fingerprint_matches_the_source_texts():
    """The committed fingerprint was made from the source texts as they are now (when they are here)."""
    live = _live_or_skip()
    if not FINGERPRINT.is_file():
        pytest.fail(f"{FINGERPRINT.relative_to(REPO)} is missing; {REGENERATE}")
    want, have = fingerprint_of(source_dir()), read_fingerprint(FINGERPRINT)
    diffs = []
    for name in sorted(set(want) | set(have)):
        if name not in have:
            diffs.append(f"{name}: not in the fingerprint")
        elif name not in want:
            diffs.append(f"{name}: in the fingerprint but not among the source texts")
        elif want[name] != have[name]:
            new, gone = len(want[name].keys() - have[name].keys()), len(have[name].keys() - want[name].keys())
            moved = sum(1 for k in want[name].keys() & have[name].keys() if want[name][k] != have[name][k])
            diffs.append(f"{name}: {new} window(s) new, {gone} gone, {moved} on another line")
    assert not diffs, (f"{FINGERPRINT.relative_to(REPO)} does not match {live.origin}; {REGENERATE}\n  "
                       + "\n  ".join(diffs))


def test_the_check_finds_a_copied_sentence_and_excuses_a_quoted_one():
    """The checker itself: a copied sentence fails, the same sentence quoted passes, a paraphrase passes;
    both with the live source texts and with the committed fingerprint alone."""
    live = _live_or_skip()
    gram = next(iter(live.grams))  # any 8 words of a source text, in order
    sentence = " ".join(gram)
    for src in (live, fingerprint_sources()):
        assert hits_in(Segment("t.md", f"We note that {sentence}, as reported."), src), src.origin
        assert not hits_in(Segment("t.md", f"We note that “{sentence}”, as reported."), src)
        assert not hits_in(Segment("t.md", f'We note that "{sentence}", as reported.'), src)
        assert not hits_in(Segment("t.md", "Completely our own words about visa bonds and the income they cost."), src)
        code = f'x = 1  # {sentence}\ny = "{sentence}"\n'
        assert len([h for s in _python(code, "t.py", 1) for h in hits_in(s, src)]) == 2, src.origin


def test_the_committed_fingerprint_alone_finds_a_planted_run(tmp_path):
    """A 10-word run of each source text, planted in a file, is found through the fingerprint alone,
    with the same report (source file and line) as the live texts give."""
    live = _live_or_skip()
    fp = fingerprint_sources()
    assert fp.hashed and not any(isinstance(k, tuple) for k in fp.grams)  # no words in it
    for name in live.files:
        text = (source_dir() / name).read_text(encoding="utf-8")
        ws = words(text)
        for i in range(len(ws) // 2, len(ws) - 11):  # from the middle on: the first 10-word run plain prose
            run = text[ws[i][1] : ws[i + 10][1]].strip()
            if "\n" in run or any(q in run for q in "\"'“”‘’"):
                continue
            planted = tmp_path / f"planted-{name}.md"
            planted.write_text(f"# A page\n\nOur own opening words come first, then {run} and our ending.\n",
                               encoding="utf-8")
            want = copy_hits(str(planted), live)
            if want:
                break
        else:
            pytest.fail(f"{name}: no plain 10-word run to plant")
        got = copy_hits(str(planted), fp)
        assert [str(h) for h in got] == [str(h) for h in want], name
        assert got[0].line == 3 and got[0].source in live.files and got[0].source_line > 0, got
    ours = tmp_path / "ours.md"
    ours.write_text("Visa bonds of up to fifteen thousand dollars weigh on travellers whose incomes are low.\n")
    assert not copy_hits(str(ours), fp)


def test_a_fingerprint_made_from_a_text_finds_it_without_the_text(tmp_path):
    """The fingerprint's round trip on a made-up source text (runs without the real ones): written,
    read back with the text gone, it finds a planted run and names the file and line; quoted, it passes."""
    folder = tmp_path / "texts"
    folder.mkdir()
    lines = ["A made-up source text for the fingerprint's own test.", "",
             "The caravan left the oasis at dawn and reached the river crossing before the heat of noon,",
             "where the ferrymen asked for twice the usual fare because the water stood so high."]
    (folder / "made-up.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out, again = tmp_path / "fp.json.gz", tmp_path / "again.json.gz"
    write_fingerprint(fingerprint_of(folder), out)
    write_fingerprint(fingerprint_of(folder), again)
    assert out.read_bytes() == again.read_bytes()  # deterministic (gzip mtime 0): no diff without a change
    assert b"caravan" not in gzip.decompress(out.read_bytes())  # hashes, no words
    (folder / "made-up.txt").unlink()
    src = fingerprint_sources(out)
    assert src.hashed and src.files == ["made-up.txt"]
    planted = "Our story: the ferrymen asked for twice the usual fare because the water rose."
    hits = hits_in(Segment("t.md", planted), src)
    assert len(hits) == 1 and hits[0].source == "made-up.txt" and hits[0].source_line == 4, hits
    assert "made-up.txt:4" in str(hits[0])
    across = "They reached the river crossing before the heat of noon, where the ferrymen waited."
    assert hits_in(Segment("t.md", across), src)[0].source_line == 3  # a run across lines 3-4: its first line
    assert not hits_in(Segment("t.md", "Our story: “the ferrymen asked for twice the usual fare because the water”."), src)
    assert not hits_in(Segment("t.md", "The ferrymen doubled their fare when the river was high."), src)


def test_allowlist_entries_have_reasons_and_are_used():
    """Every allow-listed name or title has a reason and still occurs in a file the check reads."""
    spec = yaml.safe_load(ALLOWLIST.read_text(encoding="utf-8")) or {}
    texts = {rel: " ".join(w for s in segments(rel) for w, _ in words(s.text)) for rel in our_files()}
    unused = []
    for entry in spec.get("phrases") or []:
        assert str(entry.get("reason", "")).strip(), f"{entry['text']!r} needs a reason"
        phrase = " ".join(w for w, _ in words(entry["text"]))
        if not any(f" {phrase} " in f" {t} " for t in texts.values()):
            unused.append(entry["text"])
    for entry in spec.get("columns") or []:
        assert str(entry.get("reason", "")).strip(), f"{entry} needs a reason"
        tables = sorted((REPO / "data").glob(f"{entry['table']}.csv"))
        having = [t for t in tables if entry["column"] in next(csv.reader(t.open(encoding="utf-8")), [])]
        if not having:
            unused.append(f"{entry['table']}.{entry['column']}")
    assert not unused, f"allow-list entries no file uses any more (remove them): {unused}"


# ---------------------------------------------------------------- the fingerprint, from the shell ----------


def main(argv: list[str]) -> int:
    import argparse

    ap = argparse.ArgumentParser(description="The copy check's fingerprint of the source texts.")
    ap.add_argument("--fingerprint", action="store_true",
                    help=f"write {FINGERPRINT.relative_to(REPO)} from the source texts (COURSE_SOURCE_TEXTS, "
                         "../shared/source-texts or /work/shared/source-texts)")
    args = ap.parse_args(argv)
    if not args.fingerprint:
        ap.print_help()
        return 2
    folder = source_dir()
    fp = fingerprint_of(folder)
    if not fp:
        print(f"no source texts (*.txt) at {folder}: set COURSE_SOURCE_TEXTS to their folder", file=sys.stderr)
        return 1
    write_fingerprint(fp, FINGERPRINT)
    windows = sum(len(t) for t in fp.values())
    print(f"wrote {FINGERPRINT.relative_to(REPO)} ({FINGERPRINT.stat().st_size:,} bytes): {windows:,} windows "
          f"of {len(fp)} source texts in {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
