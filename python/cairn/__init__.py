"""Cairn's logging helper: ``import cairn; cairn.log(step=3, loss=0.41, acc=0.87)``.

One file, no dependencies. Inside a run recorded by ``cairn run`` (the environment variable
CAIRN_RUN_DIR is set), metrics are appended as JSON lines to the run directory in batches
(flushed every half second, every 100 records and at exit), where the recorder picks them up
live. Outside a run, ``log`` does nothing, so scripts work unchanged without Cairn.
"""

import atexit
import json
import math
import os
import threading
import time

__all__ = ["log", "params", "flush", "run_dir"]

_FILE_NAME = "helper-metrics.jsonl"
_lock = threading.Lock()
_buffer = []
_last_flush = time.monotonic()


def run_dir():
    """The directory of the current run, or None outside a run."""
    return os.environ.get("CAIRN_RUN_DIR") or None


def params():
    """Every parameter of the current run (params file, defaults and -p overrides), flat keys."""
    # The file holds params of any size; CAIRN_PARAMS only small ones (the environment is limited).
    path = os.environ.get("CAIRN_PARAMS_FILE")
    if path:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    text = os.environ.get("CAIRN_PARAMS")
    return json.loads(text) if text else {}


def _number(value):
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return value
    try:  # numpy scalars, torch 0-d tensors
        return float(value)
    except (TypeError, ValueError):
        return None


def _encode(value):
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    return value


def log(step=None, **metrics):
    """Records metrics (numbers; NaN and infinities are kept) at an optional step."""
    if run_dir() is None:
        return
    values = {}
    for name, value in metrics.items():
        n = _number(value)
        if n is not None:
            values[name] = _encode(n)
    if not values:
        return
    record = {"v": values}
    if step is not None:
        record["step"] = step
    global _last_flush
    with _lock:
        _buffer.append(record)
        due = len(_buffer) >= 100 or time.monotonic() - _last_flush > 0.5
    if due:
        flush()


def flush():
    """Writes buffered records to the run directory."""
    global _last_flush
    directory = run_dir()
    # The write happens under the lock, so that records taken from the buffer are always
    # written before the interpreter's exit handler (which waits for the lock) returns.
    with _lock:
        records = list(_buffer)
        _buffer.clear()
        _last_flush = time.monotonic()
        if directory is None or not records:
            return
        lines = []
        for r in records:
            line = dict(r["v"])
            if "step" in r:
                line["step"] = r["step"]
            lines.append(json.dumps(line, allow_nan=True))
        data = ("\n".join(lines) + "\n").encode("utf-8")
        path = os.path.join(directory, _FILE_NAME)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, data)
        finally:
            os.close(fd)


def _flusher():
    while True:
        time.sleep(0.5)
        if _buffer:
            flush()


atexit.register(flush)
threading.Thread(target=_flusher, name="cairn-flush", daemon=True).start()
