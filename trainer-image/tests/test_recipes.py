"""The recipe table against optimum-habana's examples, and the column planning of datasets."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import tempfile
import unittest

from stt_trainer.config import ConfigError, DatasetSpec
from stt_trainer.recipes import (
    EVAL_COLUMNS,
    RECIPES,
    TEST_EVAL_NAME,
    dataset_key,
    nli_label,
    plan_columns,
    primary_metric,
    score_scale,
)

HAVE_DATASETS = importlib.util.find_spec("datasets") is not None


def spec(split: str = "train", columns: dict | None = None, **kwargs) -> DatasetSpec:
    return DatasetSpec(split=split, source_split=split, columns=columns or {}, weight=1.0,
                       **({"name": "org/data"} | kwargs))


class RecipeTableTest(unittest.TestCase):
    def test_sts_as_training_stsbenchmark(self) -> None:
        r = RECIPES["sts"]
        self.assertEqual((r.loss, r.columns, r.optional_columns, r.label_column, r.num_labels),
                         ("CosineSimilarityLoss", ("sentence1", "sentence2", "score"), (), "score", None))
        self.assertEqual((r.batch_sampler, r.multi_dataset_batch_sampler), ("BATCH_SAMPLER", "PROPORTIONAL"))
        self.assertTrue(r.validation_loss)  # upstream passes the validation split as eval_dataset too
        self.assertFalse(r.drop_last)

    def test_nli_as_training_nli(self) -> None:
        r = RECIPES["nli"]
        self.assertEqual((r.loss, r.columns, r.label_column, r.num_labels),
                         ("SoftmaxLoss", ("premise", "hypothesis", "label"), "label", 3))
        self.assertEqual((r.batch_sampler, r.multi_dataset_batch_sampler), ("BATCH_SAMPLER", "PROPORTIONAL"))
        self.assertTrue(r.drop_last)  # dataloader_drop_last=True upstream
        self.assertFalse(r.validation_loss)  # STS validation rows carry scores, not NLI labels

    def test_paraphrases_as_training_paraphrases(self) -> None:
        r = RECIPES["paraphrases"]
        self.assertEqual((r.loss, r.columns, r.optional_columns, r.label_column),
                         ("MultipleNegativesRankingLoss", ("anchor", "positive"), ("negative",), None))
        self.assertEqual((r.batch_sampler, r.multi_dataset_batch_sampler), ("NO_DUPLICATES", "ROUND_ROBIN"))
        self.assertFalse(r.validation_loss)

    def test_evaluation(self) -> None:
        self.assertEqual(EVAL_COLUMNS, ("sentence1", "sentence2", "score"))
        self.assertEqual(TEST_EVAL_NAME, "sts-test")
        self.assertEqual(primary_metric("sts-dev"), "sts-dev_spearman_cosine")
        for recipe in RECIPES.values():
            self.assertEqual(recipe.columns_for("validation"), (EVAL_COLUMNS, ()))
            self.assertEqual(recipe.columns_for("test"), (EVAL_COLUMNS, ()))


class PlanColumnsTest(unittest.TestCase):
    def test_columns_named_as_the_recipe(self) -> None:
        pairs = plan_columns(spec(), RECIPES["sts"], ["idx", "score", "sentence2", "sentence1"], "datasets[0]")
        self.assertEqual(pairs, [("sentence1", "sentence1"), ("sentence2", "sentence2"), ("score", "score")])

    def test_mapping_renames_and_orders(self) -> None:
        s = spec(columns={"premise": "s1", "label": "gold"})
        pairs = plan_columns(s, RECIPES["nli"], ["gold", "hypothesis", "s1", "id"], "datasets[0]")
        self.assertEqual(pairs, [("s1", "premise"), ("hypothesis", "hypothesis"), ("gold", "label")])

    def test_optional_negative(self) -> None:
        r = RECIPES["paraphrases"]
        self.assertEqual(plan_columns(spec(), r, ["anchor", "positive", "negative"], "d"),
                         [("anchor", "anchor"), ("positive", "positive"), ("negative", "negative")])
        self.assertEqual(plan_columns(spec(), r, ["positive", "anchor", "id"], "d"),
                         [("anchor", "anchor"), ("positive", "positive")])

    def test_paraphrase_sets_named_otherwise_are_kept_by_position(self) -> None:
        # sentence-compression (text, simplified), coco-captions (caption1, caption2) in upstream's recipe.
        self.assertIsNone(plan_columns(spec(), RECIPES["paraphrases"], ["text", "simplified"], "d"))

    def test_missing_source_column(self) -> None:
        with self.assertRaises(ConfigError) as caught:
            plan_columns(spec(columns={"score": "similarity"}), RECIPES["sts"], ["sentence1", "sentence2", "score"],
                         "datasets[3]")
        self.assertEqual(caught.exception.path, "datasets[3].columns.score")
        self.assertIn("'similarity' is not in the dataset", str(caught.exception))

    def test_missing_recipe_columns(self) -> None:
        for recipe, split, columns in (("sts", "train", ["a", "b", "score"]), ("nli", "train", ["text", "label"]),
                                       ("paraphrases", "validation", ["text", "simplified"]),
                                       ("paraphrases", "train", ["text"])):
            with self.subTest(recipe=recipe, split=split):
                with self.assertRaises(ConfigError) as caught:
                    plan_columns(spec(split), RECIPES[recipe], columns, "datasets[1]")
                self.assertEqual(caught.exception.path, "datasets[1].columns")
                self.assertIn("map them with columns", str(caught.exception))


class ValuesTest(unittest.TestCase):
    def test_score_scale(self) -> None:
        self.assertEqual(score_scale([0.0, 0.5, 1.0], "d"), 1.0)
        self.assertEqual(score_scale([-0.2, 0.9], "d"), 1.0)
        self.assertEqual(score_scale([0, 2.5, 5], "d"), 5.0)
        for bad in ([0, 7.5], [-3, 1]):
            with self.assertRaises(ConfigError) as caught:
                score_scale(bad, "datasets[0]")
            self.assertEqual(caught.exception.path, "datasets[0].columns.score")
        with self.assertRaises(ConfigError):
            score_scale([], "datasets[0]")

    def test_nli_label(self) -> None:
        self.assertEqual([nli_label(v, "d") for v in ("entailment", "Neutral", " contradiction", 0, 2)],
                         [0, 1, 2, 0, 2])
        for bad in (3, -1, "maybe", True, 1.0):
            with self.assertRaises(ConfigError):
                nli_label(bad, "d")

    def test_dataset_keys_are_unique(self) -> None:
        taken: set[str] = set()
        keys = [dataset_key(spec(name="sentence-transformers/all-nli", subset="triplet"), taken),
                dataset_key(spec(name="sentence-transformers/altlex"), taken),
                dataset_key(spec(name="other/altlex"), taken),
                dataset_key(DatasetSpec("train", "train", {}, 1.0, path="/data/pairs.jsonl"), taken)]
        self.assertEqual(keys, ["all-nli-triplet", "altlex", "altlex-2", "pairs"])


@unittest.skipUnless(HAVE_DATASETS, "needs datasets")
class LoadDatasetTest(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.tmp)

    def test_jsonl_mapped_limited_and_scaled(self) -> None:
        from stt_trainer.recipes import load_dataset_spec

        path = os.path.join(self.tmp, "pairs.jsonl")
        with open(path, "w") as f:
            for i in range(10):
                f.write(json.dumps({"id": i, "b": f"b{i}", "a": f"a{i}", "sim": i % 6}) + "\n")
        s = DatasetSpec("validation", "dev", {"sentence1": "a", "sentence2": "b", "score": "sim"}, 1.0, path=path,
                        max_samples=4)
        data = load_dataset_spec(s, RECIPES["sts"], "datasets[1]")
        self.assertEqual(data.column_names, ["sentence1", "sentence2", "score"])
        self.assertEqual(list(data["score"]), [0.0, 0.2, 0.4, 0.6])

    def test_csv_with_named_nli_labels(self) -> None:
        from stt_trainer.recipes import load_dataset_spec

        path = os.path.join(self.tmp, "nli.csv")
        with open(path, "w") as f:
            f.write("premise,hypothesis,label\nA man,A person,entailment\nA man,A cat,contradiction\n")
        data = load_dataset_spec(DatasetSpec("train", "train", {}, 1.0, path=path), RECIPES["nli"], "datasets[0]")
        self.assertEqual(list(data["label"]), [0, 2])

    def test_missing_file(self) -> None:
        from stt_trainer.recipes import load_dataset_spec

        s = DatasetSpec("train", "train", {}, 1.0, path=os.path.join(self.tmp, "none.jsonl"))
        with self.assertRaises(ConfigError) as caught:
            load_dataset_spec(s, RECIPES["sts"], "datasets[0]")
        self.assertEqual(caught.exception.path, "datasets[0].path")


if __name__ == "__main__":
    unittest.main()
