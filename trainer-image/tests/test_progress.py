"""Progress tracking, its HTTP endpoint, and the termination message cap."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import unittest
import urllib.error
import urllib.request
from types import SimpleNamespace

from stt_trainer.progress import (
    TERMINATION_LIMIT,
    ProgressCallback,
    ProgressServer,
    termination_text,
    write_termination_message,
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def state(step: int, max_steps: int = 100, epoch: float = 0.0) -> SimpleNamespace:
    return SimpleNamespace(global_step=step, max_steps=max_steps, epoch=epoch)


class ProgressCallbackTest(unittest.TestCase):
    def setUp(self) -> None:
        self.clock = FakeClock()
        # 16 per device x 2 accumulation x 1 rank = 32 samples per optimizer step.
        self.progress = ProgressCallback("sts-dev", "sts-dev_spearman_cosine", samples_per_step=32, clock=self.clock)

    def test_initial_snapshot(self) -> None:
        self.assertEqual(self.progress.snapshot(), {
            "step": 0, "totalSteps": None, "epoch": None, "percent": 0.0, "loss": None, "evalName": "sts-dev",
            "evalValue": None, "samplesPerSecond": None, "etaSeconds": None})

    def test_training_updates_percent_rate_and_eta(self) -> None:
        self.progress.on_train_begin(None, state(0), None)
        self.clock.now += 5.0
        self.progress.on_step_end(None, state(10, epoch=0.1), None)
        self.progress.on_log(None, state(10), None, logs={"loss": 0.25, "learning_rate": 1e-5})
        self.progress.on_log(None, state(10), None, logs={"train_runtime": 5.0})  # no loss: keeps the last one
        self.progress.on_evaluate(None, state(10), None, metrics={"eval_sts-dev_spearman_cosine": 0.81,
                                                                  "eval_sts-dev_pearson_cosine": 0.8})
        snap = self.progress.snapshot()
        self.assertEqual((snap["step"], snap["totalSteps"], snap["epoch"], snap["percent"]), (10, 100, 0.1, 10.0))
        self.assertEqual((snap["loss"], snap["evalValue"]), (0.25, 0.81))
        self.assertEqual(snap["samplesPerSecond"], 64.0)  # 10 steps x 32 samples / 5 s
        self.assertEqual(snap["etaSeconds"], 45.0)  # 90 steps left at 0.5 s each

    def test_resumed_run_counts_only_its_own_steps(self) -> None:
        self.progress.on_train_begin(None, state(60), None)
        self.clock.now += 10.0
        self.progress.on_step_end(None, state(70), None)
        snap = self.progress.snapshot()
        self.assertEqual((snap["percent"], snap["samplesPerSecond"], snap["etaSeconds"]), (70.0, 32.0, 30.0))

    def test_unprefixed_evaluator_metrics(self) -> None:
        self.progress.on_evaluate(None, state(0), None, metrics={"sts-dev_spearman_cosine": 0.7})
        self.assertEqual(self.progress.snapshot()["evalValue"], 0.7)

    def test_other_trainer_events_are_no_ops(self) -> None:
        self.assertIsNone(self.progress.on_save(None, state(1), None, model=None))
        self.assertIsNone(self.progress.on_init_end(None, state(0), None))
        with self.assertRaises(AttributeError):
            self.progress.not_an_event  # noqa: B018


class ProgressServerTest(unittest.TestCase):
    def setUp(self) -> None:
        self.server = ProgressServer(lambda: {"step": 3, "percent": 12.5}, port=0, path="/progress",
                                     host="127.0.0.1").start()
        self.addCleanup(self.server.stop)

    def get(self, path: str) -> tuple[int, dict]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.server.port}{path}", timeout=5) as response:
                self.assertEqual(response.headers["Content-Type"], "application/json")
                return response.status, json.load(response)
        except urllib.error.HTTPError as e:
            return e.code, json.load(e)

    def test_serves_the_snapshot(self) -> None:
        self.assertEqual(self.get("/progress"), (200, {"step": 3, "percent": 12.5}))
        self.assertEqual(self.get("/progress?watch=1")[0], 200)

    def test_404_elsewhere(self) -> None:
        for path in ("/", "/metrics", "/progress/x"):
            with self.subTest(path):
                self.assertEqual(self.get(path)[0], 404)


class TerminationMessageTest(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.tmp)
        self.path = os.path.join(self.tmp, "termination-log")

    def written(self, obj: dict) -> tuple[int, dict]:
        write_termination_message(obj, self.path)
        with open(self.path, "rb") as f:
            data = f.read()
        return len(data), json.loads(data)

    def test_small_messages_are_compact_and_whole(self) -> None:
        size, obj = self.written({"loss": 0.1, "evalName": "sts-dev"})
        self.assertEqual(obj, {"loss": 0.1, "evalName": "sts-dev"})
        with open(self.path) as f:
            self.assertEqual(f.read(), '{"loss":0.1,"evalName":"sts-dev"}')

    def test_huge_error_is_cut_to_valid_json_under_4096_bytes(self) -> None:
        for message in ("x" * 100_000, "é\n\"" * 20_000, "traceback line\n" * 5000):
            with self.subTest(message[:5]):
                size, obj = self.written({"error": message})
                self.assertLess(size, TERMINATION_LIMIT)
                self.assertGreater(size, TERMINATION_LIMIT - 100)  # cut no more than needed
                self.assertTrue(obj["error"].startswith(message[:20]))
                self.assertTrue(obj["error"].endswith("...[truncated]"))

    def test_huge_metrics_drop_trailing_keys(self) -> None:
        metrics = {"loss": 0.1, "evalValue": 0.8, "eval": {f"metric_{i}": i / 7 for i in range(500)}}
        size, obj = self.written(metrics)
        self.assertLess(size, TERMINATION_LIMIT)
        self.assertEqual(obj, {"loss": 0.1, "evalValue": 0.8, "truncated": True})

    def test_limit_is_respected_for_any_limit(self) -> None:
        for limit in (64, 200, 1000):
            text = termination_text({"error": "y" * 5000, "rank": 3}, limit=limit)
            self.assertLess(len(text), limit)
            json.loads(text)

    def test_unwritable_path_does_not_raise(self) -> None:
        write_termination_message({"error": "x"}, os.path.join(self.tmp, "missing", "dir", "log"))

    def test_path_from_the_environment(self) -> None:
        from unittest import mock

        with mock.patch.dict(os.environ, {"STT_TERMINATION_LOG": self.path}):
            write_termination_message({"ok": True})
        with open(self.path) as f:
            self.assertEqual(json.load(f), {"ok": True})


if __name__ == "__main__":
    unittest.main()
