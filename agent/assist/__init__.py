"""Optional helpers that sit beside the deterministic core and never replace it.

Today that is one: an OpenAI-compatible model that may add strong signals the
cues missed. It is off unless the user points ``INTERVIEWER_LLM_URL`` at an
endpoint, because sending a candidate's words anywhere is their choice.
"""
