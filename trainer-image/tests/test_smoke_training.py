"""Real training, end to end through the launcher, on a tiny BERT made here and JSONL data, on CPU.

Skipped where torch, transformers, datasets or sentence-transformers are missing (the LoRA case also needs peft).
Each run: the loss falls, a second run with more epochs resumes from the latest checkpoint, and the saved model loads
again and encodes.
"""

from __future__ import annotations

import importlib.util
import json
import os
import random
import shutil
import socket
import tempfile
import unittest
from typing import Any
from unittest import mock

from tests.helpers import config_dict, write_json

HAVE_LIBRARIES = all(importlib.util.find_spec(m) is not None
                     for m in ("torch", "transformers", "datasets", "sentence_transformers"))
HAVE_PEFT = importlib.util.find_spec("peft") is not None
TRAINER_IMAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

TOPICS = {
    "animals": "cat dog horse cow sheep bird fish mouse".split(),
    "food": "bread cheese apple soup rice pasta salad cake".split(),
    "weather": "rain snow wind sun cloud storm fog frost".split(),
    "sport": "ball goal race match team score coach field".split(),
}
SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
ROWS = 32
BATCH = 4


def make_tiny_bert(directory: str) -> None:
    import torch
    from transformers import BertConfig, BertModel, BertTokenizer

    vocab = SPECIAL + sorted(w for words in TOPICS.values() for w in words)
    with open(os.path.join(directory, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(vocab) + "\n")
    BertTokenizer.from_pretrained(directory).save_pretrained(directory)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=64)
    BertModel(config).save_pretrained(directory)


def sentence(rng: random.Random, topic: str) -> str:
    return " ".join(rng.sample(TOPICS[topic], 4))


def pair_rows(rng: random.Random, n: int, scale: float) -> list[dict[str, Any]]:
    """Pairs on one topic score high, across topics low; scale 5 writes the original STS range."""
    rows = []
    for i in range(n):
        a = rng.choice(list(TOPICS))
        b = a if i % 2 == 0 else rng.choice([t for t in TOPICS if t != a])
        score = rng.uniform(0.8, 1.0) if a == b else rng.uniform(0.0, 0.2)
        rows.append({"sentence1": sentence(rng, a), "sentence2": sentence(rng, b), "score": round(score * scale, 3)})
    return rows


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_jsonl(path: str, rows: list[dict[str, Any]]) -> str:
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(json.dumps(r) + "\n" for r in rows)
    return path


@unittest.skipUnless(HAVE_LIBRARIES, "needs torch, transformers, datasets and sentence-transformers")
class SmokeTrainingTest(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.mkdtemp(prefix="stt-smoke-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.model_dir = os.path.join(self.tmp, "tiny-bert")
        os.makedirs(self.model_dir)
        make_tiny_bert(self.model_dir)
        self.rng = random.Random(0)
        self.validation = write_jsonl(os.path.join(self.tmp, "dev.jsonl"), pair_rows(self.rng, 16, 1.0))
        self.test_file = write_jsonl(os.path.join(self.tmp, "test.jsonl"), pair_rows(self.rng, 16, 1.0))

    def config(self, recipe: str, train: list[dict[str, Any]], epochs: int, cards: int = 1, **lora: Any) -> str:
        raw = config_dict(cards=cards, recipe=recipe)
        raw["distributed"]["masterPort"] = free_port()
        out = os.path.join(self.tmp, "output")
        raw["name"] = f"smoke-{recipe}"
        raw["model"] = {"name": self.model_dir, "maxSeqLength": 16}
        raw["bf16"] = False
        raw["lora"] = {"enabled": True, **lora} if lora else {"enabled": False}
        # As the operator's LoRA examples: gradient checkpointing with the adapter.
        raw["training"]["gradientCheckpointing"] = bool(lora)
        raw["training"].update(epochs=epochs, batchSize=BATCH, learningRate=1e-3, warmupRatio=0.0, evalSteps=8,
                               saveSteps=8, loggingSteps=1, seed=0)
        raw["datasets"] = train + [
            {"split": "validation", "path": self.validation, "sourceSplit": "validation", "columns": {},
             "weight": 1.0},
            {"split": "test", "path": self.test_file, "sourceSplit": "test", "columns": {}, "weight": 1.0},
        ]
        raw["output"] = {"dir": out, "finalDir": f"{out}/final", "mergedDir": f"{out}/merged",
                         "metricsFile": f"{out}/metrics.json"}
        raw["progress"] = {"port": 0, "path": "/progress"}
        return write_json(self.tmp, f"train-{epochs}.json", raw)

    def launch(self, config_path: str, cards: int = 1, expect: int = 0) -> dict[str, Any]:
        from stt_trainer import launch

        termination_log = os.path.join(self.tmp, "termination-log")
        with open(config_path, encoding="utf-8") as f:
            port = json.load(f)["distributed"]["masterPort"]
        env = {"STT_DEVICE": "cpu", "STT_TERMINATION_LOG": termination_log, "STT_WORKER_INDEX": "0",
               "STT_NUM_WORKERS": "1", "STT_CARDS_PER_WORKER": str(cards), "MASTER_ADDR": "localhost",
               "MASTER_PORT": str(port), "HF_HUB_OFFLINE": "1",
               # Spawned ranks import stt_trainer from here, as from /opt/stt in the image.
               "PYTHONPATH": os.pathsep.join(p for p in (TRAINER_IMAGE, os.environ.get("PYTHONPATH")) if p)}
        with mock.patch.dict(os.environ, env):
            code = launch.main(["--config", config_path])
        with open(termination_log, encoding="utf-8") as f:
            message = json.load(f)
        self.assertEqual(code, expect, message)
        return message

    def train_twice(self, recipe: str, train: list[dict[str, Any]], steps_per_epoch: int = ROWS // BATCH,
                    **lora: Any) -> dict[str, Any]:
        """Two epochs, then three in the same output dir: the second run resumes at the end of the first."""
        out = os.path.join(self.tmp, "output")
        first = self.launch(self.config(recipe, train, epochs=2, **lora))
        self.assertEqual(first["globalStep"], 2 * steps_per_epoch)
        self.assertIsNone(first["resumedFrom"])
        with open(os.path.join(out, f"checkpoint-{2 * steps_per_epoch}", "trainer_state.json")) as f:
            losses = [e["loss"] for e in json.load(f)["log_history"] if "loss" in e]
        self.assertLess(sum(losses[-3:]) / 3, sum(losses[:3]) / 3, f"loss did not fall: {losses}")

        second = self.launch(self.config(recipe, train, epochs=3, **lora))
        self.assertEqual(second["resumedFrom"], os.path.join(out, f"checkpoint-{2 * steps_per_epoch}"))
        self.assertEqual(second["globalStep"], 3 * steps_per_epoch)
        for key in ("loss", "evalValue", "testValue", "trainRuntime"):
            self.assertIsInstance(second[key], float, key)
        with open(os.path.join(out, "metrics.json")) as f:
            self.assertEqual(json.load(f)["globalStep"], second["globalStep"])
        with open(os.path.join(out, "final", "README.md")) as f:
            self.assertIn(self.model_dir, f.read())
        return second

    def assert_encodes(self, directory: str) -> None:
        from sentence_transformers import SentenceTransformer

        embeddings = SentenceTransformer(directory, device="cpu").encode(["cat dog", "rain snow sun"])
        self.assertEqual(tuple(embeddings.shape), (2, 32))

    def test_sts(self) -> None:
        # The training file uses the original 0..5 STS scale, which the trainer brings to 0..1.
        train = write_jsonl(os.path.join(self.tmp, "sts-train.jsonl"), pair_rows(self.rng, ROWS, 5.0))
        self.train_twice("sts", [{"split": "train", "path": train, "sourceSplit": "train", "columns": {},
                                  "weight": 1.0}])
        self.assert_encodes(os.path.join(self.tmp, "output", "final"))

    def test_nli_with_mapped_columns_and_named_labels(self) -> None:
        rows = []
        for i in range(ROWS):
            a = self.rng.choice(list(TOPICS))
            b = a if i % 2 == 0 else self.rng.choice([t for t in TOPICS if t != a])
            rows.append({"first": sentence(self.rng, a), "second": sentence(self.rng, b),
                         "gold": "entailment" if a == b else "contradiction", "id": i})
        train = write_jsonl(os.path.join(self.tmp, "nli-train.jsonl"), rows)
        self.train_twice("nli", [{"split": "train", "path": train, "sourceSplit": "train", "weight": 1.0,
                                  "columns": {"premise": "first", "hypothesis": "second", "label": "gold"}}])
        self.assert_encodes(os.path.join(self.tmp, "output", "final"))

    def test_paraphrases_over_two_datasets(self) -> None:
        triplets, pairs = [], []
        for i in range(ROWS):
            a = list(TOPICS)[i % 4]
            other = list(TOPICS)[(i + 1) % 4]
            triplets.append({"anchor": f"{sentence(self.rng, a)} {i}", "positive": f"{sentence(self.rng, a)} {i}",
                             "negative": f"{sentence(self.rng, other)} {i}"})
            # Named otherwise and unmapped: kept by position, as upstream's sentence-compression.
            pairs.append({"text": f"{sentence(self.rng, a)} {i}", "simplified": f"{sentence(self.rng, a)} {i}"})
        datasets = [{"split": "train", "path": write_jsonl(os.path.join(self.tmp, name), rows),
                     "sourceSplit": "train", "columns": {}, "weight": 1.0}
                    for name, rows in (("triplets.jsonl", triplets), ("pairs.jsonl", pairs))]
        # Round robin over the two sets: a batch of each per turn until both are used up.
        self.train_twice("paraphrases", datasets, steps_per_epoch=2 * ROWS // BATCH)
        self.assert_encodes(os.path.join(self.tmp, "output", "final"))

    def test_sts_on_two_ranks_with_torchrun(self) -> None:
        train = [{"split": "train", "path": write_jsonl(os.path.join(self.tmp, "sts-train.jsonl"),
                                                        pair_rows(self.rng, ROWS, 1.0)),
                  "sourceSplit": "train", "columns": {}, "weight": 1.0}]
        message = self.launch(self.config("sts", train, epochs=2, cards=2), cards=2)
        # Two ranks share each epoch; worker 0's launcher reports what rank 0 wrote.
        self.assertEqual(message["globalStep"], 2 * ROWS // (2 * BATCH))
        self.assertEqual(message["worldSize"], 2)
        self.assert_encodes(os.path.join(self.tmp, "output", "final"))

    def test_rank_failure_exit_code_reaches_the_launcher(self) -> None:
        # A source column that the file lacks is found by the ranks (after loading): exit 2 must survive torchrun.
        train = [{"split": "train", "path": write_jsonl(os.path.join(self.tmp, "sts-train.jsonl"),
                                                        pair_rows(self.rng, ROWS, 1.0)),
                  "sourceSplit": "train", "columns": {"score": "similarity"}, "weight": 1.0}]
        message = self.launch(self.config("sts", train, epochs=1, cards=2), cards=2, expect=2)
        self.assertIn("'similarity' is not in the dataset", message["error"])
        self.assertRegex(message["error"], r"^rank [01]: invalid configuration: datasets\[0\]\.columns\.score")

    @unittest.skipUnless(HAVE_PEFT, "needs peft")
    def test_sts_with_lora(self) -> None:
        train = write_jsonl(os.path.join(self.tmp, "sts-train.jsonl"), pair_rows(self.rng, ROWS, 1.0))
        self.train_twice("sts", [{"split": "train", "path": train, "sourceSplit": "train", "columns": {},
                                  "weight": 1.0}], r=8, alpha=16, dropout=0.0, targetModules=["query", "value"])
        out = os.path.join(self.tmp, "output")
        self.assertTrue(os.path.isfile(os.path.join(out, "final", "adapter_config.json")))
        # What resuming does with an adapter checkpoint: a fresh adapter (B = 0) takes the trained weights.
        from stt_trainer import train
        from stt_trainer.config import load_config

        model = train.build_model(load_config(os.path.join(self.tmp, "train-3.json")), "cpu", {})
        lora_b = [p for name, p in model.named_parameters() if "lora_B" in name]
        self.assertTrue(lora_b and all(float(p.detach().abs().sum()) == 0 for p in lora_b))
        train.load_adapter_checkpoint(model, os.path.join(out, "checkpoint-24"))
        self.assertTrue(all(float(p.detach().abs().sum()) > 0 for p in lora_b))
        with open(os.path.join(out, "merged", "README.md")) as f:
            self.assertIn("merged into the base model", f.read())
        self.assert_encodes(os.path.join(out, "merged"))


if __name__ == "__main__":
    unittest.main()
