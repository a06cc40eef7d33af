"""The judge (coursekit.grading.judge): grades no student can forge.

A red team of cheating submissions of ch06_visa_bonds, written the way a determined student
would (the blank release plus a few lines in the first answer cell, no real work), graded
in one class run beside the perfect submission: every cheat must score zero on every test,
and the perfect one full marks. Then fast unit tests of the wire format and the judge's
namespace, with no kernel. Each new way to cheat becomes one more entry of CHEATS.
"""

from __future__ import annotations

import json

import pytest

from test_grading import A, coursekit_grade, gid, make_course, need_root, notebooks, perfect, results, submit

FUNCS = ["overstay_rate", "implied_denominator", "years_of_income", "indexed_bonds"]
VALUES = ["tkm_rate", "implied", "tjk_top_years", "rate_chart", "recomputed"]

#: A pre-run hook that (re)defines every name the tests read before each cell, so that a
#: cheat is not undone by the blank answer cells after it.
DUMMIES = f"""
import altair as _alt, pandas as _pd
def _dummies(info=None, make=lambda: 0.0):
    ns = get_ipython().user_ns
    for _n in {FUNCS!r}:
        ns[_n] = lambda *a, **k: make()
    for _n in {VALUES!r}:
        ns[_n] = make()
    ns["implied"] = _pd.Series({{"KGZ": make(), "TJK": make(), "TKM": make()}})
    ns["rate_chart"] = _alt.Chart(_pd.DataFrame({{"country": ["a"], "recomputed_rate_pct": [0.0]}})).mark_bar().encode(
        x="recomputed_rate_pct", y="country")
get_ipython().events.register("pre_run_cell", _dummies)
"""

CHEATS = {
    # IPython rewrites every test cell to `pass` before it runs (one line)
    "transformer-pass": "get_ipython().input_transformers_cleanup.append("
                        "lambda lines: ['pass\\n'] if any('check_' in l for l in lines) else lines)",
    # every later cell's AST wrapped in try/except: no test can raise
    "ast-swallow": """
import ast
class Swallow(ast.NodeTransformer):
    def visit_Module(self, node):
        handler = ast.ExceptHandler(type=ast.Name("BaseException", ast.Load()), name=None, body=[ast.Pass()])
        node.body = [ast.Try(body=node.body or [ast.Pass()], handlers=[handler], orelse=[], finalbody=[])]
        return ast.fix_missing_locations(node)
get_ipython().ast_transformers.append(Swallow())
""",
    # test cells end with the points as their result: nbgrader reads it as partial credit
    "fake-partial-credit": """
def _wrap(lines):
    if not any('check_' in l for l in lines):
        return lines
    body = ['    ' + l for l in lines] or ['    pass\\n']
    return ['try:\\n'] + body + ['\\nexcept BaseException:\\n    pass\\n', '2\\n']
get_ipython().input_transformers_cleanup.append(_wrap)
""",
    # the helpers' own failure path made silent, names defined as dummies
    "patch-helper-module": DUMMIES + """
import coursekit.checks as _ck
_ck._fail = lambda *a, **k: None
_ck._number = lambda what, got: 0.0
""",
    # the helpers rebound by name, out of the validator's sight
    "rebind-helpers-by-name": DUMMIES + """
for _n in ["close", "equal", "raises", "chart"]:
    globals()["check_" + _n] = lambda *a, **k: print("ok: trust me")
""",
    # builtins the helpers use: every distance is zero, every type is right
    "patch-builtins": DUMMIES + """
import builtins
builtins.abs = lambda x: 0
builtins.isinstance = lambda *a: True
""",
    # a number that reads the expected value out of the checking helper's frame
    "frame-reading-number": """
import numbers, sys
class Lazy:
    def __float__(self):
        f = sys._getframe(1)
        while f is not None and "expected" not in f.f_locals:
            f = f.f_back
        return float(f.f_locals["expected"]) if f is not None else 0.0
    def __eq__(self, other):
        return True
    __hash__ = object.__hash__
numbers.Real.register(Lazy)
""" + DUMMIES.replace("make=lambda: 0.0", "make=lambda: Lazy()"),
    # the test cell's source read as it starts (with its hidden tests, on the old path):
    # every value and every call it checks answered from a table built from the test itself
    "read-hidden-source": """
import ast
_table = {}
def _answer(name):
    def f(*args):
        hit = _table.get((name, args))
        if hit == "raise":
            raise ValueError("as the test expects")
        return hit
    return f
def _read(info):
    try:
        tree = ast.parse(info.raw_cell)
    except SyntaxError:
        return
    ns = get_ipython().user_ns
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and len(node.args) >= 3):
            continue
        kind, target = node.func.id, node.args[1]
        try:
            if kind in ("check_close", "check_equal"):
                value = eval(compile(ast.Expression(node.args[2]), "<t>", "eval"), ns)
                if isinstance(target, ast.Name):
                    ns[target.id] = value
                elif isinstance(target, ast.Call) and isinstance(target.func, ast.Name):
                    args = tuple(ast.literal_eval(a) for a in target.args)
                    _table[(target.func.id, args)] = value
                    ns[target.func.id] = _answer(target.func.id)
            elif kind == "check_raises" and isinstance(target, ast.Name):
                _table[(target.id, ast.literal_eval(node.args[2]))] = "raise"
                ns[target.id] = _answer(target.id)
        except Exception:
            pass
get_ipython().events.register("pre_run_cell", _read)
""",
    # every function raises an exception whose MRO claims ValueError
    "exception-claims-valueerror": """
class _Meta(type):
    def mro(cls):
        return (cls, ValueError, Exception, BaseException, object)
class Fake(Exception, metaclass=_Meta):
    pass
def _raise(*a, **k):
    raise Fake("bad input, honestly")
""" + DUMMIES.replace("ns[_n] = lambda *a, **k: make()", "ns[_n] = _raise"),
    # a float whose value changes every time it is read
    "value-changes-between-reads": """
import itertools
_seq = itertools.cycle([18.19, 20.0, 9.09, 7663.9, 1210.0])
class Shifty(float):
    def __float__(self):
        return next(_seq)
    def __eq__(self, other):
        return True
    __hash__ = float.__hash__
""" + DUMMIES.replace("make=lambda: 0.0", "make=lambda: Shifty(0.0)"),
    # a thread that keeps the helpers patched, whatever runs in between
    "thread-keeps-patching": DUMMIES + """
import threading, time
def _keep():
    ns = get_ipython().user_ns
    while True:
        for n in ("check_close", "check_equal", "check_raises", "check_chart"):
            ns[n] = lambda *a, **k: None
        time.sleep(0.001)
threading.Thread(target=_keep, daemon=True).start()
""",
    # the kernel's side of the judge rewritten to answer everything with a passing-looking value
    "tamper-with-the-probe": """
import coursekit.grading.probe as _probe
_probe.answer = lambda request: '{"value": {"t": "float", "v": 18.19}}'
""",
    # exceptions from the checks never reach nbgrader
    "custom-exception-handler": DUMMIES + """
import sys
_ip = get_ipython()
_ip.set_custom_exc((BaseException,), lambda *a, **k: None)
_ip.showtraceback = lambda *a, **k: None
sys.excepthook = lambda *a: None
""",
    # resources: an answer too big and too deep for the grader to read, helpers swapped in sys.modules
    "huge-and-deep-values": DUMMIES + """
import sys, types
_fake = types.ModuleType("coursekit.checks")
for _n in ("check_close", "check_equal", "check_raises", "check_chart"):
    setattr(_fake, _n, lambda *a, **k: None)
_fake.chart_values = lambda chart: []
sys.modules["coursekit.checks"] = _fake
def _more(info=None):
    ns = get_ipython().user_ns
    ns["tkm_rate"] = "9" * 40_000_000
    deep = []
    for _ in range(100_000):
        deep = [deep]
    ns["implied"] = deep
    ns.update({n: getattr(_fake, n) for n in ("check_close", "check_equal", "check_raises", "check_chart")})
get_ipython().events.register("pre_run_cell", _more)
""",
}


def _cheating(release: dict, code: str) -> dict:
    """The blank release with ``code`` in place of its first answer cell."""
    nb = json.loads(json.dumps(release))
    first = next(c for c in nb["cells"] if c["cell_type"] == "code"
                 and c.get("metadata", {}).get("nbgrader", {}).get("solution"))
    first["source"] = code
    return nb


@pytest.fixture(scope="module")
def red_team(tmp_path_factory):
    need_root()
    course = make_course(tmp_path_factory.mktemp("red-team"), A)
    release = notebooks(course, A)[1]
    submit(course, A, "perfect", perfect(course, A))
    for name, code in CHEATS.items():
        submit(course, A, name, _cheating(release, code))
    proc = coursekit_grade(course, A, "--workers", "2", "--cell-timeout", "20")
    return {"course": course, "proc": proc, "results": results(course, A)}


def test_red_team_is_big_enough():
    assert len(CHEATS) >= 12


@pytest.mark.slow
@pytest.mark.parametrize("cheat", sorted(CHEATS))
def test_cheat_scores_nothing(red_team, cheat):
    from nbgrader.api import Gradebook

    r = red_team["results"][cheat]
    assert r["status"] == "graded", r
    with Gradebook(f"sqlite:///{red_team['course'] / 'gradebook.db'}") as gb:
        sub = gb.find_submission(A, cheat)
        earned = {g.name: g.auto_score for nb in sub.notebooks for g in nb.grades if g.auto_score}
    assert not earned, f"{cheat} earned {earned}"


@pytest.mark.slow
def test_honest_work_keeps_full_marks_beside_the_cheats(red_team):
    r = red_team["results"]["perfect"]
    assert r["auto_score"] == r["auto_max"] == 10 and not r["flags"], r
    assert 0 < r["judge_seconds"] < r["seconds"]


@pytest.mark.slow
def test_a_cheat_that_passes_in_the_kernel_is_flagged(red_team):
    """The visible tests pass in the cheat's own kernel (its cells became `pass`), the
    judge fails them: the instructor sees which cells disagree."""
    flags = " | ".join(red_team["results"]["transformer-pass"]["flags"])
    assert "test_overstay_rate" in flags and "judge's score stands" in flags


@pytest.mark.slow
def test_hidden_tests_never_reach_the_kernel_but_reach_the_feedback(red_team):
    """The cheat that reads each test cell as it starts saw only the visible part; the
    autograded notebook (for feedback and the formgrader) shows the whole test."""
    nb = json.loads((red_team["course"] / "autograded" / "read-hidden-source" / A / f"{A}.ipynb").read_text())
    test = next(c for c in nb["cells"] if gid(c) == "test_overstay_rate")
    assert "BEGIN HIDDEN TESTS" in "".join(test["source"])
    assert any(o.get("output_type") == "error" for o in test["outputs"])


# ---------------------------------------------------------------- no kernel: wire and namespace


def test_wire_round_trip_keeps_values_and_types():
    import numpy as np
    import pandas as pd

    from coursekit import data, wire

    table = data.load("ch06_gni_per_capita")
    for value in [None, True, 3, np.int64(3), 2.5, float("nan"), "x", (1, 2.0), [1, [2]], {"a": (1, 2)}, {1, 2},
                  range(3), table, table["iso3"], table.set_index("iso3")["gni_per_capita_usd"], pd.Timestamp("2024-06-01")]:
        back = wire.decode(json.loads(wire.dumps(wire.encode(value))))
        if isinstance(value, (pd.DataFrame, pd.Series)):
            assert value.equals(back) and str(getattr(value, "dtypes", getattr(value, "dtype", ""))) == \
                str(getattr(back, "dtypes", getattr(back, "dtype", "")))
        elif isinstance(value, float) and value != value:
            assert back != back
        else:
            assert back == value and type(back) is type(value), (value, back)


def test_wire_never_lets_an_object_lie():
    from coursekit import wire

    class Sneaky(float):
        def __eq__(self, other):
            return True

    class Anything:
        def __eq__(self, other):
            return True

    assert type(wire.decode(wire.encode(Sneaky(0)))) is float
    assert wire.decode(wire.encode(Sneaky(0))) != 5
    opaque = wire.decode(wire.encode(Anything()))
    assert opaque != 5 and "Anything" in repr(opaque)
    with pytest.raises(wire.WireError):
        wire.decode({"t": "pickle", "v": "gASVAAAA"})
    deep: list = []
    for _ in range(100):
        deep = [deep]
    with pytest.raises(wire.WireError):
        wire.encode(deep)


def test_judge_runs_tests_in_its_own_namespace_with_the_visible_part_apart():
    from coursekit.grading.judge import Judge, segments, visible

    source = ('check_equal("x", x, 2)\n### BEGIN HIDDEN TESTS\ncheck_equal("x + 1", x + 1, 4)\n'
              '### END HIDDEN TESTS\n')
    assert visible(source) == 'check_equal("x", x, 2)\n'
    assert [hidden for hidden, _ in segments(source)] == [False, True]
    judge = Judge(["from coursekit.checks import check_equal\nx = 2"], link=None)
    verdict = judge.judge(source)
    assert not verdict.passed and verdict.visible_passed is True and "x + 1" in verdict.message
    verdict = judge.judge('check_equal("len", len([1, 2]), 2)')
    assert verdict.passed
    verdict = judge.judge('check_equal("y", y, 1)')  # a student name, with no kernel to ask
    assert not verdict.passed and verdict.ename == "NameError"


def test_judged_outputs_give_nbgrader_exactly_the_judges_score():
    from nbformat.notebooknode import NotebookNode
    from nbgrader.utils import determine_grade

    from coursekit.grading.judge import Verdict, judged_outputs

    def score(outputs, verdict):
        cell = NotebookNode(cell_type="code", source="", metadata={"nbgrader": {"grade": True, "solution": False,
                                                                                "points": 2, "grade_id": "t"}})
        cell.outputs = judged_outputs([NotebookNode(o) for o in outputs], verdict, "t")
        return determine_grade(cell)[0]

    ok = {"output_type": "stream", "name": "stdout", "text": "ok: x\n"}
    err = {"output_type": "error", "ename": "CheckFailed", "evalue": "no", "traceback": []}
    two = {"output_type": "execute_result", "data": {"text/plain": "2"}, "metadata": {}, "execution_count": 1}
    noise = {"output_type": "stream", "name": "stderr", "text": "debugging\n"}
    assert score([ok], Verdict(True)) == 2
    assert score([ok, noise], Verdict(True)) == 2  # stderr no longer decides: the judge does
    assert score([err], Verdict(True)) == 2  # the kernel failed, the judge passed: the judge stands
    assert score([ok], Verdict(False, "hidden test", "CheckFailed")) == 0
    assert score([two], Verdict(False, "hidden test", "CheckFailed")) == 0  # no partial credit from a fake result
    assert score([two], Verdict(True)) == 2


def test_an_exception_needing_more_arguments_is_still_the_builtin_it_derives_from():
    from coursekit.grading.judge import _builtin_exception

    err = _builtin_exception({"raised": {"type": "UnicodeDecodeError", "message": "bad byte", "mro": [
        "builtins.UnicodeDecodeError", "builtins.UnicodeError", "builtins.ValueError", "builtins.Exception",
        "builtins.BaseException", "builtins.object"]}})
    assert isinstance(err, ValueError) and "bad byte" in str(err)
    fake = _builtin_exception({"raised": {"type": "Fake", "message": "m", "mro": ["__main__.Fake", "builtins.SystemExit"]}})
    assert not isinstance(fake, (SystemExit, ValueError))
