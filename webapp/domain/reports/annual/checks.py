"""Every number a sentence of the narrative quotes, checked against the report's tables before sign-off
(docs/rules.md §The annual report).

A sentence is cut at 。；！？ and line breaks; each number in it (not a date, not a document number) is
read with the words before it back to the previous comma, enumeration comma or number: when those words
name a figure of the tables (`FACT_WORDS`, the longest match), the number must equal it, or the sentence
is flagged with the figure the tables hold. A number whose words name no figure is not checked."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from webapp.domain.reports.annual.facts import FACT_WORDS, PERCENT_FACTS, Facts

SENTENCE = re.compile(r"[^。；;！？!?\n]+[。；;！？!?]?")
NUMBER = re.compile(r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(\s*[%％])?")
CLAUSE_BREAK = re.compile(r"[，,、：:]")
# A number followed by these is a date, a document number or an article, never a figure.
NOT_A_FIGURE = ("年", "月", "日", "号", "〕", "]", "】", "时", "分")
DECREASE = ("减少", "下降")
WORDS = sorted(((w, fact) for fact, words in FACT_WORDS.items() for w in words), key=lambda p: -len(p[0]))


@dataclass(frozen=True)
class Quote:
    fact: str
    quoted: float
    expected: float
    sentence: str

    def json(self) -> dict[str, Any]:
        return {
            "fact": self.fact,
            "sentence": self.sentence,
            "quoted": _plain(self.quoted),
            "expected": _plain(self.expected),
        }


def _plain(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _fact_of(clause: str, percent: bool) -> str | None:
    for words, fact in WORDS:
        if words in clause and (fact in PERCENT_FACTS) == percent:
            return fact
    return None


def quotes(text: str, facts: Facts) -> list[Quote]:
    """Each number of the text whose words name a figure of `facts`, with what the tables hold."""
    found: list[Quote] = []
    for match in SENTENCE.finditer(text):
        sentence = match.group().strip()
        last_end = 0
        for number in NUMBER.finditer(sentence):
            following = sentence[number.end() : number.end() + 1]
            before = sentence[last_end : number.start()]
            last_end = number.end()
            if following in NOT_A_FIGURE or (number.start() and sentence[number.start() - 1] in "第〔[【"):
                continue
            clause = CLAUSE_BREAK.split(before)[-1]
            fact = _fact_of(clause, percent=bool(number.group(2)))
            if fact is None or fact not in facts:
                continue
            quoted = float(number.group(1).replace(",", ""))
            if fact == "received_change" and any(w in clause for w in DECREASE):
                quoted = -quoted
            found.append(Quote(fact, quoted, float(facts[fact]), sentence))
    return found


def flags(text: str | None, facts: Facts) -> list[dict[str, Any]]:
    """The quotes the tables contradict: [{"fact", "sentence", "quoted", "expected"}]."""
    if not text:
        return []
    return [q.json() for q in quotes(text, facts) if abs(q.quoted - q.expected) > 1e-6]
