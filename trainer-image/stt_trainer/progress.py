"""Progress of a run, served as JSON by rank 0, and the pod's termination message.

ProgressCallback follows transformers.TrainerCallback by duck typing (the Trainer only calls ``on_<event>(args,
state, control, **kwargs)``), so this module imports nothing beyond the standard library. ProgressServer serves its
snapshot at http://0.0.0.0:<progress.port><progress.path> from a daemon thread.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

# Kubernetes keeps at most 4096 bytes of /dev/termination-log.
TERMINATION_LIMIT = 4096
DEFAULT_TERMINATION_LOG = "/dev/termination-log"


class ProgressCallback:
    """Keeps {step, totalSteps, epoch, percent, loss, evalName, evalValue, samplesPerSecond, etaSeconds}.

    samples_per_step is what one optimizer step consumes over all ranks (batch x accumulation x world size); the
    rate and the ETA count only steps taken since this process started, so a resumed run does not look fast.
    """

    def __init__(self, eval_name: str, eval_metric: str, samples_per_step: int,
                 clock: Callable[[], float] = time.monotonic):
        self._lock = threading.Lock()
        self._clock = clock
        self._eval_metric = eval_metric
        self._samples_per_step = samples_per_step
        self._start_time: float | None = None
        self._start_step = 0
        self._state: dict[str, Any] = {
            "step": 0, "totalSteps": None, "epoch": None, "percent": 0.0, "loss": None, "evalName": eval_name,
            "evalValue": None, "samplesPerSecond": None, "etaSeconds": None,
        }

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return dict(self._state)

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        with self._lock:
            self._start_time = self._clock()
            self._start_step = state.global_step
            self._state["totalSteps"] = state.max_steps or None
            self._update_step(state)

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        with self._lock:
            self._update_step(state)

    def on_log(self, args: Any, state: Any, control: Any, logs: dict | None = None, **kwargs: Any) -> None:
        if logs and "loss" in logs:
            with self._lock:
                self._state["loss"] = logs["loss"]

    def on_evaluate(self, args: Any, state: Any, control: Any, metrics: dict | None = None, **kwargs: Any) -> None:
        metrics = metrics or {}
        # The Trainer prefixes evaluator metrics with eval_; a direct evaluator call does not.
        value = metrics.get(f"eval_{self._eval_metric}", metrics.get(self._eval_metric))
        if value is not None:
            with self._lock:
                self._state["evalValue"] = value

    def __getattr__(self, name: str) -> Callable[..., None]:
        # The Trainer calls every on_<event> of each callback; the others are no-ops.
        if name.startswith("on_"):
            return _ignore_event
        raise AttributeError(name)

    def _update_step(self, state: Any) -> None:
        step, total = state.global_step, self._state["totalSteps"]
        self._state["step"] = step
        self._state["epoch"] = state.epoch
        if total:
            self._state["percent"] = round(min(100.0, 100.0 * step / total), 2)
        done = step - self._start_step
        elapsed = self._clock() - self._start_time if self._start_time is not None else 0.0
        if done > 0 and elapsed > 0:
            self._state["samplesPerSecond"] = round(done * self._samples_per_step / elapsed, 2)
            if total:
                self._state["etaSeconds"] = round(max(0, total - step) * elapsed / done, 1)


def _ignore_event(*args: Any, **kwargs: Any) -> None:
    return None


class ProgressServer:
    """Serves a snapshot function as JSON at one path; 404 anywhere else."""

    def __init__(self, snapshot: Callable[[], dict], port: int, path: str, host: str = "0.0.0.0"):
        self._snapshot = snapshot
        self._path = path
        self._address = (host, port)
        self._server: ThreadingHTTPServer | None = None

    @property
    def port(self) -> int:
        """The bound port: the configured one, or the one the system picked for port 0."""
        return self._server.server_address[1]

    def start(self) -> ProgressServer:
        snapshot, path = self._snapshot, self._path

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if urlsplit(self.path).path != path:
                    self._send(404, {"error": f"not found; progress is at {path}"})
                else:
                    self._send(200, snapshot())

            def _send(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # polled every few seconds: request lines would drown the training log

        self._server = ThreadingHTTPServer(self._address, Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="stt-progress", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def termination_text(obj: dict, limit: int = TERMINATION_LIMIT) -> str:
    """Compact JSON of obj, under limit bytes: an "error" string is cut first, then trailing keys are dropped."""
    obj = dict(obj)
    text = _compact(obj)
    if len(text) >= limit and isinstance(obj.get("error"), str):
        # The longest head of the message that fits; escapes (\n, \u00e9) make its encoded length uneven, so search.
        marker = " ...[truncated]"
        message = obj["error"][:limit]
        low, high = 0, len(message)
        while low < high:
            middle = (low + high + 1) // 2
            if len(_compact({**obj, "error": message[:middle] + marker})) < limit:
                low = middle
            else:
                high = middle - 1
        obj["error"] = message[:low] + marker
        text = _compact(obj)
    if len(text) >= limit:
        while obj and len(_compact({**obj, "truncated": True})) >= limit:
            obj.popitem()
        text = _compact({**obj, "truncated": True})
    return text


def write_termination_message(obj: dict, path: str | None = None) -> None:
    """Write obj to the termination log (STT_TERMINATION_LOG, else /dev/termination-log); never raises."""
    path = path or os.environ.get("STT_TERMINATION_LOG", DEFAULT_TERMINATION_LOG)
    try:
        with open(path, "w", encoding="ascii") as f:
            f.write(termination_text(obj))
    except OSError as e:
        log.warning("cannot write the termination message to %s: %s", path, e)


def _compact(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=True, default=str)
