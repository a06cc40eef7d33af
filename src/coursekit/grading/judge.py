"""The trusted judge: every test cell is judged in the grader's own process, never in the
student's kernel.

Code that runs first in an interpreter can change what runs later there (the check
helpers, builtins, IPython's handling of cells, the names the tests look up), so no test
that runs in the student's kernel can be trusted with a grade. Here:

- the kernel runs the test cell's *visible* part only (for the feedback the student and
  the grader read); hidden tests and their expected values never enter it;
- the judge runs the instructor's whole test cell (from the gradebook) in a namespace of
  its own, after the instructor's set-up cells (from ``source/``), with the grader's own
  ``coursekit.checks`` and data; a name the test reads that the judge does not have is
  the student's: a value is fetched from the kernel as plain data (:mod:`coursekit.wire`),
  once per test cell, and a function is called *in* the kernel with the judge's
  arguments, its result or exception coming back as plain data (:mod:`.probe`);
- the test cell's score is the judge's: its outputs are rewritten so that nbgrader's rule
  (an error output scores zero) gives exactly the judge's verdict, and a cell where the
  kernel's visible run and the judge disagree is flagged.
"""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import copy
import io
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from queue import Empty
from typing import Any, Callable

from nbclient.util import run_sync
from nbformat.notebooknode import NotebookNode
from nbgrader.utils import is_grade, is_locked, is_solution

from coursekit import wire

from .execute import EVENTS, GuardedExecute, only_warnings

HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS[ \t]*\n(.*?)^[ \t]*### END HIDDEN TESTS[ \t]*\n?", re.M | re.S)
#: Largest reply the judge reads from the kernel (bytes of JSON).
MAX_REPLY = 8 * 2**20
PROBE = "__import__('coursekit.grading.probe', fromlist=['answer']).answer({!r})"


class JudgeStop(BaseException):
    """The judgement of a cell cannot go on (time is up, the kernel died): a BaseException,
    so that no ``except Exception`` in a test swallows it."""


class JudgeTimeout(JudgeStop):
    pass


class KernelGone(JudgeStop):
    pass


def segments(source: str) -> list[tuple[bool, str]]:
    """The test cell as (hidden?, code) pieces, in order."""
    out, pos = [], 0
    for m in HIDDEN.finditer(source):
        out.append((False, source[pos:m.start()]))
        out.append((True, m.group(1)))
        pos = m.end()
    out.append((False, source[pos:]))
    return [(hidden, code) for hidden, code in out if code.strip()]


def visible(source: str) -> str:
    """What the student's kernel runs of a test cell: the source without its hidden tests."""
    return "".join(code for hidden, code in segments(source) if not hidden) or "pass\n"


class KernelLink:
    """Requests to the student's kernel on a shell channel of the judge's own, under a time
    budget counted like a cell's: ``cpu_budget`` seconds of the kernel's CPU time (``cpu``
    reads it), with a wall-clock backstop."""

    def __init__(self, connection_info: dict, cpu: Callable[[], float | None], alive: Callable[[], bool]):
        from jupyter_client.blocking import BlockingKernelClient

        self.client = BlockingKernelClient()
        self.client.load_connection_info(connection_info)
        self.client.start_channels(shell=True, iopub=False, stdin=False, hb=False, control=False)
        self.cpu, self.alive = cpu, alive
        self.budget(None, None)

    def budget(self, cpu_seconds: float | None, wall_seconds: float | None) -> None:
        now = time.monotonic()
        self._cpu0 = self.cpu() if cpu_seconds else None
        self._cpu_limit = cpu_seconds
        self._deadline = now + wall_seconds if wall_seconds else None

    def _over(self) -> str | None:
        if self._cpu0 is not None and self._cpu_limit and ((self.cpu() or self._cpu0) - self._cpu0) >= self._cpu_limit:
            return f"{self._cpu_limit:g} s of CPU time"
        if self._deadline is not None and time.monotonic() >= self._deadline:
            return "the wall-clock limit"
        return None

    def request(self, payload: dict) -> dict:
        msg_id = self.client.execute("", silent=True, store_history=False, allow_stdin=False,
                                     user_expressions={"r": PROBE.format(json.dumps(payload))})
        while True:
            try:
                msg = self.client.shell_channel.get_msg(timeout=0.2)
            except Empty:
                if (why := self._over()) is not None:
                    raise JudgeTimeout(f"the test ran past its time limit ({why}) in a call into your code")
                if not self.alive():
                    raise KernelGone("the kernel died during the test")
                continue
            if msg.get("parent_header", {}).get("msg_id") == msg_id:
                break
        expr = msg.get("content", {}).get("user_expressions", {}).get("r", {})
        if expr.get("status") != "ok":
            if expr.get("ename") == "KeyboardInterrupt":
                raise JudgeTimeout("the test was interrupted")
            raise wire.WireError(f"the kernel could not answer: {expr.get('ename', '?')}: {expr.get('evalue', '')}"[:500])
        text = expr.get("data", {}).get("text/plain", "")
        if not isinstance(text, str) or len(text) > MAX_REPLY:
            raise wire.WireError("the kernel's answer was too large to read")
        import ast

        try:
            reply = json.loads(ast.literal_eval(text))
        except (ValueError, SyntaxError, TypeError, RecursionError) as err:
            raise wire.WireError(f"the kernel's answer could not be read ({type(err).__name__})") from None
        if not isinstance(reply, dict):
            raise wire.WireError("the kernel's answer could not be read")
        return reply

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.client.stop_channels()


def _builtin_exception(reply: dict) -> BaseException:
    """The judge's version of an exception the student's code raised: the most specific
    builtin exception class in its MRO, with its message."""
    raised = reply.get("raised") or {}
    message = str(raised.get("message", ""))[:2000]
    for qualified in raised.get("mro", []) if isinstance(raised.get("mro"), list) else []:
        module, _, name = str(qualified).rpartition(".")
        kind = getattr(builtins, name, None) if module == "builtins" else None
        if isinstance(kind, type) and issubclass(kind, Exception):
            try:
                err = kind(message)
            except TypeError:  # needs more arguments (UnicodeDecodeError): its base class will do
                continue
            break
    else:
        err = StudentError(message)
    err.student_type = str(raised.get("type", "?"))[:200]
    return err


class StudentError(Exception):
    """The student's code raised an exception that is not one of Python's own."""


class KernelFunction:
    """A student's function, called in the kernel with the judge's arguments."""

    def __init__(self, link: KernelLink, name: str):
        self._link, self.__name__ = link, name

    def _arg(self, value: Any) -> dict:
        if isinstance(value, KernelFunction):
            return {"t": "ref", "name": value.__name__}
        return wire.encode(value)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        sent = [self._arg(a) for a in args]
        reply = self._link.request({"op": "call", "name": self.__name__, "args": sent,
                                    "kwargs": {k: self._arg(v) for k, v in kwargs.items()}})
        if "missing" in reply:
            raise NameError(f"name {self.__name__!r} is not defined")
        if "raised" in reply:
            raise _builtin_exception(reply)
        for arg, before, after in zip(args, sent, reply.get("args_after") or []):
            if after is not None and after != before:
                _update_in_place(arg, wire.decode(after))
        return wire.decode(reply.get("value"))

    def __repr__(self) -> str:
        return f"<your function {self.__name__}>"


def _update_in_place(target: Any, new: Any) -> None:
    """Mirror a change the student's function made to an argument onto the judge's object,
    so that a test of "leaves its input unchanged" sees it."""
    import pandas as pd

    if isinstance(target, list) and isinstance(new, list):
        target[:] = new
    elif isinstance(target, dict) and isinstance(new, dict):
        target.clear()
        target.update(new)
    elif isinstance(target, set) and isinstance(new, set):
        target.clear()
        target.update(new)
    elif isinstance(target, pd.DataFrame) and isinstance(new, pd.DataFrame):
        if target.index.equals(new.index):
            for col in [c for c in target.columns if c not in new.columns]:
                del target[col]
            for col in new.columns:
                target[col] = new[col]
        else:  # rows added or removed: the judge's table can only show that it changed
            target.drop(index=target.index, inplace=True)
    elif isinstance(target, pd.Series) and isinstance(new, pd.Series) and target.index.equals(new.index):
        target[:] = new.to_numpy()


class Namespace(dict):
    """The judge's globals: its own names first, then Python's builtins, then the student's
    names, fetched from the kernel once per test cell."""

    def __init__(self, link: KernelLink | None = None):
        super().__init__()
        self.link = link
        self.fetched: set[str] = set()

    def __missing__(self, name: str) -> Any:
        if hasattr(builtins, name):
            return getattr(builtins, name)
        if self.link is None:
            raise KeyError(name)
        reply = self.link.request({"op": "get", "name": name})
        if "missing" in reply:
            raise KeyError(name)
        encoded = reply.get("value")
        value = KernelFunction(self.link, name) if isinstance(encoded, dict) and encoded.get("t") == "function" \
            else wire.decode(encoded)
        self[name] = value
        self.fetched.add(name)
        return value

    def forget_student_values(self) -> None:
        for name in self.fetched:
            self.pop(name, None)
        self.fetched.clear()


@dataclass
class Verdict:
    passed: bool
    message: str | None = None  # why it failed, for the student
    ename: str | None = None
    visible_passed: bool | None = None  # the visible part alone, to compare with the kernel's run
    stopped: str | None = None  # "timeout" or "died": the kernel must be checked
    seconds: float = 0.0


_PRELUDES: dict[str, dict] = {}


def _copy_value(value: Any) -> Any:
    import pandas as pd

    if isinstance(value, (pd.DataFrame, pd.Series)):
        return value.copy(deep=True)
    if isinstance(value, (list, dict, set)):
        return copy.deepcopy(value)
    return value


def prelude(sources: list[str]) -> dict:
    """The names the instructor's set-up cells define, run once per worker for each distinct
    set-up, then copied (tables deep) for every submission."""
    key = "\n\0\n".join(sources)
    if key not in _PRELUDES:
        ns: dict = {"__name__": "__judge__"}
        with contextlib.redirect_stdout(io.StringIO()):
            for source in sources:
                exec(compile(source, "<set-up>", "exec"), ns)  # noqa: S102 - the instructor's code
        _PRELUDES[key] = ns
    return {k: _copy_value(v) for k, v in _PRELUDES[key].items()}


class Judge:
    """Judges the test cells of one submission, in order, against one live kernel."""

    def __init__(self, setup_sources: list[str], link: KernelLink | None):
        self.ns = Namespace(link)
        self.ns.update(prelude(setup_sources))

    def judge(self, source: str, cpu_seconds: float | None = None, wall_seconds: float | None = None) -> Verdict:
        started = time.monotonic()
        self.ns.forget_student_values()
        if self.ns.link is not None:
            self.ns.link.budget(cpu_seconds, wall_seconds)
        pieces = segments(source)
        try:
            code = [(hidden, compile(piece, "<test>", "exec")) for hidden, piece in pieces]
        except SyntaxError:  # hidden markers inside a block: judge the cell whole
            code = [(None, compile(source, "<test>", "exec"))]  # visible part unknown
        verdict = Verdict(True, visible_passed=True)
        with contextlib.redirect_stdout(io.StringIO()):
            for hidden, compiled in code:
                try:
                    exec(compiled, self.ns)  # noqa: S102 - the instructor's test code
                except JudgeTimeout as err:
                    verdict = Verdict(False, str(err), "TimeoutError", None, "timeout")
                except KernelGone as err:
                    verdict = Verdict(False, str(err), "DeadKernelError", None, "died")
                except wire.WireError as err:
                    verdict = Verdict(False, f"the grader could not read your answer: {err}", "UnreadableAnswer")
                except Exception as err:  # noqa: BLE001 - a failed check, or the student's own error
                    verdict = Verdict(False, _message(err), type(err).__name__)
                if not verdict.passed:  # the visible part passed if the failure is in a hidden part
                    verdict.visible_passed = hidden if verdict.stopped is None else None
                    break
        verdict.seconds = time.monotonic() - started
        return verdict


def _message(err: BaseException) -> str:
    student = getattr(err, "student_type", None)
    text = str(err)
    if student:
        return f"your code raised {student}" + (f": {text}" if text else "")
    return text


# ---------------------------------------------------------------- the preprocessor


def _stdout(text: str) -> NotebookNode:
    return NotebookNode(output_type="stream", name="stdout", text=text)


def is_test(cell) -> bool:
    return cell.cell_type == "code" and is_grade(cell) and not is_solution(cell)


def is_setup(cell) -> bool:
    return cell.cell_type == "code" and is_locked(cell) and not is_grade(cell) and not is_solution(cell)


def trusted_sources(db_url: str, source_nb: Path, assignment: str, notebook: str) -> tuple[list[str], dict[str, str]]:
    """The instructor's set-up cells that come before the first test cell (``source/``, in
    its order) and every test cell's full source (the gradebook: what nbgrader restores)."""
    import nbformat
    from nbgrader.api import Gradebook

    src = nbformat.read(source_nb, as_version=4)
    setup: list[str] = []
    for cell in src.cells:
        if is_test(cell):
            break
        if is_setup(cell):
            setup.append(cell.source)
    with Gradebook(db_url) as gb:
        nb = gb.find_notebook(notebook, assignment)
        tests = {c.name: c.source for c in nb.source_cells if c.name in {g.name for g in nb.grade_cells}}
    return setup, tests


class JudgedExecute(GuardedExecute):
    """:class:`GuardedExecute` whose test cells are judged by :class:`Judge`: the kernel runs
    their visible part, the judge decides their score."""

    def preprocess(self, nb, resources=None, km=None):
        from nbgrader.coursedir import CourseDirectory

        info = (resources or {}).get("nbgrader", {})
        coursedir = CourseDirectory(config=self.config)
        source_nb = Path(coursedir.format_path(coursedir.source_directory, ".", info["assignment"])) / f"{info['notebook']}.ipynb"
        self._setup, self._tests = trusted_sources(info["db_url"], source_nb, info["assignment"], info["notebook"])
        self._judge: Judge | None = None
        self._link: KernelLink | None = None
        self.judge_seconds = 0.0
        for cell in nb.cells:
            if is_test(cell):
                gid = cell.metadata["nbgrader"]["grade_id"]
                cell.source = visible(self._tests.get(gid, cell.source))
        try:
            nb, resources = super().preprocess(nb, resources, km)
        finally:
            if self._link is not None:
                self._link.close()
            for cell in nb.cells:  # the autograded notebook and the feedback show the whole test
                if is_test(cell):
                    cell.source = self._tests.get(cell.metadata["nbgrader"]["grade_id"], cell.source)
        EVENTS.append(("judge-seconds", f"{self.judge_seconds:.3f}"))
        return nb, resources

    def _kernel_alive(self) -> bool:
        import psutil

        pid = getattr(self.km, "kernel_pid", None)
        if pid is None:
            proc = getattr(getattr(self.km, "provisioner", None), "process", None)
            if proc is not None and hasattr(proc, "poll"):
                return proc.poll() is None
            pid = getattr(proc, "pid", None)
        if pid is None:
            return True
        try:
            return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
        except psutil.Error:
            return False

    def _the_judge(self) -> Judge:
        if self._judge is None:
            self._link = KernelLink(self.km.get_connection_info(), self._kernel_cpu, self._kernel_alive)
            self._judge = Judge(self._setup, self._link)
        return self._judge

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        cell = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        if not is_test(cell):
            return cell
        gid = cell.metadata["nbgrader"]["grade_id"]
        kernel_errors = [o for o in cell.outputs if o.get("output_type") == "error"]
        if self._stopped is not None or any(o.get("ename") in ("CellTimeoutError", "DeadKernelError", "NotRun")
                                            for o in kernel_errors):
            verdict = Verdict(False, "not judged: the test did not finish in the kernel", "NotRun")
        elif gid not in self._tests:  # not a test cell of the gradebook's: never judge the submission's copy
            verdict = Verdict(False, f"test cell {gid!r} is not in the gradebook", "UnknownTest")
        else:
            judge = self._the_judge()
            cpu = self.timeout if self.cpu_timeout and self.timeout and self.timeout > 0 else None
            wall = self._wall_limit()
            verdict = await asyncio.to_thread(judge.judge, self._tests[gid], cpu, wall)
            self.judge_seconds += verdict.seconds
            if verdict.stopped == "timeout":
                EVENTS.append(("cell-timeout", f"cell {cell_index} ({gid}): the judge's call into the student's code "
                                               "ran past its time limit and was interrupted"))
                await ensure_interrupted(self)
            elif verdict.stopped == "died":
                self._stopped = f"the kernel died while test {gid} was judged"
                EVENTS.append(("kernel-died", self._stopped))
        kernel_passed = not kernel_errors
        if verdict.visible_passed is not None and verdict.visible_passed != kernel_passed:
            EVENTS.append(("judge-disagrees", f"{gid}: the visible test {'passed' if kernel_passed else 'failed'} in the "
                                              f"kernel but {'passed' if verdict.visible_passed else 'failed'} when judged "
                                              "by the grader; the judge's score stands"))
        cell.outputs = judged_outputs(cell.outputs, verdict, gid)
        return cell

    # nbconvert's preprocess_cell calls the sync wrapper, bound to nbclient's method: rebind it.
    execute_cell = run_sync(async_execute_cell)


async def ensure_interrupted(ex: JudgedExecute) -> None:
    """After a judge's call ran out of time: interrupt the kernel; stop it if it stays busy."""
    with contextlib.suppress(Exception):
        await ex.km.interrupt_kernel()
    if not await ex._responsive():
        await ex._stop("a call into the student's code ignored the interrupt; the kernel was stopped",
                       "ignored-interrupt")


def judged_outputs(outputs: list, verdict: Verdict, gid: str) -> list:
    """The test cell's outputs, so that nbgrader's rule gives the judge's score: the kernel's
    printed lines stay (feedback); stderr becomes marked stdout; rich outputs (which nbgrader
    could read as partial credit) go; an error is there exactly when the judge failed it."""
    kept: list = []
    for out in outputs:
        kind = out.get("output_type")
        if kind == "stream" and out.get("name") == "stdout":
            kept.append(out)
        elif kind == "stream":
            text = str(out.get("text", ""))
            what = "a warning" if only_warnings(text) else "text"
            EVENTS.append(("stderr-warning", f"test {gid} printed {what} to stderr in the kernel "
                                             "(not counted: the judge decides the score)"))
            kept.append(_stdout(f"[printed to stderr in the kernel]\n{text}"))
        elif kind == "error" and not verdict.passed:
            kept.append(out)
        elif kind == "error":
            kept.append(_stdout(f"[in the kernel: {out.get('ename')}: {out.get('evalue')}]\n"))
    if not verdict.passed:
        message = verdict.message or "the test failed"
        if not any(o.get("output_type") == "error" and o.get("ename") == verdict.ename for o in kept):
            kept.append(NotebookNode(output_type="error", ename=verdict.ename or "TestFailed", evalue=message,
                                     traceback=[f"Judged by the grader: {message}"]))
    return kept
