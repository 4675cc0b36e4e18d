"""Bounds on input, so no answer can hold a round or a command for long.

A spoken answer is a few thousand characters; a pasted transcript may be far
longer. Assessment is linear in length (``python -m bench.answer_size``: about
3 s for 2 MB on 2 cores, prose or one run-on sentence alike), but nothing a
candidate says in one answer needs more than this, and a bound keeps every
judgement well under a second.
"""

from __future__ import annotations

# Characters of one answer that are judged: `interviewer assess` refuses more, a text round keeps the first.
MAX_ANSWER_CHARS = 100_000

# Characters of a job ad that fit a round (`practice --job-ad`, the page's text box): a long ad is a few
# thousand; anything far past this is not an ad, and the web app's body limit is sized from it.
MAX_AD_CHARS = 20_000
