"""``python -m stt_trainer.launch --config /etc/stt/train.json``: the command of every worker pod.

Checks train.json and the worker's environment, then runs the ranks of this worker as optimum-habana's gaudi_spawn.py
would: one card in this process; several cards with the DeepSpeed launcher (ZeRO) or torch.distributed.run; several
workers with torch.distributed.run and env:// rendezvous at MASTER_ADDR (worker 0, through the operator's headless
Service), never ssh.

Exit codes: 0 done; 2 invalid configuration (the operator fails the run at once); anything else is a failure that the
operator retries by restarting all workers, and the ranks resume from the latest checkpoint. The termination log gets
the final metrics or {"error": ...}.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import recipes
from .config import Config, ConfigError, load_config
from .device import detect_device
from .progress import DEFAULT_TERMINATION_LOG, write_termination_message

log = logging.getLogger("stt_trainer.launch")

# Where spawned ranks record why they failed (record_rank_failure): torchrun itself only exits 1.
ERROR_DIR_ENV = "STT_ERROR_DIR"
# The pod's terminationGracePeriodSeconds is 120: leave the ranks most of it to stop, then kill them.
STOP_GRACE_SECONDS = 100.0


@dataclass(frozen=True)
class Topology:
    workers: int
    cards_per_worker: int
    worker_index: int
    master_addr: str
    master_port: int


def resolve_topology(config: Config, env: Mapping[str, str]) -> Topology:
    """The worker's place in the run, from the operator's env, cross-checked with train.json."""
    d = config.distributed
    workers = _env_int(env, "STT_NUM_WORKERS", d.workers, minimum=1)
    cards = _env_int(env, "STT_CARDS_PER_WORKER", d.cards_per_worker, minimum=1)
    index = _env_int(env, "STT_WORKER_INDEX", 0, minimum=0)
    port = _env_int(env, "MASTER_PORT", d.master_port, minimum=1)
    if (workers, cards) != (d.workers, d.cards_per_worker):
        raise ConfigError("env STT_NUM_WORKERS x STT_CARDS_PER_WORKER",
                          f"{workers} x {cards} = {workers * cards} ranks, but distributed says {d.workers} x "
                          f"{d.cards_per_worker} = {d.world_size}")
    if index >= workers:
        raise ConfigError("env STT_WORKER_INDEX", f"expected an integer below STT_NUM_WORKERS ({workers}), got {index}")
    master_addr = env.get("MASTER_ADDR", "").strip()
    if not master_addr:
        if workers > 1:
            raise ConfigError("env MASTER_ADDR", "required with several workers (worker 0's address)")
        master_addr = "localhost"
    return Topology(workers, cards, index, master_addr, port)


def build_command(config: Config, env: Mapping[str, str], device: str, python: str = sys.executable) -> list[str]:
    """The command that runs this worker's ranks of stt_trainer.train.

    For the python launcher it is the one-rank command, which launch runs in-process instead of spawning.
    """
    if config.source is None:
        raise ValueError("the config must come from a file: spawned ranks read it again")
    topology = resolve_topology(config, env)
    train = ["stt_trainer.train", "--config", config.source]
    launcher = config.distributed.launcher
    if launcher == "deepspeed" and device == "cpu":
        # DeepSpeed's launcher counts accelerators and finds none on a CPU host.
        launcher = "torch.distributed.run"
    if launcher == "python":
        return [python, "-m", *train]
    if launcher == "deepspeed":
        # --no_local_rank: the ranks read LOCAL_RANK from the environment, as under torchrun.
        return ["deepspeed", "--num_nodes", "1", "--num_gpus", str(topology.cards_per_worker), "--no_local_rank",
                "--master_port", str(topology.master_port), "--module", *train]
    command = [python, "-m", "torch.distributed.run", "--nproc_per_node", str(topology.cards_per_worker)]
    if topology.workers > 1:
        command += ["--nnodes", str(topology.workers), "--node_rank", str(topology.worker_index),
                    "--master_addr", topology.master_addr]
    return command + ["--master_port", str(topology.master_port), "-m", *train]


def supervise(command: Sequence[str], env: Mapping[str, str] | None = None,
              grace_seconds: float = STOP_GRACE_SECONDS) -> int:
    """Run command in its own process group and return its exit code (128 + N when killed by signal N).

    SIGTERM and SIGINT sent to the launcher (pod deletion, a gang restart) go to the whole group, so the ranks stop
    too; those still running grace_seconds later are killed.
    """
    child = subprocess.Popen(list(command), env=None if env is None else dict(env), start_new_session=True)
    kill_at: list[float] = []

    def forward(signum: int, frame: Any) -> None:
        log.warning("launch: got %s, stopping the ranks", signal.Signals(signum).name)
        _signal_group(child.pid, signum)
        kill_at.append(time.monotonic() + grace_seconds)

    previous = {s: signal.signal(s, forward) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        while True:
            try:
                code = child.wait(timeout=0.5)
                break
            except subprocess.TimeoutExpired:
                if kill_at and time.monotonic() > kill_at[0]:
                    _signal_group(child.pid, signal.SIGKILL)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    return 128 - code if code < 0 else code


def record_rank_failure(error_dir: str, rank: int, exit_code: int, error: str) -> None:
    """Leave a failed rank's exit code and message for the launcher (written whole, then renamed into place)."""
    record = {"rank": rank, "exitCode": exit_code, "error": error, "time": time.time()}
    path = os.path.join(error_dir, f"rank-{rank}.json")
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        json.dump(record, f)
    os.replace(path + ".tmp", path)


def first_rank_failure(error_dir: str) -> dict | None:
    """The earliest failure recorded by a rank in error_dir, or None."""
    records = []
    for entry in sorted(os.listdir(error_dir)):
        if not (entry.startswith("rank-") and entry.endswith(".json")):
            continue
        try:
            with open(os.path.join(error_dir, entry), encoding="utf-8") as f:
                records.append(json.load(f))
        except (OSError, ValueError):
            continue  # a rank killed while writing
    return min(records, key=lambda r: r.get("time", 0.0), default=None)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m stt_trainer.launch", description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", required=True, help="train.json written by stt-operator")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    termination_log = os.environ.get("STT_TERMINATION_LOG", DEFAULT_TERMINATION_LOG)
    env = dict(os.environ)
    try:
        config = load_config(args.config)
        recipes.check_columns(config)
        device = detect_device(env)
        command = build_command(config, env, device)
    except ConfigError as e:
        return _invalid(e, termination_log)
    if config.cache_dir:
        # The Hugging Face libraries read HF_HOME when imported: set it before the training code is loaded.
        os.environ.setdefault("HF_HOME", config.cache_dir)
        env.setdefault("HF_HOME", config.cache_dir)
    log.info("launch: %s on %s, %s", config.name, device, " ".join(command))
    if config.distributed.launcher == "python":
        return _run_in_process(config, termination_log)
    return spawn(config, command, env, termination_log)


def _invalid(error: ConfigError, termination_log: str) -> int:
    print(f"stt-trainer: invalid configuration: {error}", file=sys.stderr)
    write_termination_message({"error": f"invalid configuration: {error}"}, termination_log)
    return 2


class _Terminated(BaseException):
    """SIGTERM in the in-process run: unwinds training so the termination message still gets written."""


def _run_in_process(config: Config, termination_log: str) -> int:
    from . import train

    def terminate(signum: int, frame: Any) -> None:
        raise _Terminated(signal.Signals(signum).name)

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        metrics = train.main(config)
    except ConfigError as e:
        return _invalid(e, termination_log)
    except _Terminated as e:
        write_termination_message({"error": f"stopped by {e}"}, termination_log)
        return 128 + signal.SIGTERM
    except Exception as e:  # any failure: logged whole, retried by the operator
        traceback.print_exc()
        write_termination_message({"error": f"{type(e).__name__}: {e}"}, termination_log)
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous)
    write_termination_message(metrics, termination_log)
    return 0


def spawn(config: Config, command: list[str], env: dict[str, str], termination_log: str) -> int:
    """Run the ranks' launcher; on failure return (and report) the first failing rank's code and message."""
    error_dir = tempfile.mkdtemp(prefix="stt-ranks-")
    try:
        code = supervise(command, {**env, ERROR_DIR_ENV: error_dir})
        failure = first_rank_failure(error_dir) if code != 0 else None
    finally:
        shutil.rmtree(error_dir, ignore_errors=True)
    if code == 0:
        write_termination_message(_worker_result(config, env), termination_log)
        return 0
    if failure is not None:
        write_termination_message({"error": f"rank {failure.get('rank')}: {failure.get('error')}"}, termination_log)
        return int(failure.get("exitCode", code))
    write_termination_message({"error": f"{config.distributed.launcher} exited with code {code}"}, termination_log)
    return code


def _worker_result(config: Config, env: Mapping[str, str]) -> dict:
    """Worker 0 (home of rank 0) reports the metrics rank 0 wrote; other workers only that they finished."""
    worker = env.get("STT_WORKER_INDEX", "0")
    if worker == "0":
        try:
            with open(config.output.metrics_file, encoding="utf-8") as f:
                return json.load(f)
        except (OSError, ValueError) as e:
            log.warning("launch: cannot read %s: %s", config.output.metrics_file, e)
    return {"worker": int(worker) if worker.isdigit() else worker, "status": "succeeded"}


def _signal_group(pid: int, signum: int) -> None:
    try:
        os.killpg(pid, signum)
    except ProcessLookupError:
        pass  # already gone


def _env_int(env: Mapping[str, str], name: str, default: int, minimum: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw.strip())
    except ValueError:
        value = None
    if value is None or value < minimum:
        raise ConfigError(f"env {name}", f"expected an integer >= {minimum}, got {raw!r}")
    return value


if __name__ == "__main__":
    sys.exit(main())
