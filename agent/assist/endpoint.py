"""Where the model behind the second opinion lives, as the settings give it (``INTERVIEWER_LLM_*``).

Kept apart from the assessor so that reading the settings does not import
the assessor itself: every command reads its settings, few use a model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_TIMEOUT_S = 1.5


@dataclass(frozen=True, slots=True)
class LLMSettings:
    """An OpenAI-compatible endpoint, the model it serves, and how long a turn may wait for it."""

    base_url: str
    model: str
    api_key: str = field(default="not-needed", repr=False)
    timeout_s: float = DEFAULT_TIMEOUT_S
