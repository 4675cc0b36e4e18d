"""What the scripted candidates of the worker tests say, and the round they ask for.

Shared by every test that drives the real worker, so each speaks the same
weak answer, hears the same probe and closes the same way.
"""

from __future__ import annotations

import re

PERSONA = "platform-lead"
QUESTION = "platform-success-metrics"
# the probe the core must ask when the answer stops at uptime, adoption and integration counts
VALUE_PROBE = "value-beyond-usage"
WEAK = "I would report our uptime, the adoption rate, and the number of integrations."
STRONG = (
    "I would start from the job the platform does for the teams on it. I would measure how many days "
    "a new team takes to integrate, the engineering hours they save compared with building it themselves, "
    "and whether their developers would recommend it."
)
DONT_KNOW = "Honestly, I do not know."
CLOSING = "No, that is all from me. Thank you."


def heard_uptime(text: str) -> bool:
    return re.search(r"\bup ?time\b", text, re.IGNORECASE) is not None


def metadata(track: str | None = None, **extra: object) -> dict[str, object]:
    from agent.content.loader import load_bank

    bank = load_bank()
    persona = bank.personas[PERSONA]
    question = bank.questions[QUESTION]
    chosen = track or next(str(t) for t in question.tracks if t in persona.tracks)
    return {"persona": PERSONA, "track": chosen, "minutes": 5, "questions": [QUESTION], **extra}
