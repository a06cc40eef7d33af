"""nbgrader preprocessors for running untrusted notebooks: a cell timeout counted in the
kernel's CPU time (a busy machine does not make a correct answer time out) with a
generous wall-clock backstop, a notebook-wide wall clock, a kernel that dies or ignores
interrupts costs only the cells not yet run, outputs capped in bytes, and how to tell a
Python warning on stderr from other text. What they notice goes to :data:`EVENTS`."""

from __future__ import annotations

import asyncio
import json
import re
import time
from queue import Empty

import psutil
from nbclient.client import timestamp
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbclient.util import ensure_async, run_sync
from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import Execute, NbGraderPreprocessor
from nbgrader.utils import is_grade, is_solution
from traitlets import Bool, Float, Integer

#: (kind, detail) pairs noticed while grading the current submission; the worker reads and clears it.
EVENTS: list[tuple[str, str]] = []


def _error(ename: str, evalue: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


def _size(out: dict) -> int:
    return len(json.dumps(out, default=str))


def tree_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by process ``pid`` and all its descendants,
    reaped children included."""
    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
        except psutil.Error:
            pass
    return total


class GuardedExecute(Execute):
    """nbgrader's Execute where a cell's ``timeout`` counts the kernel's CPU time (with
    ``cpu_timeout``), so that a loaded machine does not make a correct cell time out; a
    cell that waits without computing (sleep, input) is stopped by a wall-clock backstop
    (``wall_factor`` times the timeout, at least ``wall_min`` seconds). A wall clock also
    caps the whole notebook. After the kernel dies, overruns the clock or ignores an
    interrupt, the remaining cells are not run and get an error output (so their tests
    score zero) instead of the submission failing."""

    notebook_timeout = Integer(600, help="wall-clock cap for the whole notebook (s)").tag(config=True)
    interrupt_grace = Integer(15, help="seconds a kernel has to become responsive after an interrupt").tag(config=True)
    max_output_bytes = Integer(1_000_000, help="cap on the outputs of one cell (bytes, any type)").tag(config=True)
    cpu_timeout = Bool(True, help="count a cell's timeout in the kernel's CPU time, not wall clock").tag(config=True)
    wall_factor = Float(10.0, help="wall-clock backstop of a cell, in multiples of its (CPU) timeout").tag(config=True)
    wall_min = Integer(60, help="the wall-clock backstop of a cell is at least timeout + this (s)").tag(config=True)
    poll_interval = Float(0.2, help="how often the kernel's CPU time is read while a cell runs (s)").tag(config=True)

    def __init__(self, *args, **kwargs):
        from .sandbox import SandboxKernelManager

        kwargs.setdefault("kernel_manager_class", SandboxKernelManager)
        super().__init__(*args, **kwargs)
        if self.iopub_timeout < 15:  # the last output after a reply: generous on a busy machine
            self.iopub_timeout = 15

    def preprocess(self, nb, resources=None, km=None):
        self._deadline = time.monotonic() + self.notebook_timeout
        self._stopped: str | None = None
        self._bytes: dict[int, int] = {}
        self._stderr_stub: set[int] = set()
        self.timeout_func = self._cell_timeout
        nb, resources = super().preprocess(nb, resources, km)
        # widget state (comm messages) lands in the notebook's metadata, outside every cell's cap
        # (store_widget_state=False would break ipywidgets.Output, which the course uses)
        widgets = nb.metadata.get("widgets")
        if widgets and len(json.dumps(widgets, default=str)) > self.max_output_bytes:
            del nb.metadata["widgets"]
            EVENTS.append(("output-capped", f"widget state over {self.max_output_bytes} bytes dropped"))
        return nb, resources

    def _wall_limit(self) -> float | None:
        """Wall-clock seconds a cell may take (before the notebook's own cap)."""
        if not self.timeout or self.timeout < 0:
            return None
        if not self.cpu_timeout:
            return self.timeout
        return max(self.timeout * self.wall_factor, self.timeout + self.wall_min)

    def _cell_timeout(self, cell) -> int:
        remaining = self._deadline - time.monotonic()
        limit = self._wall_limit()
        return max(1, int(min(limit or remaining, remaining) + 0.999))

    def _kernel_cpu(self) -> float | None:
        pid = getattr(self.km, "kernel_pid", None)
        if pid is None:
            proc = getattr(getattr(self.km, "provisioner", None), "process", None)
            pid = getattr(proc, "pid", None)
        return None if pid is None else tree_cpu_seconds(pid)

    async def _async_poll_for_reply(self, msg_id, cell, timeout, task_poll_output_msg, task_poll_kernel_alive):
        """nbclient's loop, with the reply awaited in short slices: the cell times out when
        the kernel has used ``timeout`` CPU seconds since the cell started, or when the
        wall-clock limit (``timeout`` as passed: backstop or the notebook's cap) is reached."""
        cpu0 = self._kernel_cpu() if self.cpu_timeout and self.timeout and self.timeout > 0 else None
        if timeout is None or cpu0 is None:
            return await super()._async_poll_for_reply(msg_id, cell, timeout, task_poll_output_msg,
                                                       task_poll_kernel_alive)
        deadline = time.monotonic() + timeout
        timeout_reply = None
        while True:
            if timeout_reply is not None:
                msg = timeout_reply
                msg["parent_header"] = {"msg_id": msg_id}
            else:
                try:
                    msg = await ensure_async(self.kc.shell_channel.get_msg(timeout=self.poll_interval))
                except Empty:
                    cpu = (self._kernel_cpu() or cpu0) - cpu0
                    if cpu < self.timeout and time.monotonic() < deadline:
                        continue
                    task_poll_kernel_alive.cancel()
                    await self._async_check_alive()
                    self._timeout_kind = "cpu" if cpu >= self.timeout else "wall"
                    timeout_reply = await self._async_handle_timeout(self.timeout if cpu >= self.timeout else timeout,
                                                                     cell)
                    if timeout_reply is None:  # interrupted, no synthetic reply: wait for the kernel's
                        deadline = time.monotonic() + max(self.interrupt_grace, 1)
                    continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if self.record_timing:
                cell["metadata"]["execution"]["shell.execute_reply"] = timestamp(msg)
            try:
                await asyncio.wait_for(task_poll_output_msg, self.iopub_timeout)
            except (asyncio.TimeoutError, Empty):
                if self.raise_on_iopub_timeout:
                    task_poll_kernel_alive.cancel()
                    raise CellTimeoutError.error_from_timeout_and_cell(
                        "Timeout waiting for IOPub output", self.iopub_timeout, cell) from None
                self.log.warning("Timeout waiting for IOPub output")
            task_poll_kernel_alive.cancel()
            return msg

    def output(self, outs, msg, display_id, cell_index):
        """Drop outputs past the byte cap while the cell runs (protects the grader's memory).
        Dropped stderr leaves a short stderr stub, so that a test cell's stderr is still seen
        by the judge's output rewrite (:func:`.judge.judged_outputs`)."""
        if getattr(self, "clear_before_next_output", False):  # clear_output(wait=True) happens now
            self._reset_budget(cell_index)
        used = self._bytes.get(cell_index, 0)
        content = msg.get("content", {})
        size = len(json.dumps(content, default=str))
        if used + size > self.max_output_bytes:
            if used <= self.max_output_bytes:
                self._bytes[cell_index] = self.max_output_bytes + 1
                EVENTS.append(("output-capped", f"cell {cell_index}: outputs past {self.max_output_bytes} bytes dropped"))
                outs.append(NotebookNode(output_type="stream", name="stdout",
                                         text=f"\n... output truncated: more than {self.max_output_bytes} bytes ...\n"))
            if msg.get("msg_type") == "stream" and content.get("name") == "stderr" and cell_index not in self._stderr_stub:
                self._stderr_stub.add(cell_index)
                outs.append(NotebookNode(output_type="stream", name="stderr", text=stderr_stub(str(content.get("text", "")))))
            return None
        self._bytes[cell_index] = used + size
        return super().output(outs, msg, display_id, cell_index)

    def _reset_budget(self, cell_index: int) -> None:
        self._bytes.pop(cell_index, None)
        self._stderr_stub.discard(cell_index)

    def clear_output(self, outs, msg, cell_index):
        """An immediate clear_output empties the cell: its byte budget starts again."""
        super().clear_output(outs, msg, cell_index)
        if not msg.get("content", {}).get("wait"):
            self._reset_budget(cell_index)

    async def _responsive(self) -> bool:
        """Does the kernel answer a kernel_info request within ``interrupt_grace`` seconds?"""
        msg_id = self.kc.kernel_info()  # type: ignore[union-attr]
        deadline = time.monotonic() + self.interrupt_grace
        while (left := deadline - time.monotonic()) > 0:
            try:
                msg = await ensure_async(self.kc.shell_channel.get_msg(timeout=left))  # type: ignore[union-attr]
            except Exception:
                return False
            if msg.get("parent_header", {}).get("msg_id") == msg_id:
                return True
        return False

    async def _stop(self, reason: str, kind: str) -> None:
        self._stopped = reason
        EVENTS.append((kind, reason))
        try:
            await self.km.shutdown_kernel(now=True)  # type: ignore[union-attr]
        except Exception:
            pass

    async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
        if cell.cell_type != "code" or not cell.source.strip():
            return cell
        if self._stopped is None and time.monotonic() >= self._deadline:
            await self._stop(f"the notebook ran past its {self.notebook_timeout} s wall-clock cap", "wall-clock")
        if self._stopped is not None:
            cell.outputs = [_error("NotRun", f"not run: {self._stopped}")]
            return cell
        try:
            cell = await super().async_execute_cell(cell, cell_index, execution_count, store_history)
        except DeadKernelError:
            cell.outputs.append(_error("DeadKernelError", "the kernel died while running this cell"))
            self._stopped = f"the kernel died in cell {cell_index} (os._exit, a crash or the memory cap)"
            EVENTS.append(("kernel-died", self._stopped))
            return cell
        except CellTimeoutError:  # interrupted, but the kernel kept busy (no reply, no output)
            cell.outputs.append(_error("CellTimeoutError", "the cell did not stop when interrupted"))
            EVENTS.append(("cell-timeout", f"cell {cell_index} ran past its time limit and was interrupted"))
            await self._stop(f"cell {cell_index} ignored the interrupt; the kernel was stopped", "ignored-interrupt")
            return cell
        timed_out = any(o.get("ename") == "CellTimeoutError" for o in cell.outputs)
        if timed_out:
            how = {"cpu": f" ({self.timeout} s of CPU time)", "wall": " (wall clock)"}.get(
                getattr(self, "_timeout_kind", None) or "", "")
            self._timeout_kind = None
            EVENTS.append(("cell-timeout", f"cell {cell_index} ran past its time limit{how} and was interrupted"))
            if time.monotonic() >= self._deadline:
                await self._stop(f"the notebook ran past its {self.notebook_timeout} s wall-clock cap", "wall-clock")
            elif not await self._responsive():
                await self._stop(f"cell {cell_index} ignored the interrupt; the kernel was stopped", "ignored-interrupt")
        return cell

    # nbconvert's preprocess_cell calls the sync wrapper, bound to nbclient's method: rebind it.
    execute_cell = run_sync(async_execute_cell)


class LimitOutputBytes(NbGraderPreprocessor):
    """Cap the outputs of every code cell at ``max_bytes`` (streams, rich data, errors):
    nbgrader's LimitOutput counts lines of streams only."""

    max_bytes = Integer(1_000_000, help="cap on the outputs of one cell (bytes)").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        kept, used = [], 0
        for out in cell.get("outputs", []):
            size = _size(out)
            if used + size <= self.max_bytes:
                kept.append(out)
                used += size
                continue
            room = max(0, self.max_bytes - used)
            if out.get("output_type") == "stream":
                out.text = out.text[: room // 2] + "\n... output truncated ...\n"
                kept.append(out)
            elif out.get("output_type") == "error":  # keep the error (it decides the grade), trim it
                out.traceback = out.traceback[:3] + ["... traceback truncated ..."]
                out.evalue = str(out.evalue)[:1000]
                kept.append(out)
            else:
                kept.append(NotebookNode(output_type="stream", name="stdout",
                                         text=f"... a {out.get('output_type')} output of {size} bytes was removed ...\n"))
            used = self.max_bytes
            EVENTS.append(("output-capped", f"cell {index}: outputs cut to {self.max_bytes} bytes"))
        cell.outputs = kept
        return cell, resources


WARNING_LINE = re.compile(r"^\S.*:\d+: \w*Warning: ")
STDERR_TRUNCATED = "... stderr truncated (output cap) ..."


def stderr_stub(text: str, keep: int = 2000) -> str:
    """The first whole lines (up to ``keep`` characters) of dropped stderr, then a marker."""
    head = text[:keep]
    if len(text) > keep and "\n" in head:
        head = head[: head.rindex("\n") + 1]
    return head + ("" if head.endswith("\n") or not head else "\n") + STDERR_TRUNCATED + "\n"


def only_warnings(text: str) -> bool:
    """True if ``text`` is made of Python warnings only (``file:line: XWarning: msg`` plus
    the indented source line that ``warnings`` prints under it)."""
    lines = [ln for ln in text.splitlines() if ln.strip() and ln != STDERR_TRUNCATED]
    return bool(lines) and all(WARNING_LINE.match(ln) or ln.startswith((" ", "\t")) for ln in lines) \
        and WARNING_LINE.match(lines[0]) is not None
