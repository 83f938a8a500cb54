"""Shared test fixtures: a valid train.json as the operator renders it."""

from __future__ import annotations

import copy
import json
import os
from typing import Any

from stt_trainer.config import Config, parse_config

CONFIG_PATH = "/etc/stt/train.json"


def config_dict(workers: int = 1, cards: int = 1, zero: int = 0, recipe: str = "sts") -> dict[str, Any]:
    """train.json for the topology, with the launcher the operator picks (RunPlanner.launcher)."""
    if workers > 1:
        launcher = "torch.distributed.run"
    elif zero:
        launcher = "deepspeed"
    else:
        launcher = "torch.distributed.run" if cards > 1 else "python"
    raw = {
        "version": 1,
        "name": "sts-mpnet",
        "namespace": "default",
        "recipe": recipe,
        "model": {"name": "sentence-transformers/all-mpnet-base-v2", "architecture": "mpnet"},
        "bf16": True,
        "lora": {"enabled": False},
        "training": {
            "epochs": 1, "batchSize": 16, "learningRate": 5.0e-5, "warmupRatio": 0.1, "gradientAccumulationSteps": 1,
            "gradientCheckpointing": False, "hpuGraphs": True, "lazyMode": True, "evalSteps": 100, "saveSteps": 100,
            "loggingSteps": 100, "seed": 42,
        },
        "datasets": [
            {"split": "train", "name": "sentence-transformers/stsb", "sourceSplit": "train", "columns": {},
             "weight": 1.0},
            {"split": "validation", "name": "sentence-transformers/stsb", "sourceSplit": "validation",
             "columns": {}, "weight": 1.0},
            {"split": "test", "name": "sentence-transformers/stsb", "sourceSplit": "test", "columns": {},
             "weight": 1.0},
        ],
        "evaluation": {"name": "sts-dev"},
        "gaudiConfigName": "Habana/distilbert-base-uncased",
        "distributed": {"workers": workers, "cardsPerWorker": cards, "worldSize": workers * cards,
                        "launcher": launcher, "masterPort": 29500},
        "output": {"dir": "/output/run", "finalDir": "/output/run/final", "mergedDir": "/output/run/merged",
                   "metricsFile": "/output/run/metrics.json"},
        "progress": {"port": 8080, "path": "/progress"},
    }
    if zero:
        raw["deepspeed"] = {"zeroStage": zero, "config": "/etc/stt/ds_config.json"}
    return raw


def config(workers: int = 1, cards: int = 1, zero: int = 0, recipe: str = "sts") -> Config:
    return parse_config(config_dict(workers, cards, zero, recipe), source=CONFIG_PATH)


def worker_env(workers: int = 1, cards: int = 1, index: int = 0) -> dict[str, str]:
    """The environment the operator gives worker `index`."""
    return {"STT_WORKER_INDEX": str(index), "STT_NUM_WORKERS": str(workers), "STT_CARDS_PER_WORKER": str(cards),
            "MASTER_ADDR": "run-worker-0.run-workers.default.svc" if workers > 1 else "localhost",
            "MASTER_PORT": "29500", "PT_HPU_LAZY_MODE": "1"}


def edited(raw: dict[str, Any], path: str, value: Any = None, delete: bool = False) -> dict[str, Any]:
    """A deep copy of raw with the dotted path (list indexes as numbers) set to value, or deleted."""
    out = copy.deepcopy(raw)
    *parents, last = path.split(".")
    node: Any = out
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    key: Any = int(last) if isinstance(node, list) else last
    if delete:
        del node[key]
    else:
        node[key] = value
    return out


def write_json(directory: str, name: str, obj: Any) -> str:
    path = os.path.join(directory, name)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f)
    return path
