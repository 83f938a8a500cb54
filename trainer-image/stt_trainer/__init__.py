"""The trainer that stt-operator runs in every Gaudi worker pod.

Entry point: ``python -m stt_trainer.launch --config /etc/stt/train.json`` (see launch.py). Every module imports
torch, sentence-transformers, transformers, peft, datasets, optimum-habana and habana_frameworks inside functions only,
so that the launcher, the configuration checks and the tests run on a bare Python.
"""

__version__ = "0.1.0"
