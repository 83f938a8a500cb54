"""The parts of train.py that need no torch: resume point, caches, training arguments, metrics, model card."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import tempfile
import unittest
from types import SimpleNamespace
from unittest import mock

from stt_trainer import train
from stt_trainer.config import parse_config
from stt_trainer.launch import first_rank_failure
from stt_trainer.recipes import RECIPES
from tests.helpers import config, config_dict, edited, write_json


class LatestCheckpointTest(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.tmp)

    def checkpoint(self, name: str, complete: bool = True) -> str:
        path = os.path.join(self.tmp, name)
        os.makedirs(path)
        if complete:
            write_json(path, "trainer_state.json", {"global_step": 1})
        return path

    def test_no_output_dir_yet(self) -> None:
        self.assertIsNone(train.latest_checkpoint(os.path.join(self.tmp, "missing")))
        self.assertIsNone(train.latest_checkpoint(self.tmp))

    def test_largest_complete_step_wins(self) -> None:
        self.checkpoint("checkpoint-900")
        latest = self.checkpoint("checkpoint-1000")  # numerically, not alphabetically, after 900
        self.checkpoint("checkpoint-1100", complete=False)  # the pod died while saving it
        self.checkpoint("checkpoint-final")
        self.checkpoint("final")
        self.assertEqual(train.latest_checkpoint(self.tmp), latest)


class ClaimOutputDirTest(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.tmp)

    def run_config(self, run_id: str | None):
        raw = edited(config_dict(), "output.dir", self.tmp)
        return parse_config(raw if run_id is None else edited(raw, "runId", run_id))

    def test_first_run_marks_the_directory_and_may_resume_it(self) -> None:
        train.claim_output_dir(self.run_config("uid-1"), primary=True)
        with open(os.path.join(self.tmp, train.RUN_MARKER), encoding="utf-8") as f:
            self.assertEqual("uid-1", json.load(f)["runId"])
        train.claim_output_dir(self.run_config("uid-1"), primary=False)  # a restart of the same run

    def test_another_run_is_refused_as_a_configuration_error(self) -> None:
        train.claim_output_dir(self.run_config("uid-1"), primary=True)
        with self.assertRaises(train.ConfigError) as raised:
            train.claim_output_dir(self.run_config("uid-2"), primary=True)
        self.assertIn("output.dir", str(raised.exception))
        self.assertIn("uid-1", str(raised.exception))
        self.assertIn("spec.output.path", str(raised.exception))

    def test_only_rank_zero_marks_and_no_uid_claims_nothing(self) -> None:
        train.claim_output_dir(self.run_config("uid-1"), primary=False)
        train.claim_output_dir(self.run_config(None), primary=True)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, train.RUN_MARKER)))


class CacheFolderTest(unittest.TestCase):
    def test_precedence(self) -> None:
        with_cache = parse_config({**config_dict(), "cacheDir": "/cache"})
        self.assertEqual(train.model_cache_folder(with_cache, {"HF_HUB_CACHE": "/hub", "HF_HOME": "/home"}), "/hub")
        self.assertEqual(train.model_cache_folder(with_cache, {"HF_HOME": "/home"}), "/home/hub")
        self.assertEqual(train.model_cache_folder(with_cache, {}), "/cache/hub")
        self.assertIsNone(train.model_cache_folder(config(), {}))


class TrainingArgumentsTest(unittest.TestCase):
    def kwargs(self, device: str = "hpu", world_size: int = 1, validation: bool = True, recipe: str = "sts",
               **config_kwargs) -> dict:
        c = config(recipe=recipe, **config_kwargs)
        return train.training_args_kwargs(c, RECIPES[recipe], device, world_size, validation, bf16=True)

    def test_common_arguments_from_train_json(self) -> None:
        k = self.kwargs()
        self.assertEqual({key: k[key] for key in (
            "output_dir", "num_train_epochs", "per_device_train_batch_size", "per_device_eval_batch_size",
            "learning_rate", "warmup_ratio", "gradient_accumulation_steps", "eval_strategy", "eval_steps",
            "save_strategy", "save_steps", "save_total_limit", "logging_steps", "seed", "bf16", "deepspeed")}, {
            "output_dir": "/output/run", "num_train_epochs": 1, "per_device_train_batch_size": 16,
            "per_device_eval_batch_size": 16, "learning_rate": 5e-5, "warmup_ratio": 0.1,
            "gradient_accumulation_steps": 1, "eval_strategy": "steps", "eval_steps": 100, "save_strategy": "steps",
            "save_steps": 100, "save_total_limit": 2, "logging_steps": 100, "seed": 42, "bf16": True,
            "deepspeed": None})

    def test_gaudi_arguments(self) -> None:
        k = self.kwargs("hpu")
        self.assertEqual({key: k[key] for key in ("use_habana", "use_lazy_mode", "use_hpu_graphs_for_training",
                                                  "use_hpu_graphs_for_inference", "gaudi_config_name")},
                         {"use_habana": True, "use_lazy_mode": True, "use_hpu_graphs_for_training": True,
                          "use_hpu_graphs_for_inference": False,
                          "gaudi_config_name": "Habana/distilbert-base-uncased"})
        self.assertNotIn("use_cpu", k)

    def test_other_devices_get_no_gaudi_arguments(self) -> None:
        self.assertNotIn("use_habana", self.kwargs("cuda"))
        self.assertNotIn("use_cpu", self.kwargs("cuda"))
        self.assertTrue(self.kwargs("cpu")["use_cpu"])

    def test_distributed(self) -> None:
        self.assertNotIn("ddp_backend", self.kwargs(world_size=1))
        for device, backend in (("hpu", "hccl"), ("cuda", "nccl"), ("cpu", "gloo")):
            k = self.kwargs(device, world_size=8, cards=8)
            self.assertEqual((k["ddp_backend"], k["ddp_find_unused_parameters"]), (backend, True))

    def test_deepspeed_config_except_on_cpu(self) -> None:
        self.assertEqual(self.kwargs("hpu", cards=4, zero=3)["deepspeed"], "/etc/stt/ds_config.json")
        self.assertIsNone(self.kwargs("cpu", cards=4, zero=3)["deepspeed"])

    def test_no_validation_no_evaluation(self) -> None:
        self.assertEqual(self.kwargs(validation=False)["eval_strategy"], "no")

    def test_nli_drops_the_last_batch(self) -> None:
        self.assertTrue(self.kwargs(recipe="nli")["dataloader_drop_last"])
        self.assertFalse(self.kwargs(recipe="paraphrases")["dataloader_drop_last"])


class MetricsAndCardTest(unittest.TestCase):
    def metrics(self, c=None) -> dict:
        result = SimpleNamespace(training_loss=0.31, metrics={"train_runtime": 120.5,
                                                              "train_samples_per_second": 47.7})
        state = SimpleNamespace(global_step=360, epoch=1.0,
                                log_history=[{"loss": 0.9, "step": 100}, {"eval_loss": 0.2, "step": 100},
                                             {"loss": 0.12, "step": 300}, {"train_runtime": 120.5}])
        final_eval = {"eval_sts-dev_spearman_cosine": 0.86, "eval_sts-dev_pearson_cosine": 0.87}
        test = {"sts-test_spearman_cosine": 0.84}
        return train.build_metrics(c or config(), result, state, final_eval, test, "/output/run/checkpoint-300", 1)

    def test_metrics(self) -> None:
        m = self.metrics()
        self.assertEqual({k: m[k] for k in ("loss", "trainLoss", "evalName", "evalValue", "testName", "testValue",
                                            "trainRuntime", "samplesPerSecond", "globalStep", "resumedFrom")},
                         {"loss": 0.12, "trainLoss": 0.31, "evalName": "sts-dev", "evalValue": 0.86,
                          "testName": "sts-test", "testValue": 0.84, "trainRuntime": 120.5,
                          "samplesPerSecond": 47.7, "globalStep": 360, "resumedFrom": "/output/run/checkpoint-300"})
        json.dumps(m)

    def test_card(self) -> None:
        card = train.model_card(config(), self.metrics(), merged=False)
        self.assertTrue(card.startswith("---\nlibrary_name: sentence-transformers\n"))
        for text in ('base_model: "sentence-transformers/all-mpnet-base-v2"', '"loss:CosineSimilarityLoss"',
                     'datasets: ["sentence-transformers/stsb"]', "recipe `sts`: CosineSimilarityLoss",
                     "| validation | sentence-transformers/stsb |  | validation | as named | all |",
                     "| learning rate | 5e-05 |", "| sts-dev | 0.8600 |", "| sts-test | 0.8400 |",
                     'SentenceTransformer("/output/run/final")', "after 360 steps"):
            self.assertIn(text, card)
        self.assertNotIn("LoRA", card)

    def test_lora_cards(self) -> None:
        raw = edited(config_dict(), "lora", {"enabled": True, "r": 16, "alpha": 64, "dropout": 0.05,
                                             "targetModules": ["q_proj", "v_proj"]})
        c = parse_config(raw)
        adapter = train.model_card(c, self.metrics(c), merged=False)
        merged = train.model_card(c, self.metrics(c), merged=True)
        self.assertIn("the LoRA adapter only (the merged model is in `/output/run/merged`)", adapter)
        self.assertIn("r=16, alpha=64, dropout=0.05, target modules q_proj, v_proj", adapter)
        self.assertIn("the LoRA adapter merged into the base model", merged)
        self.assertIn('SentenceTransformer("/output/run/merged")', merged)


class RankCliTest(unittest.TestCase):
    def test_a_rank_records_its_config_error_for_the_launcher(self) -> None:
        tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, tmp)
        path = write_json(tmp, "train.json", edited(config_dict(), "recipe", "mlm"))
        with mock.patch.dict(os.environ, {"STT_ERROR_DIR": tmp, "RANK": "5"}), \
                contextlib.redirect_stderr(io.StringIO()) as stderr:
            code = train.cli(["--config", path])
        self.assertEqual(code, 2)
        self.assertIn("recipe: expected one of", stderr.getvalue())
        failure = first_rank_failure(tmp)
        self.assertEqual((failure["rank"], failure["exitCode"]), (5, 2))
        self.assertTrue(failure["error"].startswith("invalid configuration: recipe:"))


if __name__ == "__main__":
    unittest.main()
