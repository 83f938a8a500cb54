"""train.json loading and every way it can be wrong (each naming its key)."""

from __future__ import annotations

import glob
import os
import shutil
import tempfile
import unittest

from stt_trainer import recipes
from stt_trainer.config import ConfigError, load_config, parse_config
from stt_trainer.launch import build_command
from tests.helpers import config_dict, edited, write_json

GOLDEN_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden")


class ValidConfigTest(unittest.TestCase):
    def test_typed_view(self) -> None:
        raw = config_dict(workers=2, cards=8, zero=3)
        raw["cacheDir"] = "/cache"
        raw["lora"] = {"enabled": True, "r": 16, "alpha": 64, "dropout": 0.05, "targetModules": ["q_proj", "v_proj"]}
        raw["model"].update(revision="main", maxSeqLength=128)
        raw["datasets"][0].update(subset="pair-score", maxSamples=1000, columns={"score": "label"})
        c = parse_config(raw, source="/etc/stt/train.json")
        self.assertEqual((c.version, c.name, c.namespace, c.recipe), (1, "sts-mpnet", "default", "sts"))
        self.assertEqual((c.model.revision, c.model.max_seq_length, c.model.architecture), ("main", 128, "mpnet"))
        self.assertEqual((c.lora.r, c.lora.alpha, c.lora.dropout, c.lora.target_modules),
                         (16, 64, 0.05, ("q_proj", "v_proj")))
        self.assertEqual((c.deepspeed.zero_stage, c.deepspeed.config), (3, "/etc/stt/ds_config.json"))
        self.assertEqual((c.training.batch_size, c.training.learning_rate, c.training.hpu_graphs), (16, 5e-5, True))
        self.assertEqual((c.distributed.workers, c.distributed.cards_per_worker, c.distributed.world_size,
                          c.distributed.launcher, c.distributed.master_port),
                         (2, 8, 16, "torch.distributed.run", 29500))
        self.assertEqual(c.datasets[0].columns, {"score": "label"})
        self.assertEqual((c.datasets[0].subset, c.datasets[0].max_samples), ("pair-score", 1000))
        self.assertEqual([i for i, _ in c.datasets_for("test")], [2])
        self.assertEqual((c.eval_name, c.cache_dir, c.progress.port, c.progress.path),
                         ("sts-dev", "/cache", 8080, "/progress"))
        self.assertEqual(c.output.final_dir, "/output/run/final")
        self.assertEqual(c.source, "/etc/stt/train.json")

    def test_null_optionals_count_as_absent(self) -> None:
        # What operator builds before TrainConfig's @JsonInclude(NON_NULL) render.
        raw = config_dict()
        raw["model"].update(revision=None, maxSeqLength=None)
        raw["lora"] = {"enabled": False, "r": None, "alpha": None, "dropout": None, "targetModules": None}
        raw["cacheDir"] = None
        raw["deepspeed"] = None
        c = parse_config(raw)
        self.assertIsNone(c.model.revision)
        self.assertIsNone(c.model.max_seq_length)
        self.assertIsNone(c.deepspeed)
        self.assertIsNone(c.cache_dir)
        self.assertEqual(c.lora.target_modules, ())

    def test_integral_floats_are_integers(self) -> None:
        c = parse_config(edited(config_dict(), "training.batchSize", 32.0))
        self.assertEqual(c.training.batch_size, 32)
        self.assertIsInstance(c.training.batch_size, int)

    def test_dataset_from_a_file(self) -> None:
        raw = config_dict()
        raw["datasets"][0] = {"split": "train", "path": "/data/train.jsonl", "sourceSplit": "train",
                              "columns": {"sentence1": "a", "sentence2": "b", "score": "s"}, "weight": 2.5}
        d = parse_config(raw).datasets[0]
        self.assertEqual((d.path, d.name, d.source, d.weight), ("/data/train.jsonl", None, "/data/train.jsonl", 2.5))

    def test_load_config_reads_the_file(self) -> None:
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        path = write_json(tmp, "train.json", config_dict(cards=8))
        c = load_config(path)
        self.assertEqual((c.source, c.distributed.world_size), (path, 8))


class GoldenConfigTest(unittest.TestCase):
    """train.json files rendered by the operator (trainer-image/tests/golden/*.json), when present."""

    def test_every_golden_file_loads(self) -> None:
        files = sorted(glob.glob(os.path.join(GOLDEN_DIR, "*.json")))
        if not files:
            self.skipTest(f"no golden train.json in {GOLDEN_DIR}")
        for path in files:
            with self.subTest(os.path.basename(path)):
                c = load_config(path)
                recipes.check_columns(c)
                d = c.distributed
                # The last worker's command, with the env the operator gives it.
                env = {"STT_WORKER_INDEX": str(d.workers - 1), "STT_NUM_WORKERS": str(d.workers),
                       "STT_CARDS_PER_WORKER": str(d.cards_per_worker), "MASTER_ADDR": "worker-0",
                       "MASTER_PORT": str(d.master_port)}
                command = build_command(c, env, "hpu")
                self.assertEqual(command[-3:], ["stt_trainer.train", "--config", path])
                self.assertEqual(command[0] == "deepspeed", d.launcher == "deepspeed")


class InvalidConfigTest(unittest.TestCase):
    def assert_error(self, raw: object, path: str, fragment: str = "") -> ConfigError:
        with self.assertRaises(ConfigError) as caught:
            parse_config(raw)
        self.assertEqual(caught.exception.path, path, str(caught.exception))
        self.assertIn(fragment, str(caught.exception))
        self.assertTrue(str(caught.exception).startswith(f"{path}: "))
        return caught.exception

    def test_message_names_key_type_and_value(self) -> None:
        error = self.assert_error(edited(config_dict(), "training.batchSize", "x"), "training.batchSize")
        self.assertEqual(str(error), "training.batchSize: expected an integer >= 1, got 'x'")

    def test_missing_keys(self) -> None:
        for path in ("name", "recipe", "model", "model.name", "lora.enabled", "training.seed", "datasets",
                     "datasets.0.split", "datasets.1.sourceSplit", "datasets.2.columns", "datasets.0.weight",
                     "evaluation.name", "gaudiConfigName", "distributed.launcher", "distributed.masterPort",
                     "output.metricsFile", "progress.port", "progress.path"):
            with self.subTest(path):
                key = path.replace(".0.", "[0].").replace(".1.", "[1].").replace(".2.", "[2].")
                self.assert_error(edited(config_dict(), path, delete=True), key, "required key is missing")

    def test_wrong_types(self) -> None:
        cases = [
            ("name", 7, "expected a string"),
            ("bf16", "true", "expected true or false"),
            ("training.epochs", True, "expected an integer >= 1, got true"),
            ("training.learningRate", "5e-5", "expected a number > 0"),
            ("training.hpuGraphs", 1, "expected true or false"),
            ("training.batchSize", 1.5, "expected an integer >= 1, got 1.5"),
            ("model", "bert", "expected an object, got 'bert'"),
            ("datasets", {}, "expected an array, got an object"),
            ("datasets.0.columns", ["score"], "expected an object"),
            ("datasets.0.columns", {"score": 3}, "expected a string"),
            ("lora.targetModules", "q_proj", "expected a non-empty array of strings"),
            ("distributed.workers", None, "expected an integer >= 1, got null"),
        ]
        for path, value, fragment in cases:
            with self.subTest(path):
                raw = edited(config_dict(), path, value)
                if path == "lora.targetModules":
                    raw["lora"].update(enabled=True, r=8, alpha=16, dropout=0.1)
                key = path.replace(".0.", "[0].")
                if path == "datasets.0.columns" and isinstance(value, dict):
                    key = "datasets[0].columns.score"
                self.assert_error(raw, key, fragment)

    def test_bad_enums(self) -> None:
        for path, value in (("recipe", "mlm"), ("model.architecture", "gpt2"), ("datasets.0.split", "dev"),
                            ("distributed.launcher", "mpirun")):
            with self.subTest(path):
                self.assert_error(edited(config_dict(), path, value), path.replace(".0.", "[0]."), "expected one of")

    def test_out_of_range(self) -> None:
        cases = [
            ("training.epochs", 0, "expected an integer >= 1, got 0"),
            ("training.learningRate", 0, "expected a number > 0"),
            ("training.warmupRatio", 1.5, "expected a number >= 0 and <= 1"),
            ("training.seed", -1, "expected an integer >= 0"),
            ("model.maxSeqLength", 4, "expected an integer >= 8"),
            ("distributed.cardsPerWorker", 9, "expected an integer between 1 and 8"),
            ("distributed.masterPort", 70000, "between 1 and 65535"),
            ("progress.port", -1, "between 0 and 65535"),
            ("datasets.0.weight", 0, "expected a number > 0"),
            ("datasets.0.maxSamples", 0, "expected an integer >= 1"),
            ("name", "", "expected a non-empty string"),
            ("output.dir", "output/run", "expected an absolute path"),
            ("progress.path", "progress", "expected an absolute path"),
            ("training.learningRate", float("nan"), "expected a number > 0"),
        ]
        for path, value, fragment in cases:
            with self.subTest(path):
                self.assert_error(edited(config_dict(), path, value), path.replace(".0.", "[0]."), fragment)
        raw = config_dict(zero=3)
        self.assert_error(edited(raw, "deepspeed.zeroStage", 4), "deepspeed.zeroStage", "between 1 and 3")
        lora = {"enabled": True, "r": 8, "alpha": 16, "dropout": 1.0, "targetModules": ["q"]}
        self.assert_error(edited(config_dict(), "lora", lora), "lora.dropout", "expected a number >= 0 and < 1")
        self.assert_error(edited(config_dict(), "lora", {**lora, "dropout": 0.1, "r": 0}), "lora.r", ">= 1")

    def test_versions(self) -> None:
        for version in (2, 0, "1", True, None):
            with self.subTest(version=version):
                self.assert_error(edited(config_dict(), "version", version), "version", "unsupported contract version")
        self.assert_error(edited(config_dict(), "version", delete=True), "version", "required key is missing")

    def test_unknown_keys(self) -> None:
        self.assert_error(edited(config_dict(), "extra", 1), "extra", "unknown key")
        self.assert_error(edited(config_dict(), "training.fp16", True), "training.fp16", "unknown key")
        self.assert_error(edited(config_dict(), "datasets.1.split2", "x"), "datasets[1].split2", "unknown key")

    def test_root_must_be_an_object(self) -> None:
        self.assert_error([], "train.json", "expected an object, got an array")

    def test_lora_enabled_needs_its_parameters(self) -> None:
        self.assert_error(edited(config_dict(), "lora", {"enabled": True, "r": 8}), "lora.alpha",
                          "required when lora.enabled is true")

    def test_dataset_needs_exactly_one_source(self) -> None:
        both = edited(config_dict(), "datasets.0.path", "/data/x.jsonl")
        self.assert_error(both, "datasets[0]", "got both")
        neither = edited(config_dict(), "datasets.0.name", delete=True)
        self.assert_error(neither, "datasets[0]", "got neither")
        self.assert_error(edited(config_dict(), "datasets", []), "datasets", "at least 1")

    def test_cross_field_rules(self) -> None:
        self.assert_error(edited(config_dict(cards=8), "distributed.worldSize", 16), "distributed.worldSize",
                          "expected workers x cardsPerWorker = 8, got 16")
        self.assert_error(edited(config_dict(cards=8), "distributed.launcher", "python"), "distributed.launcher",
                          "worldSize is 8")
        self.assert_error(edited(config_dict(workers=2, cards=8), "distributed.launcher", "deepspeed"),
                          "distributed.launcher", "workers is 2")
        raw = config_dict()
        raw["datasets"] = raw["datasets"][1:]
        self.assert_error(raw, "datasets", "no dataset with split 'train'")

    def test_recipe_columns(self) -> None:
        c = parse_config(edited(config_dict(), "datasets.0.columns", {"premise": "text"}))
        with self.assertRaises(ConfigError) as caught:
            recipes.check_columns(c)
        self.assertEqual(caught.exception.path, "datasets[0].columns.premise")
        self.assertIn("sentence1, sentence2, score", str(caught.exception))
        c = parse_config(edited(config_dict(), "datasets.1.columns", {"sentence1": "t", "sentence2": "t"}))
        with self.assertRaises(ConfigError) as caught:
            recipes.check_columns(c)
        self.assertEqual(caught.exception.path, "datasets[1].columns")

    def test_unreadable_files(self) -> None:
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        with self.assertRaises(ConfigError) as caught:
            load_config(os.path.join(tmp, "missing.json"))
        self.assertEqual(caught.exception.path, "--config")
        broken = os.path.join(tmp, "broken.json")
        with open(broken, "w") as f:
            f.write('{"version": 1,')
        with self.assertRaises(ConfigError) as caught:
            load_config(broken)
        self.assertEqual(caught.exception.path, "train.json")
        self.assertIn("not valid JSON", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
