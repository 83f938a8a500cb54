"""Which accelerator this process trains on, and the collective backend that goes with it."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping

from .config import ConfigError

DEVICES = ("hpu", "cuda", "cpu")
_BACKENDS = {"hpu": "hccl", "cuda": "nccl", "cpu": "gloo"}


def detect_device(env: Mapping[str, str] | None = None) -> str:
    """hpu where Habana's PyTorch bridge is installed, else cuda where a GPU is visible, else cpu.

    STT_DEVICE (hpu, cuda or cpu) overrides the guess, for tests and debugging. The bridge is looked up, not imported:
    importing it in the launcher could claim cards that the spawned ranks need.
    """
    env = os.environ if env is None else env
    forced = env.get("STT_DEVICE", "").strip().lower()
    if forced:
        if forced not in DEVICES:
            raise ConfigError("env STT_DEVICE", f"expected one of {', '.join(DEVICES)}, got {forced!r}")
        return forced
    if importlib.util.find_spec("habana_frameworks") is not None:
        return "hpu"
    if importlib.util.find_spec("torch") is None:
        return "cpu"
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def dist_backend(device: str) -> str:
    """torch.distributed backend: hccl on Gaudi, nccl on NVIDIA GPUs, gloo on CPU."""
    return _BACKENDS[device]
