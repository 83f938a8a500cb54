"""The three recipes of optimum-habana's examples/sentence-transformers-training, and their data.

- sts (sts/training_stsbenchmark.py): CosineSimilarityLoss on (sentence1, sentence2, score).
- nli (nli/training_nli.py): SoftmaxLoss with 3 labels on (premise, hypothesis, label), dataloader_drop_last.
- paraphrases (paraphrases/training_paraphrases.py): MultipleNegativesRankingLoss on (anchor, positive[, negative]),
  NO_DUPLICATES batches and ROUND_ROBIN over the training datasets.

Every recipe evaluates on (sentence1, sentence2, score) with EmbeddingSimilarityEvaluator (cosine): the validation split
under evaluation.name during training, the test split as "sts-test" at the end.

RECIPES and the column planning are plain data and functions, testable without torch; the functions that build real
datasets, losses and evaluators import their libraries when called.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .config import Config, ConfigError, DatasetSpec

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipe:
    name: str
    loss: str  # class in sentence_transformers.losses
    columns: tuple[str, ...]  # training columns, in the order the loss reads them
    optional_columns: tuple[str, ...] = ()
    label_column: str | None = None
    num_labels: int | None = None
    batch_sampler: str = "BATCH_SAMPLER"  # member of sentence_transformers.training_args.BatchSamplers
    multi_dataset_batch_sampler: str = "PROPORTIONAL"  # member of MultiDatasetBatchSamplers
    # Whether the validation rows (sentence1, sentence2, score) also fit the loss, so the trainer reports an eval loss
    # beside the evaluator, as upstream's sts script does.
    validation_loss: bool = False
    drop_last: bool = False

    def columns_for(self, split: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """(required, optional) recipe columns of a split."""
        return (self.columns, self.optional_columns) if split == "train" else (EVAL_COLUMNS, ())


EVAL_COLUMNS = ("sentence1", "sentence2", "score")
TEST_EVAL_NAME = "sts-test"

RECIPES = {
    "sts": Recipe("sts", "CosineSimilarityLoss", ("sentence1", "sentence2", "score"), label_column="score",
                  validation_loss=True),
    "nli": Recipe("nli", "SoftmaxLoss", ("premise", "hypothesis", "label"), label_column="label", num_labels=3,
                  drop_last=True),
    "paraphrases": Recipe("paraphrases", "MultipleNegativesRankingLoss", ("anchor", "positive"), ("negative",),
                          batch_sampler="NO_DUPLICATES", multi_dataset_batch_sampler="ROUND_ROBIN"),
}

# As sentence-transformers/all-nli (pair-class) numbers them.
NLI_LABELS = {"entailment": 0, "neutral": 1, "contradiction": 2}


def primary_metric(evaluator_name: str) -> str:
    """The key EmbeddingSimilarityEvaluator (main_similarity cosine) reports as its main metric."""
    return f"{evaluator_name}_spearman_cosine"


# ---- column planning (pure) -----------------------------------------------------------------------------------------

def check_columns(config: Config) -> None:
    """The columns mappings name only columns of the recipe: checked before any data is loaded or rank spawned."""
    recipe = RECIPES[config.recipe]
    for i, spec in enumerate(config.datasets):
        required, optional = recipe.columns_for(spec.split)
        for column in spec.columns:
            if column not in required + optional:
                raise ConfigError(f"datasets[{i}].columns.{column}",
                                  f"not a column of the {spec.split} data of recipe {recipe.name}; expected one of "
                                  + ", ".join(required + optional))
        if len(set(spec.columns.values())) != len(spec.columns):
            raise ConfigError(f"datasets[{i}].columns", "maps two recipe columns to the same source column")


def plan_columns(spec: DatasetSpec, recipe: Recipe, source_columns: Sequence[str],
                 where: str) -> list[tuple[str, str]] | None:
    """The (source column, recipe column) pairs to keep, in recipe order, or None to keep the dataset as it is.

    An empty mapping keeps a source column under its own name. A paraphrases training set whose columns are not named
    anchor/positive is kept whole: MultipleNegativesRankingLoss reads its text columns by position, which is how
    upstream trains on sentence-compression (text, simplified) or coco-captions (caption1, caption2). Everything else
    needs its recipe columns, by name or through the mapping.
    """
    required, optional = recipe.columns_for(spec.split)
    for column, source in spec.columns.items():
        if source not in source_columns:
            raise ConfigError(f"{where}.columns.{column}", f"source column {source!r} is not in the dataset (it has "
                                                           f"{', '.join(source_columns)})")
    pairs, missing = [], []
    for column in required + optional:
        source = spec.columns.get(column, column)
        if source in source_columns:
            pairs.append((source, column))
        elif column in required:
            missing.append(column)
    if not missing:
        return pairs
    if not spec.columns and spec.split == "train" and recipe.label_column is None and len(source_columns) >= 2:
        return None
    raise ConfigError(f"{where}.columns", f"the dataset lacks {', '.join(missing)} (it has "
                                          f"{', '.join(source_columns)}); map them with columns")


def score_scale(scores: Sequence[float], where: str) -> float:
    """What to divide similarity scores by to bring them to 0..1, as the loss and the evaluator expect.

    sentence-transformers/stsb is already 0..1; a file on the original STS scale (0..5) is divided by 5, as upstream's
    scripts did before the normalised dataset existed.
    """
    if not scores:
        raise ConfigError(where, "the dataset has no rows")
    low, high = min(scores), max(scores)
    if high <= 1 and low >= -1:
        return 1.0
    if low >= 0 and high <= 5:
        return 5.0
    raise ConfigError(f"{where}.columns.score", f"scores lie in {low}..{high}; expected 0..1 or the STS scale 0..5")


def nli_label(value: Any, where: str) -> int:
    """An NLI label as SoftmaxLoss needs it: 0 entailment, 1 neutral, 2 contradiction (names are accepted too)."""
    if isinstance(value, str) and value.strip().lower() in NLI_LABELS:
        return NLI_LABELS[value.strip().lower()]
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 2:
        return value
    raise ConfigError(f"{where}.columns.label", f"label {value!r} is neither 0..2 nor one of {', '.join(NLI_LABELS)}")


def dataset_key(spec: DatasetSpec, taken: set[str]) -> str:
    """A readable, unique name for one training set of several (the multi-dataset sampler's key)."""
    base = os.path.basename(spec.source.rstrip("/"))
    base = os.path.splitext(base)[0] if spec.path else base
    key = f"{base}-{spec.subset}" if spec.subset else base
    unique, n = key, 2
    while unique in taken:
        unique, n = f"{key}-{n}", n + 1
    taken.add(unique)
    return unique


# ---- real datasets, losses and evaluators (lazy imports) ------------------------------------------------------------

@dataclass
class RunData:
    train: Any  # a Dataset, or a dict of them for the multi-dataset sampler
    validation: Any | None
    test: Any | None


def load_run_data(config: Config) -> RunData:
    recipe = RECIPES[config.recipe]
    train = {}
    taken: set[str] = set()
    for i, spec in config.datasets_for("train"):
        if spec.weight != 1.0:
            log.warning("datasets[%d].weight %s is ignored: the %s sampler has no weights", i, spec.weight,
                        recipe.multi_dataset_batch_sampler)
        train[dataset_key(spec, taken)] = load_dataset_spec(spec, recipe, f"datasets[{i}]")
    return RunData(
        train=next(iter(train.values())) if len(train) == 1 else train,
        validation=_concatenated(config, "validation", recipe),
        test=_concatenated(config, "test", recipe),
    )


def _concatenated(config: Config, split: str, recipe: Recipe) -> Any | None:
    parts = [load_dataset_spec(spec, recipe, f"datasets[{i}]") for i, spec in config.datasets_for(split)]
    if len(parts) <= 1:
        return parts[0] if parts else None
    from datasets import concatenate_datasets
    return concatenate_datasets(parts)


def load_dataset_spec(spec: DatasetSpec, recipe: Recipe, where: str) -> Any:
    """Load one datasets entry and bring it to the recipe's columns."""
    import datasets

    if spec.name is not None:
        dataset = datasets.load_dataset(spec.name, spec.subset, split=spec.source_split)
    else:
        if not os.path.isfile(spec.path):
            raise ConfigError(f"{where}.path", f"no such file in the pod: {spec.path}")
        builder = "csv" if spec.path.lower().endswith(".csv") else "json"
        # Naming the split after sourceSplit lets any sourceSplit read the one file.
        dataset = datasets.load_dataset(builder, data_files={spec.source_split: spec.path}, split=spec.source_split)
    if spec.max_samples is not None:
        dataset = dataset.select(range(min(spec.max_samples, len(dataset))))
    pairs = plan_columns(spec, recipe, dataset.column_names, where)
    if pairs is None:
        log.info("%s (%s): columns %s kept by position", where, spec.source, dataset.column_names)
        return dataset
    dataset = dataset.select_columns([source for source, _ in pairs])
    renames = {source: column for source, column in pairs if source != column}
    if renames:
        dataset = dataset.rename_columns(renames)
    columns = [column for _, column in pairs]
    if "score" in columns:
        scale = score_scale(list(dataset["score"]), where)
        if scale != 1.0:
            dataset = _replace_column(dataset, "score", lambda s: float(s) / scale, "float64")
    if "label" in columns and any(not isinstance(v, int) or not 0 <= v <= 2 for v in dataset.unique("label")):
        dataset = _replace_column(dataset, "label", lambda v: nli_label(v, where), "int64")
    return dataset


def _replace_column(dataset: Any, column: str, convert: Any, dtype: str) -> Any:
    # With the features given, map stores the new type instead of casting back to the old one (e.g. str labels).
    from datasets import Value

    features = dataset.features.copy()
    features[column] = Value(dtype)
    return dataset.map(lambda batch: {column: [convert(v) for v in batch[column]]}, batched=True, features=features)


def build_loss(recipe: Recipe, model: Any) -> Any:
    from sentence_transformers import losses

    loss_class = getattr(losses, recipe.loss)
    if recipe.num_labels:
        # Positional: the dimension's keyword is sentence_embedding_dimension in 3.x, embedding_dimension later.
        return loss_class(model, model.get_sentence_embedding_dimension(), recipe.num_labels)
    return loss_class(model)


def build_evaluator(dataset: Any, name: str, batch_size: int) -> Any:
    from sentence_transformers.evaluation import EmbeddingSimilarityEvaluator
    from sentence_transformers.similarity_functions import SimilarityFunction

    return EmbeddingSimilarityEvaluator(sentences1=dataset["sentence1"], sentences2=dataset["sentence2"],
                                        scores=dataset["score"], main_similarity=SimilarityFunction.COSINE,
                                        name=name, batch_size=batch_size)


def sampler_arguments(recipe: Recipe) -> dict[str, Any]:
    from sentence_transformers.training_args import BatchSamplers, MultiDatasetBatchSamplers

    return {"batch_sampler": BatchSamplers[recipe.batch_sampler],
            "multi_dataset_batch_sampler": MultiDatasetBatchSamplers[recipe.multi_dataset_batch_sampler]}
