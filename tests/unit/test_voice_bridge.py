"""The policy bridge drives a real AgentSession with text only: session.run() + result.expect."""

from __future__ import annotations

import types
from pathlib import Path

import pytest
from livekit.agents import AgentSession, llm

from agent.session import RoundRequest, start_round
from agent.store import Store
from agent.voice.backchannel import is_backchannel
from agent.voice.bridge import InterviewerAgent
from agent.voice.conductor import RoundConductor
from agent.voice.policy_llm import PolicyLLM
from tests.fakes.content import FAKE_LEXICON, fake_persona, fake_question

pytestmark = pytest.mark.unit

WEAK = "We would track uptime and the number of integrations, plus how many teams signed up."
STRONG = "I would start from the consuming teams and the job to be done, then the time to integrate."


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def bank():
    q = fake_question()
    p = fake_persona()
    return types.SimpleNamespace(personas={p.id: p}, questions={q.id: q}, lexicon=FAKE_LEXICON)


@pytest.fixture
def store(tmp_path: Path):
    s = Store(f"sqlite:///{tmp_path / 'rounds.db'}")
    yield s
    s.close()


def conductor_for(bank, store) -> RoundConductor:
    logged = start_round(bank, store, RoundRequest(persona_id="fake-persona", question_ids=("fake-metrics",),
                                                   mode="simulate"), clock=FakeClock())
    return RoundConductor(logged)


async def test_weak_answer_gets_the_value_probe_through_session_run(bank, store):
    conductor = conductor_for(bank, store)
    async with AgentSession(llm=PolicyLLM(conductor=conductor), vad=None) as session:
        await session.start(InterviewerAgent(conductor=conductor))
        result = await session.run(user_input=WEAK)
        msg = result.expect.contains_message(role="assistant")
        assert "value for teams" in (msg.event().item.text_content or "") or "do for its users" in (
            msg.event().item.text_content or "")
    answered = [t for t in conductor.turns if t.source == "answer"]
    assert answered[-1].action == "probe"
    assert answered[-1].probe_id == "value-probe"
    assert answered[-1].heard == WEAK
    await conductor.aclose()
    # the turns are stored, candidate first, and the round was closed as interrupted
    meta, status, turns = store.get_round(conductor.logged.round.meta.round_id)
    kinds = [(t.speaker.value, t.kind) for t in turns]
    assert ("candidate", "answer") in kinds and ("interviewer", "probe") in kinds
    assert status in ("interrupted", "completed")


async def test_opening_is_spoken_on_enter_and_history_keeps_both_sides(bank, store):
    conductor = conductor_for(bank, store)
    async with AgentSession(llm=PolicyLLM(conductor=conductor), vad=None) as session:
        await session.start(InterviewerAgent(conductor=conductor))
        result = await session.run(user_input=STRONG)
        result.expect.contains_message(role="assistant")
        roles = [i.role for i in session.history.items if i.type == "message"]
    assert roles.count("assistant") >= 2 and roles.count("user") == 1  # the opening, the answer, the reply
    assert conductor.turns[0].source == "start"
    assert conductor.turns[0].action == "opening+question"
    await conductor.aclose()


async def test_same_user_message_asked_twice_gets_the_same_decision(bank, store):
    conductor = conductor_for(bank, store)
    policy = PolicyLLM(conductor=conductor)
    await conductor.start()
    ctx = llm.ChatContext.empty()
    ctx.add_message(role="assistant", content="How would you measure it?")
    ctx.add_message(role="user", content=WEAK)

    async def reply_text() -> str:
        async with policy.chat(chat_ctx=ctx) as stream:
            return "".join([c.delta.content or "" async for c in stream if c.delta])

    first = await reply_text()
    second = await reply_text()
    assert first == second and first
    candidate_turns = [t for t in conductor.logged.round.turns if t.speaker.value == "candidate"]
    assert len(candidate_turns) == 1  # the core saw the answer once
    await conductor.aclose()


async def test_each_interviewer_turn_is_its_own_chunk(bank, store):
    conductor = conductor_for(bank, store)
    policy = PolicyLLM(conductor=conductor)
    async with policy.chat(chat_ctx=llm.ChatContext.empty()) as stream:
        chunks = [c.delta.content async for c in stream if c.delta and c.delta.content]
    assert len(chunks) == 2  # opening, then the question: spoken as two TTS segments
    assert chunks[0].endswith(" ")
    await conductor.aclose()


@pytest.mark.parametrize(("text", "expected"), [
    ("Mm-hmm.", True), ("MMHMM", True), ("Mhm.", True), ("Hmmm...", True), ("Right, okay.", True),
    ("Yeah.", True), ("Uh-huh", True), ("My answer", False), ("Mm, that depends on the team.", False),
    ("Yeah, but what about the migration?", False), ("", False), ("Wait, can I ask something?", False),
])
def test_backchannel_detection(text: str, expected: bool):
    assert is_backchannel(text) is expected


async def test_words_heard_as_the_round_ends_are_kept_and_scored(bank, store):
    """The candidate pressed End (or the worker stopped) before the reply: the answer is still stored."""
    conductor = conductor_for(bank, store)
    await conductor.start()
    await conductor.aclose(reason="candidate_left", last_words=WEAK)
    meta, status, turns = store.get_round(conductor.logged.round.meta.round_id)
    answers = [t for t in turns if t.speaker.value == "candidate"]
    assert [a.text for a in answers] == [WEAK]
    assert answers[0].assessment is not None and answers[0].assessment.signals  # scored, not just kept
    assert not [t for t in turns if t.kind == "probe"]  # nobody is left to hear a probe
    assert status == "interrupted" and turns[-1].kind == "wrap_up"


def test_unanswered_text_joins_the_hold_and_uncommitted_finals(bank, store):
    agent = InterviewerAgent(conductor=conductor_for(bank, store))
    assert agent.unanswered_text() == ""
    agent.hold.hold("We would track uptime and", started_speaking_at=None, count=1)
    agent._unanswered.append("the number of integrations.")
    assert agent.unanswered_text() == "We would track uptime and the number of integrations."
