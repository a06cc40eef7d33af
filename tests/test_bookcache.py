"""make book empties the execution cache when what the chapters read has changed (coursekit.bookcache)."""

from __future__ import annotations

from coursekit import bookcache


def _book(tmp_path):
    (tmp_path / "chapters" / "01-x").mkdir(parents=True)
    (tmp_path / "chapters" / "01-x" / "x.md").write_text("```{code-cell}\nfrom coursekit import regions\n```\n")
    (tmp_path / "chapters" / "01-x" / "figures.py").write_text("from coursekit.charts import (\n    data_table,\n)\n")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "t.csv").write_text("a,b\n1,2\n")
    return tmp_path


def test_the_cache_is_kept_while_its_inputs_are_unchanged_and_emptied_when_one_changes(tmp_path):
    root = _book(tmp_path)
    cache = bookcache.cache_dir(root)
    assert bookcache.refresh(root) is False and bookcache.is_current(cache, root)  # a new cache: stamped
    (cache / "executed").mkdir()
    assert bookcache.refresh(root) is False and (cache / "executed").exists()  # nothing changed: kept
    changes = [("data/t.csv", "a,b\n1,3\n"), ("chapters/01-x/figures.py", "from coursekit.charts import (data_table,)\n")]
    for path, text in changes:
        (cache / "executed").mkdir(exist_ok=True)
        (root / "_build" / ".doctrees").mkdir(exist_ok=True)
        (root / path).write_text(text)
        assert not bookcache.is_current(cache, root), path
        assert bookcache.refresh(root) is True and not (cache / "executed").exists(), path
        assert not (root / "_build" / ".doctrees").exists()  # Sphinx reads (and runs) every chapter again
        assert bookcache.is_current(cache, root)


def test_the_fingerprint_follows_the_coursekit_modules_the_chapters_import(tmp_path):
    names = {p.name for p in bookcache.chapter_modules(_book(tmp_path))}
    assert {"__init__.py", "regions.py", "charts.py"} <= names  # charts: a parenthesised import in figures.py
    assert "i18n.py" not in names and "judge.py" not in names
