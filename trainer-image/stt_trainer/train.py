"""One rank of a run: ``main(config)`` in-process, or ``python -m stt_trainer.train --config PATH`` when spawned.

On Gaudi it trains with optimum-habana's SentenceTransformerGaudiTrainer (lazy mode, HPU graphs and the GaudiConfig
from train.json); elsewhere with the plain SentenceTransformerTrainer and the same recipe. A run resumes from the
latest checkpoint-N in output.dir, so the operator's gang restarts lose at most saveSteps steps. At the end rank 0
writes output.finalDir (with LoRA: the adapter, and output.mergedDir the merged model), each with a model card, and
output.metricsFile.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import re
import sys
import traceback
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from . import recipes
from .config import Config, ConfigError, load_config
from .device import detect_device, dist_backend
from .launch import ERROR_DIR_ENV, record_rank_failure
from .progress import ProgressCallback, ProgressServer
from .recipes import RECIPES, TEST_EVAL_NAME, Recipe, primary_metric

log = logging.getLogger("stt_trainer.train")

_CHECKPOINT = re.compile(r"^checkpoint-(\d+)$")
RUN_MARKER = "stt-run.json"
# The Trainer writes trainer_state.json after the weights and optimizer: without it a checkpoint is incomplete
# (the pod died while saving) and resuming from it would fail on every retry.
_CHECKPOINT_COMPLETE = "trainer_state.json"


def main(config: Config) -> dict:
    """Train, evaluate and save; return the final metrics on rank 0 and {} on the other ranks."""
    recipes.check_columns(config)
    rank, world_size = int(os.environ.get("RANK", "0")), int(os.environ.get("WORLD_SIZE", "1"))
    logging.basicConfig(level=logging.INFO if rank == 0 else logging.WARNING,
                        format=f"%(asctime)s %(levelname)s [rank {rank}] %(name)s: %(message)s")
    if world_size == 1 and config.deepspeed is not None:
        # DeepSpeed wants a process group even for one rank; no launcher set one up here.
        for key, value in {"RANK": "0", "LOCAL_RANK": "0", "WORLD_SIZE": "1", "MASTER_ADDR": "localhost",
                           "MASTER_PORT": str(config.distributed.master_port)}.items():
            os.environ.setdefault(key, value)
    device = detect_device()
    if device == "hpu":
        from optimum.habana.sentence_transformers.modeling_utils import adapt_sentence_transformers_to_gaudi

        adapt_sentence_transformers_to_gaudi()
    t = config.training
    progress = ProgressCallback(config.eval_name, primary_metric(config.eval_name),
                                samples_per_step=t.batch_size * t.gradient_accumulation_steps * world_size)
    claim_output_dir(config, primary=rank == 0)
    server = _start_progress_server(config, progress) if rank == 0 else None
    try:
        return _run(config, device, rank, world_size, progress)
    finally:
        if server is not None:
            server.stop()


def _run(config: Config, device: str, rank: int, world_size: int, progress: ProgressCallback) -> dict:
    recipe = RECIPES[config.recipe]
    trainer_class, args_class = trainer_classes(device, config.lora.enabled)
    kwargs = training_args_kwargs(config, recipe, device, world_size, bool(config.datasets_for("validation")),
                                  _bf16(config, device))
    # The arguments come before the model: they set up the process group and, with ZeRO-3, make from_pretrained
    # load each rank's shard only.
    args = args_class(**kwargs, **recipes.sampler_arguments(recipe))
    with args.main_process_first(local=False, desc="loading datasets"):  # rank 0 downloads, the others reuse it
        data = recipes.load_run_data(config)
    model = build_model(config, str(args.device), os.environ)
    batch_size = config.training.batch_size
    trainer = trainer_class(
        model=model,
        args=args,
        train_dataset=data.train,
        eval_dataset=data.validation if recipe.validation_loss else None,
        loss=recipes.build_loss(recipe, model),
        evaluator=recipes.build_evaluator(data.validation, config.eval_name, batch_size)
        if data.validation is not None else None,
        callbacks=[progress],
    )
    resume = latest_checkpoint(config.output.dir)
    if resume:
        log.info("resuming from %s", resume)
    result = trainer.train(resume_from_checkpoint=resume)

    # Every rank evaluates and gathers: under ZeRO-3 the forward passes and the gathering are collectives.
    final_eval = trainer.evaluate() if data.validation is not None else {}
    test = recipes.build_evaluator(data.test, TEST_EVAL_NAME, batch_size)(model) if data.test is not None else {}
    with _full_weights(model, config, device):
        if rank == 0:
            save_models(model, config)
    if rank != 0:
        return {}
    metrics = build_metrics(config, result, trainer.state, final_eval, test, resume, world_size)
    _write_json(config.output.metrics_file, metrics)
    _write_text(os.path.join(config.output.final_dir, "README.md"), model_card(config, metrics, merged=False))
    if config.lora.enabled:
        _write_text(os.path.join(config.output.merged_dir, "README.md"), model_card(config, metrics, merged=True))
    log.info("done: %s", json.dumps({k: metrics[k] for k in ("loss", "evalName", "evalValue", "testValue")}))
    return metrics


# ---- pieces without torch (unit-tested) -----------------------------------------------------------------------------

def claim_output_dir(config: Config, primary: bool) -> None:
    """Checkpoints in output.dir belong to one run: resuming another run's would train from the wrong weights, or
    fail on every retry. The first rank 0 to start marks the directory with the resource's uid."""
    if config.run_id is None:
        return
    marker = os.path.join(config.output.dir, RUN_MARKER)
    try:
        with open(marker, encoding="utf-8") as f:
            owner = json.load(f)
    except FileNotFoundError:
        if primary:
            _write_json(marker, {"runId": config.run_id, "name": config.name, "namespace": config.namespace})
        return
    if owner.get("runId") != config.run_id:
        raise ConfigError("output.dir", f"{config.output.dir} holds the checkpoints of another run "
                                        f"({owner.get('namespace')}/{owner.get('name')}, uid {owner.get('runId')}): "
                                        "set spec.output.path to a new directory, or delete the old one")


def latest_checkpoint(output_dir: str) -> str | None:
    """The complete checkpoint-N directory with the largest N, or None to start afresh."""
    try:
        entries = os.listdir(output_dir)
    except FileNotFoundError:
        return None
    found = []
    for entry in entries:
        match = _CHECKPOINT.match(entry)
        path = os.path.join(output_dir, entry)
        if match and os.path.isfile(os.path.join(path, _CHECKPOINT_COMPLETE)):
            found.append((int(match.group(1)), path))
    return max(found)[1] if found else None


def model_cache_folder(config: Config, env: Mapping[str, str]) -> str | None:
    """Where models are downloaded: the hub cache under HF_HOME (or cacheDir), as huggingface_hub lays it out, so a
    cache volume pre-filled with huggingface-cli serves offline runs."""
    if env.get("HF_HUB_CACHE"):
        return env["HF_HUB_CACHE"]
    home = env.get("HF_HOME") or config.cache_dir
    return os.path.join(home, "hub") if home else None


def training_args_kwargs(config: Config, recipe: Recipe, device: str, world_size: int, has_validation: bool,
                         bf16: bool) -> dict[str, Any]:
    """Keyword arguments of (SentenceTransformer[Gaudi])TrainingArguments, samplers aside."""
    t = config.training
    kwargs: dict[str, Any] = {
        "output_dir": config.output.dir,
        "run_name": config.name,
        "num_train_epochs": t.epochs,
        "per_device_train_batch_size": t.batch_size,
        "per_device_eval_batch_size": t.batch_size,
        "learning_rate": t.learning_rate,
        "warmup_ratio": t.warmup_ratio,
        "gradient_accumulation_steps": t.gradient_accumulation_steps,
        "eval_strategy": "steps" if has_validation else "no",
        "eval_steps": t.eval_steps,
        "save_strategy": "steps",
        "save_steps": t.save_steps,
        "save_total_limit": 2,
        "logging_steps": t.logging_steps,
        "seed": t.seed,
        "bf16": bf16,
        "dataloader_drop_last": recipe.drop_last,
        "report_to": "none",
        "deepspeed": config.deepspeed.config if config.deepspeed is not None and device != "cpu" else None,
    }
    if world_size > 1:
        kwargs["ddp_backend"] = dist_backend(device)
        # Mean pooling leaves the backbone's pooler unused: DDP must expect parameters without gradients.
        kwargs["ddp_find_unused_parameters"] = True
    if device == "hpu":
        kwargs.update(use_habana=True, use_lazy_mode=t.lazy_mode, use_hpu_graphs_for_training=t.hpu_graphs,
                      use_hpu_graphs_for_inference=False, gaudi_config_name=config.gaudi_config_name)
    elif device == "cpu":
        kwargs["use_cpu"] = True
    return kwargs


def build_metrics(config: Config, result: Any, state: Any, final_eval: Mapping[str, Any], test: Mapping[str, Any],
                  resumed_from: str | None, world_size: int) -> dict[str, Any]:
    """metrics.json: what the run achieved, in the operator's vocabulary (loss, evalName, evalValue)."""
    losses = [entry["loss"] for entry in state.log_history if "loss" in entry]
    eval_key = primary_metric(config.eval_name)
    test_key = primary_metric(TEST_EVAL_NAME)
    return {
        "name": config.name,
        "recipe": config.recipe,
        "model": config.model.name,
        "loss": losses[-1] if losses else None,
        "trainLoss": result.training_loss,
        "evalName": config.eval_name,
        "evalValue": final_eval.get(f"eval_{eval_key}", final_eval.get(eval_key)),
        "testName": TEST_EVAL_NAME,
        "testValue": test.get(test_key),
        "trainRuntime": result.metrics.get("train_runtime"),
        "samplesPerSecond": result.metrics.get("train_samples_per_second"),
        "globalStep": state.global_step,
        "epoch": state.epoch,
        "worldSize": world_size,
        "resumedFrom": resumed_from,
        "eval": dict(final_eval),
        "test": dict(test),
    }


def model_card(config: Config, metrics: Mapping[str, Any], merged: bool) -> str:
    """README.md of finalDir (merged=False) or mergedDir, written here rather than by sentence-transformers."""
    recipe = RECIPES[config.recipe]
    t, lora = config.training, config.lora
    hub_datasets = sorted({d.name for d in config.datasets if d.name})
    directory = config.output.merged_dir if merged else config.output.final_dir
    front = ["---", "library_name: sentence-transformers", "pipeline_tag: sentence-similarity",
             f"base_model: {json.dumps(config.model.name)}",
             "tags: [sentence-transformers, sentence-similarity, feature-extraction, stt-operator, "
             f"{json.dumps('loss:' + recipe.loss)}]"]
    if hub_datasets:
        front.append(f"datasets: [{', '.join(json.dumps(d) for d in hub_datasets)}]")
    lines = front + ["---", "", f"# {config.name}", "",
                     f"A Sentence Transformers model fine-tuned from `{config.model.name}`"
                     f"{' (revision ' + config.model.revision + ')' if config.model.revision else ''} by stt-operator "
                     f"(`{config.namespace}/{config.name}`), recipe `{config.recipe}`: {recipe.loss}, as in "
                     "optimum-habana's sentence-transformers-training examples.", ""]
    if lora.enabled:
        what = ("the LoRA adapter merged into the base model" if merged else
                f"the LoRA adapter only (the merged model is in `{config.output.merged_dir}`)")
        lines += [f"This directory holds {what}: r={lora.r}, alpha={lora.alpha}, dropout={lora.dropout}, target "
                  f"modules {', '.join(lora.target_modules)}.", ""]
    lines += ["## Usage", "", "```python", "from sentence_transformers import SentenceTransformer", "",
              f"model = SentenceTransformer({json.dumps(directory)})",
              'embeddings = model.encode(["A first sentence", "Another sentence"])', "```", "",
              "## Training data", "", "| split | source | subset | source split | columns | max samples |",
              "|---|---|---|---|---|---|"]
    for d in config.datasets:
        columns = ", ".join(f"{k} <- {v}" for k, v in d.columns.items()) or "as named"
        lines.append(f"| {d.split} | {d.source} | {d.subset or ''} | {d.source_split} | {columns} | "
                     f"{d.max_samples or 'all'} |")
    dist = config.distributed
    lines += ["", "## Hyperparameters", "", "| parameter | value |", "|---|---|",
              f"| epochs | {t.epochs} |", f"| batch size per device | {t.batch_size} |",
              f"| gradient accumulation steps | {t.gradient_accumulation_steps} |",
              f"| learning rate | {t.learning_rate:g} |", f"| warmup ratio | {t.warmup_ratio:g} |",
              f"| max sequence length | {config.model.max_seq_length or 'the model default'} |",
              f"| bf16 | {str(config.bf16).lower()} |",
              f"| gradient checkpointing | {str(t.gradient_checkpointing).lower()} |",
              f"| DeepSpeed ZeRO stage | {config.deepspeed.zero_stage if config.deepspeed else 'none'} |",
              f"| cards | {dist.workers} x {dist.cards_per_worker} ({dist.launcher}) |", f"| seed | {t.seed} |",
              "", "## Evaluation", "", "| evaluator | Spearman (cosine) |", "|---|---|",
              f"| {metrics.get('evalName')} | {_fmt(metrics.get('evalValue'))} |",
              f"| {metrics.get('testName')} | {_fmt(metrics.get('testValue'))} |", "",
              f"Final training loss {_fmt(metrics.get('loss'))} after {metrics.get('globalStep')} steps; "
              f"{_fmt(metrics.get('trainRuntime'))} s of training, {_fmt(metrics.get('samplesPerSecond'))} samples/s.",
              ""]
    return "\n".join(lines)


def _fmt(value: Any) -> str:
    return f"{value:.4f}" if isinstance(value, float) else ("n/a" if value is None else str(value))


# ---- pieces that need the libraries ---------------------------------------------------------------------------------

def trainer_classes(device: str, lora_enabled: bool) -> tuple[type, type]:
    """(trainer, training arguments) classes for the device, the trainer adapted to this run."""
    if device == "hpu":
        from optimum.habana.sentence_transformers import (
            SentenceTransformerGaudiTrainer as Base,
        )
        from optimum.habana.sentence_transformers import (
            SentenceTransformerGaudiTrainingArguments as Arguments,
        )
    else:
        from sentence_transformers import SentenceTransformerTrainer as Base
        from sentence_transformers import SentenceTransformerTrainingArguments as Arguments

    class Trainer(Base):
        def add_model_card_callback(self, *args: Any, **kwargs: Any) -> None:
            """No ModelCardCallback: it crashes multi-card runs, and model_card() writes the card."""

        def _load_from_checkpoint(self, resume_from_checkpoint: str, model: Any = None) -> None:
            # A LoRA checkpoint holds the adapter only: load it into the adapter in place; the upstream way
            # rebuilds a whole model from the checkpoint, whose weight names differ from the wrapped one.
            if lora_enabled:
                load_adapter_checkpoint(self.model, resume_from_checkpoint)
            else:
                super()._load_from_checkpoint(resume_from_checkpoint)

    return Trainer, Arguments


def build_model(config: Config, device: str, env: Mapping[str, str]) -> Any:
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(config.model.name, device=device, revision=config.model.revision,
                                cache_folder=model_cache_folder(config, env))
    if config.model.max_seq_length is not None:
        model.max_seq_length = config.model.max_seq_length
    if config.lora.enabled:
        apply_lora(model, config)
    if config.training.gradient_checkpointing:
        # Non-reentrant checkpointing works with frozen (LoRA) weights and with DDP's unused-parameter search.
        model[0].auto_model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    return model


def apply_lora(model: Any, config: Config) -> None:
    """Wrap the transformer backbone (model[0].auto_model) in a PEFT LoRA model; pooling stays as it is."""
    from peft import LoraConfig, TaskType, get_peft_model

    lora = config.lora
    peft_config = LoraConfig(r=lora.r, lora_alpha=lora.alpha, lora_dropout=lora.dropout, bias="none",
                             target_modules=list(lora.target_modules), task_type=TaskType.FEATURE_EXTRACTION)
    _set_backbone(model, get_peft_model(model[0].auto_model, peft_config))
    model[0].auto_model.print_trainable_parameters()


def _set_backbone(model: Any, backbone: Any) -> None:
    # sentence-transformers 3.x (the image's) keeps the backbone in Transformer.auto_model; later releases keep it in
    # .model, behind a read-only auto_model property.
    transformer = model[0]
    attribute = "model" if isinstance(getattr(type(transformer), "auto_model", None), property) else "auto_model"
    setattr(transformer, attribute, backbone)


def load_adapter_checkpoint(model: Any, checkpoint: str) -> None:
    from peft import set_peft_model_state_dict
    from peft.utils import load_peft_weights

    set_peft_model_state_dict(model[0].auto_model, load_peft_weights(checkpoint, device="cpu"))


def save_models(model: Any, config: Config) -> None:
    """finalDir: the model as trained (with LoRA: the adapter); mergedDir: LoRA merged into the base weights."""
    model.save(config.output.final_dir, create_model_card=False)
    if config.lora.enabled:
        _set_backbone(model, model[0].auto_model.merge_and_unload())
        model.save(config.output.merged_dir, create_model_card=False)


@contextlib.contextmanager
def _full_weights(model: Any, config: Config, device: str) -> Iterator[None]:
    """Under ZeRO-3 every rank holds a shard of each weight: gather them (a collective) so rank 0 saves whole ones."""
    if config.deepspeed is None or config.deepspeed.zero_stage != 3 or device == "cpu":
        yield
        return
    import deepspeed

    with deepspeed.zero.GatheredParameters(list(model.parameters()), modifier_rank=None):
        yield


def _bf16(config: Config, device: str) -> bool:
    if not config.bf16 or device == "hpu":
        return config.bf16
    if device == "cuda":
        import torch

        if torch.cuda.is_bf16_supported():
            return True
    log.warning("bf16 is not supported on this %s: training in fp32", device)
    return False


def _start_progress_server(config: Config, progress: ProgressCallback) -> ProgressServer | None:
    try:
        server = ProgressServer(progress.snapshot, config.progress.port, config.progress.path).start()
    except OSError as e:  # progress is a convenience: never fail a run for it
        log.warning("cannot serve progress on port %d: %s", config.progress.port, e)
        return None
    log.info("progress at http://0.0.0.0:%d%s", server.port, config.progress.path)
    return server


def _write_json(path: str, obj: Any) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path + ".tmp", "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2, default=_json_default)
    os.replace(path + ".tmp", path)


def _write_text(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def _json_default(value: Any) -> Any:
    try:
        return float(value)  # numpy and torch scalars in evaluator metrics
    except (TypeError, ValueError):
        return str(value)


def cli(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m stt_trainer.train", description="One rank of a stt-operator run.")
    parser.add_argument("--config", required=True, help="train.json written by stt-operator")
    args = parser.parse_args(argv)
    try:
        main(load_config(args.config))
        return 0
    except ConfigError as e:
        code, message = 2, f"invalid configuration: {e}"
    except Exception as e:  # logged whole here; the launcher reports the first failing rank
        traceback.print_exc()
        code, message = 1, f"{type(e).__name__}: {e}"
    print(f"stt-trainer: {message}", file=sys.stderr)
    if os.environ.get(ERROR_DIR_ENV):
        record_rank_failure(os.environ[ERROR_DIR_ENV], int(os.environ.get("RANK", "0")), code, message)
    return code


if __name__ == "__main__":
    sys.exit(cli())
