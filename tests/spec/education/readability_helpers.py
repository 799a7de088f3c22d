"""A small Flesch-Kincaid grade level, for checking patient-facing text.

grade = 0.39 x (words / sentences) + 11.8 x (syllables / words) - 15.59

Syllables are counted with a heuristic: groups of vowels (y counts), less a silent final
"e" (but not "-le"), at least one per word; a number counts as one word of one syllable.
Sentences end at ".", "!" or "?" followed by a space or the end of the text.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)?|\d[\d,.]*")
_SENTENCE_END = re.compile(r"[.!?]+(?=\s|$)")


def syllables(word: str) -> int:
    """The syllables of one word, by the vowel-group heuristic."""
    w = word.lower()
    if w[0].isdigit():
        return 1
    count = len(re.findall(r"[aeiouy]+", w))
    if w.endswith("e") and not w.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1
    if w.endswith("ed") and not w.endswith(("ted", "ded")) and count > 1:
        count -= 1
    return max(1, count)


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def sentence_count(text: str) -> int:
    return max(1, len([s for s in _SENTENCE_END.split(text.strip()) if s.strip()]))


def grade(text: str) -> float:
    """The Flesch-Kincaid grade level of `text` (which must hold at least one word)."""
    found = words(text)
    if not found:
        raise ValueError("no words to grade")
    per_sentence = len(found) / sentence_count(text)
    per_word = sum(syllables(w) for w in found) / len(found)
    return 0.39 * per_sentence + 11.8 * per_word - 15.59
