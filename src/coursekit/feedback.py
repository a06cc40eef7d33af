"""nbgrader preprocessors the course wires in through exercises/nbgrader_config.py.

- :class:`HideHiddenTests` (generate_feedback): the feedback HTML a student receives keeps their
  answers, scores, comments and the visible tests, but never the hidden test code. nbgrader copies
  the autograded notebook, hidden tests included, into the feedback by design (jupyter/nbgrader#917).
  The hidden region of every test cell is replaced by a one-line note, and error tracebacks are cut
  to their last line (a traceback quotes the failing source line, which may be a hidden test).
- :class:`QuietOverwriteCells` (autograde): nbgrader's OverwriteCells warns "Attribute 'checksum'
  for cell ... has changed!" for every test cell with hidden tests in *honest* submissions, because
  the released cell never had the hidden lines. This subclass puts the hidden tests back silently
  when the submitted cell is exactly the released one, and keeps the warning, worded as an edit of a
  test cell, when it is not (a tampered test cell is still restored and still reported).
"""

from __future__ import annotations

import copy

from nbgrader.api import MissingEntry
from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor, OverwriteCells
from traitlets import Unicode

HIDDEN_NOTE = "# (hidden tests: run when your work was graded; not shown in feedback)"


def _released_source(source: str, parent=None) -> str:
    """The source of a test cell as the student version shows it (hidden region removed)."""
    cell = {"cell_type": "code", "source": source, "metadata": {"nbgrader": {"grade": True}}}
    from nbformat import from_dict

    node = from_dict(cell)
    ClearHiddenTests(parent=parent)._remove_hidden_test_region(node)
    return node.source


def _norm(source: str) -> str:
    return "\n".join(line.rstrip() for line in source.strip().splitlines())


class HideHiddenTests(NbGraderPreprocessor):
    """Remove hidden test code from the notebook before nbgrader renders the feedback HTML."""

    begin = Unicode("BEGIN HIDDEN TESTS").tag(config=True)
    end = Unicode("END HIDDEN TESTS").tag(config=True)
    note = Unicode(HIDDEN_NOTE).tag(config=True)

    def _strip(self, source: str) -> tuple[str, list[str]]:
        kept, hidden, inside = [], [], False
        for line in source.split("\n"):
            if self.begin in line:
                inside = True
                kept.append(line[: len(line) - len(line.lstrip())] + self.note)
            elif self.end in line:
                inside = False
            elif inside:
                hidden.append(line.strip())
            else:
                kept.append(line)
        return "\n".join(kept), [h for h in hidden if h and not h.startswith("#")]

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type != "code":
            return cell, resources
        cell.source, hidden = self._strip(cell.source)
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                # the last line of a traceback is "Error: message"; the lines above quote source code
                out["traceback"] = [f"{out.get('ename', 'Error')}: {out.get('evalue', '')}"]
            elif out.get("output_type") == "stream" and hidden:
                text = out.get("text", "")
                if isinstance(text, list):
                    text = "".join(text)
                out["text"] = "\n".join(l for l in text.split("\n") if not any(h in l for h in hidden))
        return cell, resources


class QuietOverwriteCells(OverwriteCells):
    """OverwriteCells that does not cry tampering when only the hidden tests were missing."""

    def preprocess_cell(self, cell, resources, cell_index):
        meta = cell.metadata.get("nbgrader", {})
        grade_id = meta.get("grade_id")
        if grade_id and meta.get("grade") and cell.cell_type == "code":
            try:
                source_cell = self.gradebook.find_source_cell(grade_id, self.notebook_id, self.assignment_id)
            except MissingEntry:
                source_cell = None
            if (source_cell is not None and source_cell.locked and source_cell.source != cell.source
                    and _norm(cell.source) == _norm(_released_source(source_cell.source, parent=self))):
                self.log.debug("Cell %s: hidden tests put back (the submitted cell is the released one)", grade_id)
                cell = copy.deepcopy(cell)
                cell.source = source_cell.source
        return super().preprocess_cell(cell, resources, cell_index)

    def report_change(self, name, attr, old, new):
        if attr == "checksum":
            self.log.warning("Test cell %s was edited in the submission: restored from the gradebook "
                             "(Attribute 'checksum' for cell %s has changed! should be: %s, got: %s)",
                             name, name, old, new)
        else:
            super().report_change(name, attr, old, new)
