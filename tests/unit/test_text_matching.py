import pytest

from agent.interview._text import Answer, find_phrase, phrase_stems, stem, tokenize

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("a,b", [("integrations", "integrate"), ("integrating", "integrated"),
                                 ("teams", "team"), ("migrated", "migrating"), ("companies", "company"),
                                 ("Onboarding", "onboard")])
def test_inflections_share_a_stem(a, b):
    assert stem(a) == stem(b)


def test_phrase_found_across_inflections_with_offsets():
    text = "We track the time it takes teams integrating, i.e. time to integration."
    tokens = tokenize(text)
    (m,) = list(find_phrase(tokens, phrase_stems("time to integrate")))
    assert text[tokens[m.first].start:tokens[m.last - 1].end] == "time to integration"


@pytest.mark.parametrize("a,b", [("prioritise", "prioritized"), ("realise", "realizing"), ("analyse", "analyzes"),
                                 ("organisation", "organization")])
def test_british_and_american_spellings_share_a_stem(a, b):
    assert stem(a) == stem(b)


def test_answer_index_maps_offsets_to_tokens_sentences_and_clauses():
    a = Answer.of("Uptime matters, but depth matters more. Then time to integrate.")
    assert a.span(*a.sentence(0)) == "Uptime matters, but depth matters more"
    assert a.span(*a.clause(0)) == "Uptime matters"
    assert a.span(*a.clause(2)) == "but depth matters more"
    assert a.token_at(a.text.index("depth")) == 3
    assert a.token_at(a.text.index(",")) == 2  # a gap falls to the next token
    assert a.sentence_range(5) is None


def test_a_number_hyphenated_into_a_name_is_not_a_figure():
    from agent.content.loader import load_bank
    from agent.interview._text import Answer
    from agent.interview.support import SupportKind, SupportReader

    reader = SupportReader(load_bank().lexicon)

    def numbers(text):
        return [m for m in reader.markers(Answer.of(text)) if m.kind is SupportKind.NUMBER]

    assert not numbers("a one-to-one profile over a three-way handshake")
    assert numbers("a six-month window for every caller")
    assert numbers("we cut it to 2 days")


def test_lexicon_phrases_found_at_word_starts_are_every_match_a_full_scan_finds():
    """The stance and hollow-reason scans try their patterns only where a word (or an apostrophe inside one)
    starts; on every labelled answer, and on answers that open with punctuation or hide "'s" inside a word,
    that finds exactly the matches a scan of every character finds.
    """
    from agent.content.loader import load_bank
    from agent.interview._text import every_start, word_starts
    from tests.evals.loader import BLIND_SETS, DEV_ANSWERS, load_answers

    lexicon = load_bank().lexicon
    patterns = [every_start(p) for p in (lexicon.dismissals, lexicon.doubts, lexicon.preferences,
                                         (*lexicon.hollow_reasons, *lexicon.engineering_deferral),
                                         lexicon.buzzwords, lexicon.reported_views, lexicon.set_aside_turns,
                                         lexicon.replacements, lexicon.set_ups)]
    texts = [a.text for path in (*BLIND_SETS, DEV_ANSWERS) for a in load_answers(path)]
    texts += ['"No. Uptime alone isn\'t it.', "-- nope, that's a vanity metric",
              "it's misleading; they're table stakes", "DAU's a trap\u2019s end",
              "  (not really) because big companies do it", "Nope. But REALLY, instead I'd go",
              "\u017fo it's \u212aind of the standard"]
    for text in texts:
        answer = Answer.of(text)
        for pattern in patterns:
            assert pattern is not None
            full = [(m.start(), m.end(1)) for m in pattern.regex.finditer(text)]
            fast = [(m.start(), m.end(1)) for m in word_starts(pattern, answer)]
            assert fast == full, text


def test_a_patterns_openings_are_known_only_when_they_can_be_told():
    """Skipping words a pattern cannot start at needs its possible openings (up to three characters, fewer
    where anything may follow); anything the analysis cannot pin down (a class such as \\w, a pattern that
    can match nothing) means "try every word".
    """
    from agent.interview._pattern_heads import openings, word_openings

    assert openings([r"\b(so )?(what )?(i'?d|we'?d) rather"]) == {"so ", "wha", "i'd", "id ", "we'", "wed"}
    assert openings([r"(?:big|Large) firms", r"\bno\b"]) == {"big", "lar", "no"}
    assert openings([r"^\W*(no|nope)\b"]) == frozenset()  # only where the text starts, which is always tried
    assert openings([r"(?m)^no"]) == {"no"}  # after any new line too
    assert openings([r"by (\w+ )?\w+ing"]) == {"by "}
    assert openings([r"x\d+"]) == {f"x{d}" for d in "0123456789"}
    assert openings([r"ab+c"]) == {"ab"}  # a second "b" and on: anything may follow
    assert openings([r"\w+ly"]) is None
    assert openings([r"(a)?"]) is None
    assert openings([r"[a-c]x"]) == {"ax", "bx", "cx"}
    assert openings(["\u00e9t\u00e9"]) is None  # a letter outside ASCII: Unicode case rules may match another
    assert openings(["caf\u00e9"]) == {"caf"}
    assert word_openings(r"\bwhy\b") == {"why"}
    assert word_openings(r"why") is None  # no boundary: it may start inside a word
    assert word_openings(r"\b\$\d") is None  # a boundary before a non-word character is no word start
    assert word_openings(r"(?a)\bwhy") is None


def test_cue_and_support_patterns_tried_only_at_their_words_find_what_a_scan_finds():
    """A cue or support pattern that opens on a word boundary is tried only at the words it can open with;
    on every labelled answer, and on answers that open with punctuation, run words into digits or hide a
    letter Unicode folds to an ASCII one, that yields exactly what ``finditer`` yields.
    """
    from agent.content.loader import load_bank
    from agent.interview._text import word_matches, word_pattern
    from tests.evals.loader import BLIND_SETS, DEV_ANSWERS, load_answers

    bank = load_bank()
    support = bank.lexicon.support
    sources = {p for q in bank.questions.values() for s in q.signals
               for p in (*s.cues.patterns, *(x for name in s.cues.shared for x in getattr(bank.lexicon, name)))}
    sources |= {p for kind in (support.reason, support.mechanism, support.number, support.example,
                               support.consequence) for p in kind.patterns}
    patterns = [word_pattern(p) for p in sorted(sources)]
    assert sum(p.opens is not None for p in patterns) > len(patterns) * 0.9  # most are tried at words only
    texts = [a.text for path in (*BLIND_SETS, DEV_ANSWERS) for a in load_answers(path)]
    texts += ["so-so. So, since 3x, 12ms... (why? it matters)", "\u017fo \u212aind of faster for them",
              "customers'll save them 30% by batching", "x2 2x 10k-fold; for them: one two three four"]
    for text in texts:
        answer = Answer.of(text)
        for pattern in patterns:
            full = [(m.start(), m.end()) for m in pattern.regex.finditer(text)]
            assert [(m.start(), m.end()) for m in word_matches(pattern, answer)] == full, (pattern.regex, text)
