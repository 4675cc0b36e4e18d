import hashlib
import json
import time
from pathlib import Path

import pytest

from agent.speech import models
from agent.speech.models import (
    ModelIntegrityError,
    ModelNotFoundError,
    file_digest,
    resolve,
    verify_file,
)

pytestmark = pytest.mark.unit


def _write(path: Path, data: bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return hashlib.sha256(data).hexdigest()


def test_hash_mismatch_is_one_line_naming_file_expected_and_found(tmp_path):
    weights = tmp_path / "model.bin"
    found = _write(weights, b"not the real weights")
    expected = "0" * 64
    with pytest.raises(ModelIntegrityError) as err:
        verify_file(weights, expected, cache_path=tmp_path / "cache.json")
    message = str(err.value)
    assert "\n" not in message
    assert str(weights) in message
    assert expected in message and found in message


def test_matching_hash_passes_and_second_check_comes_from_cache(tmp_path):
    weights = tmp_path / "model.bin"
    digest = _write(weights, b"weights v1")
    cache = tmp_path / "cache.json"
    assert verify_file(weights, digest, cache_path=cache) is False  # hashed
    assert verify_file(weights, digest, cache_path=cache) is True  # cached
    entry = json.loads(cache.read_text())[str(weights.resolve())]
    assert entry["sha256"] == digest and entry["size"] == len(b"weights v1")


def test_changed_file_is_hashed_again_not_trusted_from_cache(tmp_path):
    weights = tmp_path / "model.bin"
    digest = _write(weights, b"weights v1")
    cache = tmp_path / "cache.json"
    verify_file(weights, digest, cache_path=cache)
    time.sleep(0.01)
    _write(weights, b"weights v2 - swapped")
    with pytest.raises(ModelIntegrityError):
        verify_file(weights, digest, cache_path=cache)


def test_corrupt_cache_file_is_ignored(tmp_path):
    weights = tmp_path / "model.bin"
    digest = _write(weights, b"abc")
    cache = tmp_path / "cache.json"
    cache.write_text("{not json")
    assert file_digest(weights, cache_path=cache) == (digest, False)


def test_unknown_model_name_lists_known_names_and_the_folder(tmp_path):
    with pytest.raises(ModelNotFoundError) as err:
        resolve("huge.en", "stt", base_dir=tmp_path)
    message = str(err.value)
    assert "unknown speech-to-text model 'huge.en'" in message
    assert "tiny.en" in message and "base.en" in message
    assert str(tmp_path / "huge.en") in message
    assert "\n" not in message


def test_known_but_missing_model_says_how_to_get_it(tmp_path):
    with pytest.raises(ModelNotFoundError) as err:
        resolve("base.en", "stt", base_dir=tmp_path)
    assert "interviewer models download base.en" in str(err.value)
    assert str(tmp_path / "base.en") in str(err.value)


def test_voice_name_asked_as_stt_is_rejected(tmp_path):
    with pytest.raises(ModelNotFoundError, match="is a voice"):
        resolve("en_US-lessac-medium", "stt", base_dir=tmp_path)


def test_hand_placed_whisper_folder_resolves_by_name(tmp_path):
    _write(tmp_path / "my-whisper" / "model.bin", b"x")
    found = resolve("my-whisper", "stt", base_dir=tmp_path)
    assert found.path == tmp_path / "my-whisper" and found.expected_sha256 is None


def test_downloaded_model_is_checked_against_its_manifest(tmp_path):
    folder = tmp_path / "base.en"
    _write(folder / "model.bin", b"downloaded")
    (folder / "manifest.json").write_text(json.dumps({"files": {"model.bin": {"sha256": "f" * 64}}}))
    with pytest.raises(ModelIntegrityError):
        models.resolve_verified("base.en", "stt", base_dir=tmp_path, cache_path=tmp_path / "c.json")


def test_voice_by_path_needs_its_json_config(tmp_path):
    onnx = tmp_path / "v.onnx"
    _write(onnx, b"onnx")
    with pytest.raises(ModelNotFoundError, match="v.onnx.json"):
        resolve(str(onnx), "tts")
    _write(tmp_path / "v.onnx.json", b"{}")
    assert resolve(str(onnx), "tts").config_path == tmp_path / "v.onnx.json"


def test_missing_path_is_named(tmp_path):
    with pytest.raises(ModelNotFoundError, match=str(tmp_path / "nope")):
        resolve(str(tmp_path / "nope"), "stt")


def test_packaged_defaults_resolve_without_a_models_folder(tmp_path):
    stt = resolve("tiny.en", "stt", base_dir=tmp_path)
    tts = resolve("en_US-joe-medium", "tts", base_dir=tmp_path)
    assert stt.weights.name == "model.bin" and stt.expected_sha256 == models.TINY_EN_SHA256
    assert tts.config_path is not None and tts.expected_sha256 == models.JOE_MEDIUM_SHA256


def test_list_marks_packaged_installed_and_finds_extra_folders(tmp_path):
    _write(tmp_path / "custom-voice" / "custom-voice.onnx", b"x")
    rows = {r.name: r for r in models.list_models(base_dir=tmp_path)}
    assert rows["tiny.en"].installed and rows["en_US-joe-medium"].installed
    assert not rows["small.en"].installed
    assert rows["custom-voice"].kind == "tts" and rows["custom-voice"].installed
