"""Unit tests of coursekit: bad input gets a clear error, helpers do what they say."""

import json
import re
import shutil

import altair as alt
import ipywidgets as w
import pandas as pd
import pytest

from coursekit import charts, checks, data, regions, widgets
from coursekit.data import DataError

GOOD = data.DEFAULT_PACKAGE.parent / "ch06_overstays.csv"


@pytest.fixture
def package(tmp_path):
    """A copy of the data package whose ch06_overstays.csv a test may spoil."""
    shutil.copy(data.DEFAULT_PACKAGE, tmp_path / "datapackage.json")
    for res in data.package()["resources"]:
        shutil.copy(data.DEFAULT_PACKAGE.parent / res["path"], tmp_path / res["path"])
    return tmp_path


def spoil(package, old, new):
    path = package / "ch06_overstays.csv"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def error_of(package) -> DataError:
    with pytest.raises(DataError) as info:
        data.load("ch06_overstays", package)
    return info.value


def test_good_copy_loads(package):
    assert len(data.load("ch06_overstays", package)) == 6


def test_wrong_type_names_table_row_and_column(package):
    spoil(package, "TJK,2024,B-1/B-2,140", "TJK,2024,B-1/B-2,many")
    err = error_of(package)
    assert (err.table, err.row, err.column) == ("ch06_overstays", 2, "overstays")
    assert "integer" in str(err) and "'many'" in str(err)


def test_missing_column(package):
    path = package / "ch06_overstays.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False).drop(columns="overstays")
    frame.to_csv(path, index=False)
    err = error_of(package)
    assert "overstays" in str(err) and "column" in str(err)


def test_unknown_country_code(package):
    spoil(package, "HTI,", "XXX,")
    err = error_of(package)
    assert (err.row, err.column) == (6, "iso3") and "XXX" in str(err)


def test_negative_count(package):
    spoil(package, ",643,", ",-643,")
    err = error_of(package)
    assert (err.row, err.column) == (3, "overstays")


def test_rate_out_of_range(package):
    spoil(package, "15.89", "158.9")
    err = error_of(package)
    assert (err.row, err.column) == (1, "stated_rate_pct") and "100" in str(err)


def test_unknown_table_lists_the_known_ones():
    with pytest.raises(DataError, match="known tables: .*ch06_overstays"):
        data.load("no_such_table")


def test_missing_package_says_where_to_look(tmp_path):
    with pytest.raises(FileNotFoundError, match="COURSEKIT_DATA"):
        data.load("ch06_overstays", tmp_path / "nowhere")


def test_types_and_missing_values():
    frame = data.load("ch06_overstays")
    assert str(frame["overstays"].dtype) == "Int64"
    assert frame.set_index("iso3").loc["HTI", "visas_issued"] is pd.NA
    assert frame.attrs["table"] == "ch06_overstays" and "endnotes 8, 9" in frame.attrs["source"]


def test_source_and_keys():
    assert "Sobko" in data.source("ch06_overstays")
    assert data.citation_keys("ch06_overstays") == ["sobko2026visabonds", "timesca2026expands"]


def test_regions_have_distinct_colours_and_codes():
    cols = [c.colour for c in regions.COUNTRIES.values()]
    assert len(set(cols)) == len(cols)
    assert regions.CENTRAL_ASIA == ("KAZ", "KGZ", "TJK", "TKM", "UZB")
    assert regions.get("KGZ").iso_numeric == 417
    with pytest.raises(KeyError, match="unknown country code 'ZZZ'"):
        regions.get("ZZZ")


def test_theme_is_enabled_and_colour_blind_safe():
    assert alt.theme.active == "coursekit"
    assert charts.theme()["config"]["range"]["category"] == charts.PALETTE


def test_country_bars_uses_fixed_colours_and_labels():
    frame = charts.with_names(data.load("ch06_overstays"))
    spec = charts.country_bars(frame, "overstays", "Overstays").to_dict()
    bar, text = spec["layer"]
    assert bar["mark"]["type"] == "bar" and text["mark"]["type"] == "text"
    scale = bar["encoding"]["color"]["scale"]
    assert scale["range"][scale["domain"].index("Tajikistan")] == regions.get("TJK").colour


def test_describe_requires_real_alt_text():
    chart = alt.Chart(pd.DataFrame({"a": [1]})).mark_bar().encode(x="a:Q")
    with pytest.raises(ValueError, match="alt text"):
        charts.describe(chart, "")
    assert charts.describe(chart, "One bar of length one.")
    assert charts.describe(chart, "One bar of length one.").to_dict()["description"] == "One bar of length one."


def test_save_png_offline(tmp_path):
    chart = alt.Chart(pd.DataFrame({"a": [1, 2]})).mark_bar().encode(x="a:Q")
    path = charts.save_png(chart, tmp_path / "c.png")
    assert path.read_bytes()[:4] == b"\x89PNG"


class AlwaysEqual:
    def __eq__(self, other):
        return True


def test_check_close_passes_and_fails_with_a_message(capsys):
    checks.check_close("rate", 18.19, 18.19)
    assert "ok: rate" in capsys.readouterr().out
    with pytest.raises(checks.CheckFailed, match=r"rate: expected 18.19, got 7.9.*\nHint: divide"):
        checks.check_close("rate", 7.9, 18.19, hint="divide")


def test_checks_are_not_fooled_by_permissive_equality():
    with pytest.raises(checks.CheckFailed, match="expected a number"):
        checks.check_close("x", AlwaysEqual(), 1.0)
    with pytest.raises(checks.CheckFailed):
        checks.check_equal("x", AlwaysEqual(), 3)
    with pytest.raises(checks.CheckFailed, match="NaN"):
        checks.check_close("x", float("nan"), 1.0)
    with pytest.raises(checks.CheckFailed, match="expected a number"):
        checks.check_close("x", True, 1.0)


def test_check_raises():
    checks.check_raises("zero", lambda a: 1 / a if a else (_ for _ in ()).throw(ValueError()), (0,), ValueError)
    with pytest.raises(checks.CheckFailed, match="returned 1"):
        checks.check_raises("no error", lambda a: 1, (0,), ValueError)
    with pytest.raises(checks.CheckFailed, match="ZeroDivisionError"):
        checks.check_raises("wrong error", lambda a: 1 / a, (0,), ValueError)


def test_check_chart():
    frame = pd.DataFrame({"country": ["A"], "rate": [1.0]})
    chart = alt.Chart(frame).mark_bar().encode(x="rate:Q", y="country:N")
    checks.check_chart("c", chart, mark="bar", encodings={"x": "rate", "y": "country"}, columns={"rate"}, rows=1)
    with pytest.raises(checks.CheckFailed, match=r"mark\): expected 'line', got 'bar'"):
        checks.check_chart("c", chart, mark="line")
    with pytest.raises(checks.CheckFailed, match="encoding x"):
        checks.check_chart("c", chart, encodings={"x": "other"})
    with pytest.raises(checks.CheckFailed, match="expected an Altair chart"):
        checks.check_chart("c", "not a chart")


def _shown(box) -> str:
    """What an explorer's output area holds: its text, or its plain-text display."""
    (output,) = box.children[1].outputs
    return output.get("text") or output["data"]["text/plain"]


def test_explorer_renders_and_reports_errors():
    seen = []

    def render(country, bond):
        seen.append((country, bond))
        if bond > 10000:
            raise ValueError("too large")
        return f"{country}: {bond}"

    slider = w.IntSlider(value=5000, min=5000, max=15000, step=5000)
    box = widgets.explorer(render, country=widgets.country_dropdown(["TJK", "KGZ"]), bond=slider)
    assert isinstance(box.children[1], w.Output) and _shown(box) == "TJK: 5000\n"  # a message, shown without quote marks
    slider.value = 15000
    assert seen == [("TJK", 5000), ("TJK", 15000)]
    assert _shown(box) == "Cannot show this (ValueError): too large\n"  # replaces the chart


def test_explorer_explains_unfinished_work():
    def render(x):
        raise NotImplementedError()

    assert "write the function" in _shown(widgets.explorer(render, x=w.IntSlider()))


def test_country_dropdown_shows_names_returns_codes():
    dd = widgets.country_dropdown(["KAZ", "UZB"], value="UZB")
    assert dd.value == "UZB" and dd.options[0] == ("Kazakhstan", "KAZ")


def test_constraint_error_shows_the_bad_value(package):
    spoil(package, "15.89", "158.9")
    assert "'158.9'" in str(error_of(package))


def test_booleans_in_any_frictionless_spelling(package, monkeypatch):
    path = package / "ch06_bond_countries.csv"
    path.write_text(path.read_text().replace("KGZ,true", "KGZ,True").replace("KAZ,false", "KAZ,0"))
    frame = data.load("ch06_bond_countries", package).set_index("iso3")["bond_required"]
    assert frame["KGZ"] is True or frame["KGZ"] == True  # noqa: E712 (pandas boolean)
    assert frame["KAZ"] == False  # noqa: E712
    assert frame.notna().all()


def test_coursekit_data_env_is_read_at_call_time(package, monkeypatch):
    spoil(package, ",643,", ",-643,")
    monkeypatch.setenv("COURSEKIT_DATA", str(package))
    with pytest.raises(DataError):
        data.load("ch06_overstays")


def test_check_chart_finds_the_bar_layer_of_a_layered_chart():
    frame = charts.with_names(data.load("ch06_overstays"))
    layered = charts.country_bars(frame, "overstays", "Overstays")
    checks.check_chart("layered", layered, mark="bar", encodings={"x": "overstays", "y": "country"}, rows=6)
    assert len(checks.chart_values(layered)) == 6
    with pytest.raises(checks.CheckFailed, match="mark"):
        checks.check_chart("layered", layered, mark="line")


def test_check_equal_says_when_types_differ():
    import numpy as np
    with pytest.raises(checks.CheckFailed, match="expected type int, got type int64"):
        checks.check_equal("n", np.int64(3), 3)


def test_timeline_labels_dates_no_more_precisely_than_the_source():
    events = pd.DataFrame({"date": pd.to_datetime(["2025-08-06", "2025-04-01", "2023-01-01"]),
                           "precision": ["day", "month", "year"], "event": ["law", "summit", "programme"]})
    spec = charts.timeline(events, precision="precision").to_dict()
    labels = [row["label"] for row in next(iter(spec["datasets"].values()))]
    assert labels == ["2023: programme", "Apr 2025: summit", "06 Aug 2025: law"]


def test_timeline_rejects_an_unknown_precision():
    events = pd.DataFrame({"date": pd.to_datetime(["2025-08-06"]), "precision": ["week"], "event": ["x"]})
    with pytest.raises(ValueError, match="unknown date precision"):
        charts.timeline(events, precision="precision")


def _since_2021_events():
    """Two events known only as 'since 2021' (stored as 1 January) and one dated to the month."""
    return pd.DataFrame({"date": pd.to_datetime(["2021-01-01", "2021-08-01", "2021-01-01", "2025-12-30"]),
                         "precision": ["year", "month", "year", "day"],
                         "event": ["sanctions", "takeover", "bans", "plan"]})


def test_date_spans_cover_the_whole_day_month_or_year():
    spans = charts.date_spans(pd.to_datetime(pd.Series(["2024-02-01", "2021-01-01", "2025-12-30"])),
                              pd.Series(["month", "year", "day"]))
    assert list(spans["start"].dt.strftime("%Y-%m-%d")) == ["2024-02-01", "2021-01-01", "2025-12-30"]
    assert list(spans["end"].dt.strftime("%Y-%m-%d")) == ["2024-03-01", "2022-01-01", "2025-12-31"]


def test_timeline_draws_a_year_as_a_span_over_the_year_not_a_point_on_1_january():
    spec = charts.timeline(_since_2021_events(), precision="precision").to_dict()
    rows = {r["event"]: r for r in next(iter(spec["datasets"].values()))}
    assert rows["bans"]["period_start"].startswith("2021-01-01") and rows["bans"]["period_end"].startswith("2022-01-01")
    assert rows["takeover"]["period_end"].startswith("2021-09-01")  # a month: the whole month
    marks = {layer["mark"]["type"]: layer for layer in spec["layer"]}
    assert set(marks) == {"bar", "point"}
    assert marks["bar"]["encoding"]["x"]["field"] == "period_start"
    assert marks["bar"]["encoding"]["x2"]["field"] == "period_end"
    # only events known to the day are points
    assert marks["point"]["transform"] == [{"filter": "(datum.known_to === 'the day')"}]
    assert rows["bans"]["known_to"] == "the year" and rows["plan"]["known_to"] == "the day"


def test_timeline_lists_a_year_only_event_after_the_dated_events_of_that_year():
    spec = charts.timeline(_since_2021_events(), precision="precision").to_dict()
    order = [layer["encoding"]["y"]["sort"] for layer in spec["layer"]]
    assert order[0] == order[1] == ["Aug 2021: takeover", "2021: sanctions", "2021: bans", "30 Dec 2025: plan"]


def test_timeline_follows_an_explicit_order_column():
    events = _since_2021_events().assign(order=[1, 2, 3, 4])
    spec = charts.timeline(events, precision="precision", order="order").to_dict()
    assert spec["layer"][0]["encoding"]["y"]["sort"] == [
        "2021: sanctions", "Aug 2021: takeover", "2021: bans", "30 Dec 2025: plan"]


def test_timeline_without_precision_draws_points_only():
    events = pd.DataFrame({"date": pd.to_datetime(["2026-01-21", "2026-01-01"]), "event": ["b", "a"]})
    spec = charts.timeline(events).to_dict()
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["point"]
    assert spec["layer"][0]["encoding"]["y"]["sort"] == ["01 Jan 2026: a", "21 Jan 2026: b"]


def test_base_map_inlines_the_boundaries_so_it_renders_offline():
    from coursekit import maps

    spec = maps.base_map().to_dict()
    shapes = spec["layer"][0]
    assert shapes["data"]["format"] == {"type": "topojson", "feature": "countries"}
    topology = spec["datasets"][shapes["data"]["name"]]
    ids = {g["id"] for g in topology["objects"]["countries"]["geometries"]}
    assert {"398", "417", "762", "795", "860"} <= ids
    assert "url" not in json.dumps(spec)


def test_missing_map_file_says_where_to_look(tmp_path):
    from coursekit import maps

    with pytest.raises(FileNotFoundError, match="data/geo/README.md"):
        maps.topology(tmp_path / "absent.json")


def test_list_values_builds_alt_text_from_data():
    frame = pd.DataFrame({"country": ["Kazakhstan", "Tajikistan", "Turkmenistan"], "cpi": [38, 19, 17]})
    assert charts.list_values(frame, "country", "cpi") == "Kazakhstan 38, Tajikistan 19 and Turkmenistan 17"
    assert charts.list_values(frame.head(1), "country", "cpi", "{:.1f}", " points") == "Kazakhstan 38.0 points"
    with pytest.raises(ValueError, match="no rows"):
        charts.list_values(frame.head(0), "country", "cpi")


def test_map_boundaries_follow_coursekit_data(tmp_path, monkeypatch):
    from coursekit import maps

    monkeypatch.setenv("COURSEKIT_DATA", str(tmp_path))
    assert maps.geo_file() == tmp_path / "geo" / "central-asia-50m.topo.json"
    with pytest.raises(FileNotFoundError, match="map boundaries missing"):
        maps.topology()


def test_prose_numbers_are_plain_and_never_silently_wrong():
    import numpy as np

    from coursekit.book import plain

    assert plain("n", np.int64(313)) == 313 and type(plain("n", np.int64(313))) is int
    assert type(plain("x", np.float64(3.6))) is float
    assert plain("x", 30.0, int) == 30 and plain("who", "Kyrgyzstan") == "Kyrgyzstan"
    with pytest.raises(ValueError, match="not a whole number"):
        plain("cap", 19.5, int)
    for missing in (None, float("nan"), pd.NA):
        with pytest.raises(ValueError, match="missing"):
            plain("kgz_cpi", missing)
    with pytest.raises(TypeError, match="expected a number"):
        plain("when", pd.Timestamp("2025-08-06"))


def test_chart_renders_under_a_grading_kernels_memory_cap():
    """A grading kernel runs with a 2 GB address-space cap; vl-convert's JavaScript engine
    needs more, so the renderer must read the bundle kept by `coursekit vega-bundle`."""
    import subprocess
    import sys

    code = ("import resource; resource.setrlimit(resource.RLIMIT_AS, (2048 * 2**20, 2048 * 2**20))\n"
            "import altair as alt, pandas as pd, coursekit.charts\n"
            "out = alt.Chart(pd.DataFrame({'x': [1]})).mark_point().encode(x='x')._repr_mimebundle_()\n"
            "html = out[0]['text/html'] if isinstance(out, tuple) else out['text/html']\n"
            "assert 'vegaEmbed' in html and len(html) > 500_000, len(html)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_data_table_has_a_caption_and_named_headers():
    frame = pd.DataFrame({"what": ["Companies"], "n": [8]})
    html = charts.data_table(frame, "Counts", {"what": "Quantity", "n": "Value"}).to_html()
    assert "<caption>Counts</caption>" in html and ">Quantity</th>" in html
    with pytest.raises(ValueError, match="'Counts': a column has an empty header"):
        charts.data_table(frame, "Counts", {"what": "", "n": "Value"})


def test_data_table_prints_numbers_as_the_prose_does():
    """A column given no format must not print pandas' six decimals (ch07's shares read 59.000000) nor
    Python's True/False: whole numbers print without decimals, flags as yes/no, a given format wins."""
    frame = pd.DataFrame({"form": ["sexual", "other"], "share": [59.0, 12.0], "derived": [False, True],
                          "rate": [1.5, None], "mean": [42.66, 43.0]})
    html = charts.data_table(frame, "Shares", formats={"mean": "{:.1f}"}).to_html()
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", html)
    assert cells == ["sexual", "59", "no", "1.500000", "42.7", "other", "12", "yes", "–", "43.0"]


def test_explorer_draws_without_nbclient_writing_back_to_the_kernel(tmp_path):
    """A captured display in an Output widget made nbclient (nbgrader, myst-nb) send the widget's
    state on the shell channel mid-cell, after which it missed the cell's reply until its timeout
    (ch05's explorer cell: 30 s at timeout 30). The explorer must draw without that round trip."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import ipywidgets as w\nfrom coursekit import widgets\n"
        "widgets.explorer(lambda n: f'n = {n}', n=w.IntSlider(value=3))")])
    client = NotebookClient(nb, timeout=60, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
    sent = []
    with client.setup_kernel():
        send = client.kc.shell_channel.send
        client.kc.shell_channel.send = lambda msg: (sent.append(msg["header"]["msg_type"]), send(msg))
        client.execute_cell(nb.cells[0], 0)
    assert "comm_msg" not in sent, sent
    state = client.widget_state if hasattr(client, "widget_state") else {}
    shown = [o for s in state.values() for o in s.get("outputs", [])]
    assert any("n = 3" in (o.get("text") or o.get("data", {}).get("text/plain", "")) for o in shown), shown


def test_check_chart_checks_width_title_alt_text_and_order():
    """Issue 24: a 600 px chart with no description fails where the prompt asks for at most 480 px and alt text."""
    frame = pd.DataFrame({"country": ["A", "B"], "share": [1.0, 2.0]})
    bare = alt.Chart(frame).mark_bar().encode(x="share:Q", y="country:N")
    wide = bare.properties(width=600)
    with pytest.raises(checks.CheckFailed, match=r"c \(width\): expected at most 480 px, got 600 px"):
        checks.check_chart("c", wide, mark="bar", max_width=480)
    with pytest.raises(checks.CheckFailed, match=r"c \(alt text\): expected a description.*got no alt text"):
        checks.check_chart("c", bare, max_width=480, alt_text=True)
    with pytest.raises(checks.CheckFailed, match=r"c \(title\): expected a title, got no title"):
        checks.check_chart("c", bare, title=True)
    good = charts.describe(bare.encode(y=alt.Y("country:N", sort="-x")).properties(width=300),
                           "Two bars: A has a share of 1, B of 2; Kyrgyzstan has no score.", title="Shares, assumed")
    checks.check_chart("c", good, mark="bar", max_width=480, title=True, title_mentions=[("assum", "scenario")],
                       alt_text=True, alt_text_mentions=["Kyrgyzstan"], sort={"y": ["-x", "x"]})
    with pytest.raises(checks.CheckFailed, match=r"alt text that mentions 'Tajikistan'"):
        checks.check_chart("c", good, alt_text_mentions=["Tajikistan"])
    with pytest.raises(checks.CheckFailed, match=r"order of y\): expected a sort such as sort='-x', got no sort"):
        checks.check_chart("c", bare, sort={"y": ["-x"]})
    with pytest.raises(checks.CheckFailed, match=r"title that mentions 'assum' or 'scenario'"):
        checks.check_chart("c", charts.describe(bare, "Two bars of shares, one per country.", title="Shares"),
                           title_mentions=[("assum", "scenario")])
    layered = alt.layer(bare, bare.mark_text()).properties(width=700)
    with pytest.raises(checks.CheckFailed, match="700 px"):
        checks.check_chart("c", layered, mark="bar", max_width=480)
    # a sort field given as EncodingSortField: the order defaults to ascending
    by_field = bare.encode(y=alt.Y("country:N", sort=alt.EncodingSortField("share")))
    checks.check_chart("c", by_field, sort={"y": [{"field": "share"}]})
    with pytest.raises(checks.CheckFailed):
        checks.check_chart("c", by_field, sort={"y": [{"field": "share", "order": "descending"}]})


def test_checks_give_a_sentence_for_the_wrong_type():
    series = pd.Series([10], name="rank")
    with pytest.raises(checks.CheckFailed, match=r"expected a number, got a pandas Series of 1 value \(10\)\.\nHint: this is a whole column"):
        checks.check_close("gold_2026", series, 10, tol=0)
    with pytest.raises(checks.CheckFailed, match=r"got None\.\nHint: None usually means a function without `return`"):
        checks.check_close("x", None, 1.0)
    with pytest.raises(checks.CheckFailed, match=r"expected a tuple of 2 numbers, got \[100.0, 200.0\]"):
        checks.check_close("range", [100.0, 200.0], (100.0, 200.0))
    checks.check_close("range", (100.0, 200.000001), (100.0, 200.0))
    with pytest.raises(checks.CheckFailed, match=r"got \(100.0, 210.0\)"):
        checks.check_close("range", (100.0, 210.0), (100.0, 200.0))
    with pytest.raises(checks.CheckFailed, match=r"the first difference is item 2: expected 9, got 3"):
        checks.check_equal("l", [1, 2, 3, 4, 5], [1, 2, 9, 4, 5])
    with pytest.raises(checks.CheckFailed, match=r"expected type list, got type tuple"):
        checks.check_equal("l", (1, 2), [1, 2])
    with pytest.raises(checks.CheckFailed, match=r"expected a function, got 3"):
        checks.check_raises("f", 3, (1,), ValueError)
    frame = pd.DataFrame({"a": range(100)})
    with pytest.raises(checks.CheckFailed, match=r"got a pandas DataFrame \(100 rows; columns a\)") as info:
        checks.check_equal("t", frame, [1])
    assert len(str(info.value)) < 300  # never the whole table


def test_a_failed_check_renders_as_its_message_in_ipython():
    """IPython shows `_render_traceback_` instead of a traceback: the message and one line, nothing from checks.py."""
    try:
        checks.check_close("gold_2026", 10.5, 10, tol=0, hint="tied values share the best rank")
    except checks.CheckFailed as err:
        lines = err._render_traceback_()
    assert lines[:2] == ["gold_2026: expected 10, got 10.5.", "Hint: tied values share the best rank"]
    assert len(lines) == 3 and "checks.py" not in "".join(lines) and "Traceback" not in "".join(lines)
