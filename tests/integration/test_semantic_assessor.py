"""The numpy sentence encoder and the semantic assessor, with the real packaged weights."""

import shutil

import numpy as np
import pytest

from agent.content.loader import load_bank
from agent.interview.assess import CueAssessor
from agent.semantic import chosen_assessor, make_assessor
from agent.semantic.assessor import SemanticAssessor, clauses
from agent.semantic.encoder import EncoderUnavailable, SentenceEncoder, model_dir, shared_encoder

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def encoder():
    return shared_encoder()


@pytest.fixture(scope="module")
def bank():
    return load_bank()


def test_embeddings_are_unit_vectors_that_rank_meaning(encoder):
    v = encoder.encode([
        "We compare the new page with the old one on half of the visitors each.",
        "Run an A/B test against the current version.",
        "The coffee machine on the third floor is broken again.",
    ])
    assert v.shape == (3, 384) and np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.2
    again = encoder.encode(["Run an A/B test against the current version."])
    assert np.allclose(again[0], v[1], atol=1e-5)  # padding in a batch does not change a sentence's vector


def test_damaged_weights_are_refused_with_the_file_named(tmp_path):
    src = model_dir()
    dst = tmp_path / "model"
    shutil.copytree(src, dst)
    weights = dst / "model.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF
    weights.write_bytes(bytes(data))
    with pytest.raises(EncoderUnavailable, match="model.safetensors: sha256 .* differs"):
        SentenceEncoder(dst)


def test_clauses_are_verbatim_spans():
    text = "First, I'd ask who uses it. Then, and only then, would I sketch the pieces, the data, and the costs!"
    spans = clauses(text)
    assert [text[s:e] for s, e in spans][:2] == ["First, I'd ask who uses it", "Then, and only then, would I sketch "
                                                 "the pieces, the data, and the costs"]


def test_a_plain_words_answer_gets_credit_the_cues_miss(bank, encoder):
    q = bank.questions["personalization-feasibility"]
    text = ("Before any model I'd put out two hand-made rules and give them to half the shoppers, keeping the "
            "current page for the other half, so we learn whether tailoring moves orders at all.")
    cues = CueAssessor(bank.lexicon).assess(q, text)
    sem = SemanticAssessor(bank.lexicon, encoder).assess(q, text)
    assert {h.id for h in cues.signals} < {h.id for h in sem.signals}
    added = [h for h in sem.signals if h.id not in {c.id for c in cues.signals}]
    assert all(h.polarity == "strong" and h.evidence in text for h in added)
    assert sem.score >= cues.score


def test_semantic_recall_never_adds_weak_signals_or_changes_special_answers(bank, encoder):
    sem = SemanticAssessor(bank.lexicon, encoder)
    q = bank.questions["platform-success-metrics"]
    weak_ids = {s.id for s in q.signals if s.polarity.value == "weak"}
    a = sem.assess(q, "Whether the platform stays up, and a count of how many teams have signed up for it.")
    assert not ({h.id for h in a.signals if h.polarity == "strong"} & weak_ids)
    assert sem.assess(q, "Honestly, I don't know.").answer_kind == "dont_know"
    assert sem.assess(q, "What do you mean by eligible use cases?").answer_kind == "clarification"


def test_the_factory_names_unknown_backends(bank, monkeypatch):
    assert type(make_assessor(bank.lexicon, "cues")) is CueAssessor
    assert isinstance(make_assessor(bank.lexicon, "semantic"), SemanticAssessor)
    monkeypatch.setenv("INTERVIEWER_ASSESSOR", "oracle")
    with pytest.raises(ValueError, match="unknown assessor 'oracle'"):
        chosen_assessor()
