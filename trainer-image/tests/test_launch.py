"""Launch commands per topology and device, the worker's environment, exit codes and signal forwarding."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from unittest import mock

from stt_trainer import launch
from stt_trainer.config import ConfigError, load_config
from stt_trainer.device import detect_device, dist_backend
from tests.helpers import CONFIG_PATH, config, config_dict, edited, worker_env, write_json

PY = "/usr/bin/python3"
TRAIN = ["stt_trainer.train", "--config", CONFIG_PATH]
TRAINER_IMAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def command(workers: int = 1, cards: int = 1, zero: int = 0, device: str = "hpu", index: int = 0) -> list[str]:
    return launch.build_command(config(workers, cards, zero), worker_env(workers, cards, index), device, python=PY)


class BuildCommandTest(unittest.TestCase):
    def test_one_card_runs_one_rank(self) -> None:
        for device in ("hpu", "cuda", "cpu"):
            with self.subTest(device):
                self.assertEqual(command(device=device), [PY, "-m", *TRAIN])

    def test_eight_cards_without_zero_use_torchrun(self) -> None:
        for device in ("hpu", "cuda", "cpu"):
            with self.subTest(device):
                self.assertEqual(command(cards=8, device=device),
                                 [PY, "-m", "torch.distributed.run", "--nproc_per_node", "8", "--master_port", "29500",
                                  "-m", *TRAIN])

    def test_eight_cards_with_zero_use_the_deepspeed_launcher(self) -> None:
        for device in ("hpu", "cuda"):
            with self.subTest(device):
                self.assertEqual(command(cards=8, zero=3, device=device),
                                 ["deepspeed", "--num_nodes", "1", "--num_gpus", "8", "--no_local_rank",
                                  "--master_port", "29500", "--module", *TRAIN])

    def test_zero_on_cpu_falls_back_to_torchrun(self) -> None:
        self.assertEqual(command(cards=4, zero=2, device="cpu")[:5],
                         [PY, "-m", "torch.distributed.run", "--nproc_per_node", "4"])

    def test_two_workers_rendezvous_at_worker_zero(self) -> None:
        for device in ("hpu", "cuda", "cpu"):
            for index in (0, 1):
                with self.subTest(device=device, worker=index):
                    self.assertEqual(command(workers=2, cards=8, device=device, index=index),
                                     [PY, "-m", "torch.distributed.run", "--nproc_per_node", "8", "--nnodes", "2",
                                      "--node_rank", str(index), "--master_addr",
                                      "run-worker-0.run-workers.default.svc", "--master_port", "29500", "-m", *TRAIN])

    def test_two_workers_with_zero_still_use_torchrun(self) -> None:
        # The operator picks torch.distributed.run for several workers: DeepSpeed's launcher would need ssh.
        self.assertEqual(command(workers=2, cards=8, zero=3)[2], "torch.distributed.run")

    def test_master_port_from_the_environment(self) -> None:
        env = {**worker_env(1, 8), "MASTER_PORT": "31000"}
        self.assertIn("31000", launch.build_command(config(cards=8), env, "hpu", python=PY))


class TopologyTest(unittest.TestCase):
    def assert_env_error(self, env: dict, path: str, workers: int = 2, cards: int = 8) -> None:
        with self.assertRaises(ConfigError) as caught:
            launch.resolve_topology(config(workers, cards), env)
        self.assertEqual(caught.exception.path, path, str(caught.exception))

    def test_defaults_without_the_operator_env(self) -> None:
        t = launch.resolve_topology(config(cards=8), {})
        self.assertEqual((t.workers, t.cards_per_worker, t.worker_index, t.master_addr, t.master_port),
                         (1, 8, 0, "localhost", 29500))

    def test_mismatch_with_train_json(self) -> None:
        self.assert_env_error({**worker_env(2, 8), "STT_CARDS_PER_WORKER": "4"},
                              "env STT_NUM_WORKERS x STT_CARDS_PER_WORKER")
        self.assert_env_error({**worker_env(2, 8), "STT_NUM_WORKERS": "4", "STT_CARDS_PER_WORKER": "4"},
                              "env STT_NUM_WORKERS x STT_CARDS_PER_WORKER")

    def test_bad_values(self) -> None:
        self.assert_env_error({**worker_env(2, 8), "STT_WORKER_INDEX": "2"}, "env STT_WORKER_INDEX")
        self.assert_env_error({**worker_env(2, 8), "STT_WORKER_INDEX": "-1"}, "env STT_WORKER_INDEX")
        self.assert_env_error({**worker_env(2, 8), "STT_NUM_WORKERS": "two"}, "env STT_NUM_WORKERS")
        self.assert_env_error({**worker_env(2, 8), "MASTER_PORT": "x"}, "env MASTER_PORT")
        self.assert_env_error({**worker_env(2, 8), "MASTER_ADDR": ""}, "env MASTER_ADDR")


class DeviceTest(unittest.TestCase):
    def test_backends(self) -> None:
        self.assertEqual([dist_backend(d) for d in ("hpu", "cuda", "cpu")], ["hccl", "nccl", "gloo"])

    def test_override(self) -> None:
        self.assertEqual(detect_device({"STT_DEVICE": "HPU"}), "hpu")
        with self.assertRaises(ConfigError):
            detect_device({"STT_DEVICE": "tpu"})

    def test_detected(self) -> None:
        self.assertIn(detect_device({}), ("hpu", "cuda", "cpu"))


class LaunchMainTest(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.tmp)
        self.termination_log = os.path.join(self.tmp, "termination-log")

    def run_main(self, raw: dict, env: dict | None = None) -> tuple[int, dict]:
        path = write_json(self.tmp, "train.json", raw)
        with mock.patch.dict(os.environ, {**(env or worker_env()), "STT_TERMINATION_LOG": self.termination_log}), \
                contextlib.redirect_stderr(io.StringIO()) as stderr:
            code = launch.main(["--config", path])
        with open(self.termination_log) as f:
            message = json.load(f)
        self.assertIn(f"stt-trainer: {message['error']}", stderr.getvalue())
        return code, message

    def test_invalid_config_exits_2_with_the_key_in_the_termination_message(self) -> None:
        code, message = self.run_main(edited(config_dict(), "training.batchSize", "x"))
        self.assertEqual(code, 2)
        self.assertEqual(message, {"error": "invalid configuration: training.batchSize: expected an integer >= 1, "
                                            "got 'x'"})

    def test_bad_recipe_columns_exit_2(self) -> None:
        code, message = self.run_main(edited(config_dict(), "datasets.0.columns", {"anchor": "text"}))
        self.assertEqual(code, 2)
        self.assertIn("datasets[0].columns.anchor", message["error"])

    def test_environment_mismatch_exits_2(self) -> None:
        code, message = self.run_main(config_dict(cards=8), env=worker_env(cards=4))
        self.assertEqual(code, 2)
        self.assertIn("STT_CARDS_PER_WORKER", message["error"])

    def test_module_entry_point(self) -> None:
        path = write_json(self.tmp, "bad.json", edited(config_dict(), "version", 2))
        env = {**os.environ, "STT_TERMINATION_LOG": self.termination_log, "PYTHONPATH": TRAINER_IMAGE}
        done = subprocess.run([sys.executable, "-m", "stt_trainer.launch", "--config", path], env=env,
                              capture_output=True, text=True, timeout=60)
        self.assertEqual(done.returncode, 2, done.stderr)
        self.assertIn("version: unsupported contract version 2", done.stderr)
        with open(self.termination_log) as f:
            self.assertIn("unsupported contract version", json.load(f)["error"])

    def test_spawned_ranks_report_the_first_failure(self) -> None:
        # A stand-in for torchrun: rank 1 fails first with 2, rank 0 later with 1, the launcher itself exits 1.
        child = ("import os, time\n"
                 "from stt_trainer.launch import record_rank_failure\n"
                 "d = os.environ['STT_ERROR_DIR']\n"
                 "record_rank_failure(d, 1, 2, 'invalid configuration: datasets[0].columns.score: no such column')\n"
                 "time.sleep(0.01)\n"
                 "record_rank_failure(d, 0, 1, 'RuntimeError: collective timed out')\n"
                 "raise SystemExit(1)\n")
        env = {**os.environ, "PYTHONPATH": TRAINER_IMAGE}
        code = launch.spawn(config(cards=8), [sys.executable, "-c", child], env, self.termination_log)
        self.assertEqual(code, 2)
        with open(self.termination_log) as f:
            self.assertEqual(json.load(f)["error"],
                             "rank 1: invalid configuration: datasets[0].columns.score: no such column")

    def test_spawned_success_reports_rank_zeros_metrics(self) -> None:
        raw = config_dict(cards=8)
        raw["output"]["metricsFile"] = write_json(self.tmp, "metrics.json", {"loss": 0.1, "evalValue": 0.8})
        cfg = load_config(write_json(self.tmp, "train.json", raw))
        code = launch.spawn(cfg, [sys.executable, "-c", "pass"], {**worker_env(1, 8)}, self.termination_log)
        self.assertEqual(code, 0)
        with open(self.termination_log) as f:
            self.assertEqual(json.load(f), {"loss": 0.1, "evalValue": 0.8})

    def test_spawned_failure_without_a_record(self) -> None:
        code = launch.spawn(config(cards=8), [sys.executable, "-c", "raise SystemExit(3)"], dict(os.environ),
                            self.termination_log)
        self.assertEqual(code, 3)
        with open(self.termination_log) as f:
            self.assertEqual(json.load(f), {"error": "torch.distributed.run exited with code 3"})


class SuperviseTest(unittest.TestCase):
    """supervise() against real child processes."""

    def setUp(self) -> None:
        self.tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.tmp)
        self.ready = os.path.join(self.tmp, "ready")

    def signal_self_when_ready(self, signum: int) -> threading.Thread:
        """Send signum to this process (the launcher) once the child has installed its handler."""

        def wait_and_signal() -> None:
            deadline = time.monotonic() + 20
            while not os.path.exists(self.ready) and time.monotonic() < deadline:
                time.sleep(0.01)
            os.kill(os.getpid(), signum)

        thread = threading.Thread(target=wait_and_signal, daemon=True)
        thread.start()
        return thread

    def child(self, handler: str, signum: str = "SIGTERM") -> list[str]:
        code = ("import signal, sys, time\n"
                f"signal.signal(signal.{signum}, {handler})\n"
                f"open({self.ready!r}, 'w').close()\n"
                "time.sleep(30)\n"
                "sys.exit(9)\n")
        return [sys.executable, "-c", code]

    def test_sigterm_is_forwarded_and_the_childs_code_returned(self) -> None:
        before = signal.getsignal(signal.SIGTERM)
        thread = self.signal_self_when_ready(signal.SIGTERM)
        started = time.monotonic()
        code = launch.supervise(self.child("lambda *a: sys.exit(7)"))
        thread.join()
        self.assertEqual(code, 7)
        self.assertLess(time.monotonic() - started, 15)
        self.assertEqual(signal.getsignal(signal.SIGTERM), before)  # the launcher's own handler is back

    def test_sigint_is_forwarded_too(self) -> None:
        thread = self.signal_self_when_ready(signal.SIGINT)
        code = launch.supervise(self.child("signal.SIG_DFL", "SIGINT"))
        thread.join()
        self.assertEqual(code, 128 + signal.SIGINT)

    def test_a_child_that_ignores_sigterm_is_killed_after_the_grace_period(self) -> None:
        thread = self.signal_self_when_ready(signal.SIGTERM)
        code = launch.supervise(self.child("signal.SIG_IGN"), grace_seconds=0.5)
        thread.join()
        self.assertEqual(code, 128 + signal.SIGKILL)

    def test_exit_codes_pass_through(self) -> None:
        self.assertEqual(launch.supervise([sys.executable, "-c", "raise SystemExit(5)"]), 5)
        self.assertEqual(launch.supervise([sys.executable, "-c", "pass"]), 0)

    def test_first_rank_failure(self) -> None:
        self.assertIsNone(launch.first_rank_failure(self.tmp))
        launch.record_rank_failure(self.tmp, 3, 1, "late")
        with open(os.path.join(self.tmp, "rank-5.json"), "w") as f:
            f.write("{broken")  # a rank killed while writing
        with open(os.path.join(self.tmp, "rank-4.json"), "w") as f:
            json.dump({"rank": 4, "exitCode": 2, "error": "early", "time": 1.0}, f)
        self.assertEqual(launch.first_rank_failure(self.tmp)["rank"], 4)


if __name__ == "__main__":
    unittest.main()
