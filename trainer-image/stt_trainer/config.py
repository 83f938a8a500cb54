"""train.json: load it and check it against the contract, trainer-image/train-config.schema.json.

The checks are written by hand with the standard library, mirroring the schema's keys, types, enums and ranges, plus a
few cross-field rules the schema cannot say (worldSize = workers x cardsPerWorker, one rank for the python launcher...).
Every problem raises ConfigError naming the key path, e.g. ``training.batchSize: expected an integer >= 1, got 'x'``;
the launcher turns it into exit code 2, which the operator treats as final (no retry).

Optional keys that are null count as absent: operator builds before TrainConfig got @JsonInclude(NON_NULL) render
``"revision": null`` and the like.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

CONTRACT_VERSION = 1
RECIPES = ("sts", "nli", "paraphrases")
ARCHITECTURES = ("distilbert", "bert", "roberta", "mpnet", "mistral", "llama", "qwen2")
SPLITS = ("train", "validation", "test")
LAUNCHERS = ("python", "deepspeed", "torch.distributed.run")


class ConfigError(ValueError):
    """An invalid train.json or launch environment: the run cannot succeed however often it is retried."""

    def __init__(self, path: str, message: str):
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


@dataclass(frozen=True)
class Model:
    name: str
    revision: str | None = None
    max_seq_length: int | None = None
    architecture: str | None = None


@dataclass(frozen=True)
class Lora:
    enabled: bool
    r: int | None = None
    alpha: int | None = None
    dropout: float | None = None
    target_modules: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeepSpeed:
    zero_stage: int
    config: str


@dataclass(frozen=True)
class Training:
    epochs: int
    batch_size: int
    learning_rate: float
    warmup_ratio: float
    gradient_accumulation_steps: int
    gradient_checkpointing: bool
    hpu_graphs: bool
    lazy_mode: bool
    eval_steps: int
    save_steps: int
    logging_steps: int
    seed: int


@dataclass(frozen=True)
class DatasetSpec:
    split: str
    source_split: str
    columns: Mapping[str, str]
    weight: float
    name: str | None = None
    path: str | None = None
    subset: str | None = None
    max_samples: int | None = None

    @property
    def source(self) -> str:
        """Hub id or file path, for logs and the model card."""
        return self.name if self.name is not None else self.path


@dataclass(frozen=True)
class Distributed:
    workers: int
    cards_per_worker: int
    world_size: int
    launcher: str
    master_port: int


@dataclass(frozen=True)
class Output:
    dir: str
    final_dir: str
    merged_dir: str
    metrics_file: str


@dataclass(frozen=True)
class Progress:
    port: int
    path: str


@dataclass(frozen=True)
class Config:
    version: int
    name: str
    namespace: str
    recipe: str
    model: Model
    bf16: bool
    lora: Lora
    deepspeed: DeepSpeed | None
    training: Training
    datasets: tuple[DatasetSpec, ...]
    eval_name: str
    gaudi_config_name: str
    distributed: Distributed
    output: Output
    cache_dir: str | None
    progress: Progress
    run_id: str | None = None  # the resource's uid: whose checkpoints output.dir may hold
    source: str | None = None  # the file it was read from: spawned ranks read it again

    def datasets_for(self, split: str) -> list[tuple[int, DatasetSpec]]:
        """(index in datasets, spec) of one split; the index names the key path in errors."""
        return [(i, d) for i, d in enumerate(self.datasets) if d.split == split]


def load_config(path: str) -> Config:
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError as e:
        raise ConfigError("--config", f"cannot read {path}: {e.strerror or e}") from e
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as e:
        raise ConfigError("train.json", f"not valid JSON: {e}") from e
    return parse_config(raw, source=path)


def parse_config(raw: Any, source: str | None = None) -> Config:
    root = _object(raw, "", required=(
        "version", "name", "namespace", "recipe", "model", "bf16", "lora", "training", "datasets", "evaluation",
        "gaudiConfigName", "distributed", "output", "progress"), optional=("deepspeed", "cacheDir", "runId"))
    # The version first: a newer contract may differ anywhere else.
    version = root["version"]
    if isinstance(version, bool) or version != CONTRACT_VERSION:
        raise ConfigError("version", f"unsupported contract version {_show(version)}; this trainer knows "
                                     f"{CONTRACT_VERSION} (use a trainer image that matches the operator)")
    config = Config(
        version=CONTRACT_VERSION,
        name=_string(root["name"], "name", min_length=1),
        namespace=_string(root["namespace"], "namespace", min_length=1),
        recipe=_enum(root["recipe"], "recipe", RECIPES),
        model=_model(root["model"], "model"),
        bf16=_bool(root["bf16"], "bf16"),
        lora=_lora(root["lora"], "lora"),
        deepspeed=_deepspeed(root["deepspeed"], "deepspeed") if _present(root, "deepspeed") else None,
        training=_training(root["training"], "training"),
        datasets=_datasets(root["datasets"], "datasets"),
        eval_name=_string(_object(root["evaluation"], "evaluation", required=("name",))["name"], "evaluation.name"),
        gaudi_config_name=_string(root["gaudiConfigName"], "gaudiConfigName"),
        distributed=_distributed(root["distributed"], "distributed"),
        output=_output(root["output"], "output"),
        cache_dir=_string(root["cacheDir"], "cacheDir", absolute=True) if _present(root, "cacheDir") else None,
        progress=_progress(root["progress"], "progress"),
        run_id=_string(root["runId"], "runId", min_length=1) if _present(root, "runId") else None,
        source=source,
    )
    _check_consistency(config)
    return config


def _check_consistency(config: Config) -> None:
    """Rules across keys that the schema cannot express but a run needs."""
    d = config.distributed
    if d.world_size != d.workers * d.cards_per_worker:
        raise ConfigError("distributed.worldSize", f"expected workers x cardsPerWorker = "
                                                   f"{d.workers * d.cards_per_worker}, got {d.world_size}")
    if d.launcher == "python" and d.world_size != 1:
        raise ConfigError("distributed.launcher", f"'python' runs one rank in-process, but worldSize is {d.world_size}")
    if d.launcher == "deepspeed" and d.workers != 1:
        raise ConfigError("distributed.launcher", f"'deepspeed' launches the ranks of one worker (no ssh between "
                                                  f"pods), but workers is {d.workers}")
    if not config.datasets_for("train"):
        raise ConfigError("datasets", "no dataset with split 'train'")


# ---- sections -------------------------------------------------------------------------------------------------------

def _model(raw: Any, path: str) -> Model:
    m = _object(raw, path, required=("name",), optional=("revision", "maxSeqLength", "architecture"))
    return Model(
        name=_string(m["name"], f"{path}.name", min_length=1),
        revision=_string(m["revision"], f"{path}.revision") if _present(m, "revision") else None,
        max_seq_length=_integer(m["maxSeqLength"], f"{path}.maxSeqLength", minimum=8)
        if _present(m, "maxSeqLength") else None,
        architecture=_enum(m["architecture"], f"{path}.architecture", ARCHITECTURES)
        if _present(m, "architecture") else None,
    )


def _lora(raw: Any, path: str) -> Lora:
    m = _object(raw, path, required=("enabled",), optional=("r", "alpha", "dropout", "targetModules"))
    enabled = _bool(m["enabled"], f"{path}.enabled")
    if enabled:
        for key in ("r", "alpha", "dropout", "targetModules"):
            if not _present(m, key):
                raise ConfigError(f"{path}.{key}", "required when lora.enabled is true")
    return Lora(
        enabled=enabled,
        r=_integer(m["r"], f"{path}.r", minimum=1) if _present(m, "r") else None,
        alpha=_integer(m["alpha"], f"{path}.alpha", minimum=1) if _present(m, "alpha") else None,
        dropout=_number(m["dropout"], f"{path}.dropout", minimum=0, below=1) if _present(m, "dropout") else None,
        target_modules=_string_list(m["targetModules"], f"{path}.targetModules")
        if _present(m, "targetModules") else (),
    )


def _deepspeed(raw: Any, path: str) -> DeepSpeed:
    m = _object(raw, path, required=("zeroStage", "config"))
    return DeepSpeed(zero_stage=_integer(m["zeroStage"], f"{path}.zeroStage", minimum=1, maximum=3),
                     config=_string(m["config"], f"{path}.config"))


_TRAINING_KEYS = ("epochs", "batchSize", "learningRate", "warmupRatio", "gradientAccumulationSteps",
                  "gradientCheckpointing", "hpuGraphs", "lazyMode", "evalSteps", "saveSteps", "loggingSteps", "seed")


def _training(raw: Any, path: str) -> Training:
    m = _object(raw, path, required=_TRAINING_KEYS)
    return Training(
        epochs=_integer(m["epochs"], f"{path}.epochs", minimum=1),
        batch_size=_integer(m["batchSize"], f"{path}.batchSize", minimum=1),
        learning_rate=_number(m["learningRate"], f"{path}.learningRate", above=0),
        warmup_ratio=_number(m["warmupRatio"], f"{path}.warmupRatio", minimum=0, maximum=1),
        gradient_accumulation_steps=_integer(m["gradientAccumulationSteps"], f"{path}.gradientAccumulationSteps",
                                             minimum=1),
        gradient_checkpointing=_bool(m["gradientCheckpointing"], f"{path}.gradientCheckpointing"),
        hpu_graphs=_bool(m["hpuGraphs"], f"{path}.hpuGraphs"),
        lazy_mode=_bool(m["lazyMode"], f"{path}.lazyMode"),
        eval_steps=_integer(m["evalSteps"], f"{path}.evalSteps", minimum=1),
        save_steps=_integer(m["saveSteps"], f"{path}.saveSteps", minimum=1),
        logging_steps=_integer(m["loggingSteps"], f"{path}.loggingSteps", minimum=1),
        seed=_integer(m["seed"], f"{path}.seed", minimum=0),
    )


def _datasets(raw: Any, path: str) -> tuple[DatasetSpec, ...]:
    if not isinstance(raw, list):
        raise ConfigError(path, f"expected an array, got {_show(raw)}")
    if not raw:
        raise ConfigError(path, "expected at least 1 dataset, got none")
    return tuple(_dataset(item, f"{path}[{i}]") for i, item in enumerate(raw))


def _dataset(raw: Any, path: str) -> DatasetSpec:
    m = _object(raw, path, required=("split", "sourceSplit", "columns", "weight"),
                optional=("name", "path", "subset", "maxSamples"))
    has_name, has_path = _present(m, "name"), _present(m, "path")
    if has_name == has_path:
        raise ConfigError(path, "expected exactly one of name (Hugging Face dataset) or path (JSONL/CSV file), got "
                                + ("both" if has_name else "neither"))
    columns = m["columns"]
    if not isinstance(columns, dict):
        raise ConfigError(f"{path}.columns", f"expected an object, got {_show(columns)}")
    for key, value in columns.items():
        _string(value, f"{path}.columns.{key}")
    return DatasetSpec(
        split=_enum(m["split"], f"{path}.split", SPLITS),
        source_split=_string(m["sourceSplit"], f"{path}.sourceSplit"),
        columns=dict(columns),
        weight=_number(m["weight"], f"{path}.weight", above=0),
        name=_string(m["name"], f"{path}.name") if has_name else None,
        path=_string(m["path"], f"{path}.path", absolute=True) if has_path else None,
        subset=_string(m["subset"], f"{path}.subset") if _present(m, "subset") else None,
        max_samples=_integer(m["maxSamples"], f"{path}.maxSamples", minimum=1) if _present(m, "maxSamples") else None,
    )


def _distributed(raw: Any, path: str) -> Distributed:
    m = _object(raw, path, required=("workers", "cardsPerWorker", "worldSize", "launcher", "masterPort"))
    return Distributed(
        workers=_integer(m["workers"], f"{path}.workers", minimum=1),
        cards_per_worker=_integer(m["cardsPerWorker"], f"{path}.cardsPerWorker", minimum=1, maximum=8),
        world_size=_integer(m["worldSize"], f"{path}.worldSize", minimum=1),
        launcher=_enum(m["launcher"], f"{path}.launcher", LAUNCHERS),
        # The schema only says integer; a port outside 1..65535 cannot be listened on.
        master_port=_integer(m["masterPort"], f"{path}.masterPort", minimum=1, maximum=65535),
    )


def _output(raw: Any, path: str) -> Output:
    m = _object(raw, path, required=("dir", "finalDir", "mergedDir", "metricsFile"))
    return Output(dir=_string(m["dir"], f"{path}.dir", absolute=True),
                  final_dir=_string(m["finalDir"], f"{path}.finalDir", absolute=True),
                  merged_dir=_string(m["mergedDir"], f"{path}.mergedDir", absolute=True),
                  metrics_file=_string(m["metricsFile"], f"{path}.metricsFile", absolute=True))


def _progress(raw: Any, path: str) -> Progress:
    m = _object(raw, path, required=("port", "path"))
    # 0 asks for any free port (tests); the operator renders 8080.
    return Progress(port=_integer(m["port"], f"{path}.port", minimum=0, maximum=65535),
                    path=_string(m["path"], f"{path}.path", absolute=True))


# ---- value checks ---------------------------------------------------------------------------------------------------

def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _present(m: Mapping[str, Any], key: str) -> bool:
    return m.get(key) is not None


def _show(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, (dict, list)):
        return "an object" if isinstance(value, dict) else "an array"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _object(raw: Any, path: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict:
    if not isinstance(raw, dict):
        raise ConfigError(path or "train.json", f"expected an object, got {_show(raw)}")
    for key in raw:
        if key not in required and key not in optional:
            raise ConfigError(_join(path, key), "unknown key (not in train-config.schema.json)")
    for key in required:
        if key not in raw:
            raise ConfigError(_join(path, key), "required key is missing")
    return raw


def _string(value: Any, path: str, min_length: int = 0, absolute: bool = False) -> str:
    if not isinstance(value, str):
        raise ConfigError(path, f"expected a string, got {_show(value)}")
    if len(value) < min_length:
        raise ConfigError(path, f"expected a non-empty string, got {_show(value)}")
    if absolute and not value.startswith("/"):
        raise ConfigError(path, f"expected an absolute path (starting with /), got {_show(value)}")
    return value


def _bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(path, f"expected true or false, got {_show(value)}")
    return value


def _enum(value: Any, path: str, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ConfigError(path, f"expected one of {', '.join(repr(c) for c in choices)}, got {_show(value)}")
    return value


def _integer(value: Any, path: str, minimum: int | None = None, maximum: int | None = None) -> int:
    # JSON Schema's integer also admits 3.0; booleans are not numbers.
    ok = (isinstance(value, int) and not isinstance(value, bool)) or (isinstance(value, float) and value.is_integer())
    if not ok or (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        if minimum is not None and maximum is not None:
            bounds = f" between {minimum} and {maximum}"
        elif minimum is not None:
            bounds = f" >= {minimum}"
        else:
            bounds = ""
        raise ConfigError(path, f"expected an integer{bounds}, got {_show(value)}")
    return int(value)


def _number(value: Any, path: str, minimum: float | None = None, maximum: float | None = None,
            above: float | None = None, below: float | None = None) -> float:
    bounds = [f">= {_num(minimum)}" if minimum is not None else None, f"> {_num(above)}" if above is not None else None,
              f"<= {_num(maximum)}" if maximum is not None else None, f"< {_num(below)}" if below is not None else None]
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    ok = ok and (minimum is None or value >= minimum) and (above is None or value > above)
    ok = ok and (maximum is None or value <= maximum) and (below is None or value < below)
    if not ok:
        text = " and ".join(b for b in bounds if b)
        raise ConfigError(path, f"expected a number{' ' + text if text else ''}, got {_show(value)}")
    return float(value)


def _num(bound: float) -> str:
    return str(int(bound)) if float(bound).is_integer() else str(bound)


def _string_list(value: Any, path: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise ConfigError(path, f"expected a non-empty array of strings, got {_show(value)}")
    return tuple(_string(v, f"{path}[{i}]", min_length=1) for i, v in enumerate(value))
