"""The kernel's side of the judge (:mod:`coursekit.grading.judge`): it answers the grader's
requests for a student's value or a call of a student's function with plain data
(:mod:`coursekit.wire`). It decides nothing: the kernel is the student's, so whatever it
answers is judged in the grader's process as the student's answer.

A request is one JSON object: ``{"op": "get", "name": "tkm_rate"}`` or
``{"op": "call", "name": "overstay_rate", "args": [...], "kwargs": {...}}``.
"""

from __future__ import annotations

import json

from coursekit import wire

MUTABLE = ("list", "dict", "set", "frame", "series")


def _namespace() -> dict:
    from IPython import get_ipython

    return get_ipython().user_ns


def _arg(obj, ns: dict):
    if isinstance(obj, dict) and obj.get("t") == "ref":  # one of the student's own functions, by name
        return ns[obj["name"]]
    return wire.decode(obj)


def _raised(err: BaseException) -> dict:
    kind = type(err)
    return {"raised": {"type": kind.__qualname__,
                       "mro": [f"{c.__module__}.{c.__qualname__}" for c in kind.__mro__],
                       "message": str(err)[:2000]}}


def answer(request: str) -> str:
    """The reply to one request, as one line of JSON."""
    req = json.loads(request)
    ns = _namespace()
    name = req.get("name")
    if name not in ns:
        return wire.dumps({"missing": name})
    if req.get("op") == "get":
        return wire.dumps({"value": wire.encode(ns[name], functions=True)})
    func = ns[name]
    args = [_arg(a, ns) for a in req.get("args", [])]
    kwargs = {k: _arg(v, ns) for k, v in req.get("kwargs", {}).items()}
    try:
        result = func(*args, **kwargs)
    except KeyboardInterrupt:
        raise
    except BaseException as err:  # noqa: BLE001 - the student's exception is the answer
        return wire.dumps(_raised(err))
    after = [wire.encode(a) if req["args"][i].get("t") in MUTABLE else None for i, a in enumerate(args)]
    return wire.dumps({"value": wire.encode(result), "args_after": after})
