"""A plain-language aid for letters (DOMAIN.md: write at B1 level): a simple, documented
heuristic, not a score from a formula that claims more than it knows.

How it counts, the same for Dutch and English:

- A sentence ends at ``.``, ``!`` or ``?`` followed by a space or the end, or at the end of a
  line (headings, list items and the address lines stand on their own). Lines without a word
  are not sentences.
- A word is a run of letters or digits (``9:11`` counts as two, ``e-mail`` as two).
- A long sentence has more than ``LONG_SENTENCE`` (20) words; the aim is an average of at most
  ``AIM_AVERAGE`` (15) words. Plain-language guides for B1 (Dutch "Direct duidelijk", the
  Dutch government's writing guide) give 15 to 20 words as the upper bound.
- A long word has ``LONG_WORD`` (13) letters or more: in Dutch mostly compounds
  ("klachtbehandelaar", "behoorlijkheidsnorm"), in English mostly Latinate words. The aim is at
  most ``AIM_LONG_WORDS`` (10%) of the words.

The result says in words what is fine and what to change, and lists the longest sentences,
so it works without colour and with a screen reader.
"""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

LONG_SENTENCE = 20
AIM_AVERAGE = 15
LONG_WORD = 13
AIM_LONG_WORDS = 0.10
SHOW_LONGEST = 3
# The aims as the letter page states them.
AIMS = {
    "average": AIM_AVERAGE,
    "long_sentence": LONG_SENTENCE,
    "long_word": LONG_WORD,
    "long_words": int(AIM_LONG_WORDS * 100),
}

WORD = re.compile(r"[^\W_]+")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


@dataclass
class Readability:
    sentences: int = 0
    words: int = 0
    average_sentence: float = 0.0
    long_sentences: int = 0
    long_words: int = 0
    long_word_share: float = 0.0
    longest: list[tuple[int, str]] = field(default_factory=list)
    long_word_examples: list[str] = field(default_factory=list)

    @property
    def sentences_ok(self) -> bool:
        return self.average_sentence <= AIM_AVERAGE and self.long_sentences == 0

    @property
    def words_ok(self) -> bool:
        return self.long_word_share <= AIM_LONG_WORDS

    @property
    def ok(self) -> bool:
        return self.sentences_ok and self.words_ok

    def verdict(self) -> str:
        if not self.words:
            return _("There is no text to check yet.")
        if self.ok:
            return _("Easy to read: short sentences and few long words.")
        return _("This letter can be easier to read. See the points below.")

    def advice(self) -> list[str]:
        """What to change, in words (empty when all is well)."""
        points = []
        if self.average_sentence > AIM_AVERAGE:
            points.append(
                _(
                    "Sentences have %(average).0f words on average. Aim for %(aim)d or fewer: "
                    "split long sentences in two."
                )
                % {"average": self.average_sentence, "aim": AIM_AVERAGE}
            )
        if self.long_sentences:
            points.append(
                ngettext(
                    "%(count)d sentence has more than %(limit)d words.",
                    "%(count)d sentences have more than %(limit)d words.",
                    self.long_sentences,
                )
                % {"count": self.long_sentences, "limit": LONG_SENTENCE}
            )
        if not self.words_ok:
            points.append(
                _(
                    "%(share).0f%% of the words are long (%(letters)d letters or more). Aim "
                    "for at most %(aim).0f%%: use a shorter or more common word."
                )
                % {
                    "share": self.long_word_share * 100,
                    "letters": LONG_WORD,
                    "aim": AIM_LONG_WORDS * 100,
                }
            )
        return points


def sentences_of(text: str) -> list[str]:
    parts = (part.strip() for part in SENTENCE_END.split(text or ""))
    return [part for part in parts if WORD.search(part)]


def readability(text: str) -> Readability:
    sentences = sentences_of(text)
    counted = [(len(WORD.findall(sentence)), sentence) for sentence in sentences]
    words = [word for sentence in sentences for word in WORD.findall(sentence)]
    long_words = [word for word in words if len(word) >= LONG_WORD and not word.isdigit()]
    result = Readability(sentences=len(sentences), words=len(words), long_words=len(long_words))
    if not words:
        return result
    result.average_sentence = len(words) / len(sentences)
    result.long_sentences = sum(1 for count, _s in counted if count > LONG_SENTENCE)
    result.long_word_share = len(long_words) / len(words)
    result.longest = sorted(counted, key=lambda pair: -pair[0])[:SHOW_LONGEST]
    result.long_word_examples = list(dict.fromkeys(w.lower() for w in long_words))[:8]
    return result
