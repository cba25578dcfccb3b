"""Find every rule keyword in one pass over a register row's text, exactly as the regex would.

The rules' keywords (data/mapping/evidence_rules.csv) are case-insensitive regular expressions
over a finite set of words: alternatives, optional parts, character classes, word boundaries.
Testing each row against each expression costs rules x rows; instead each expression is expanded
into the literal strings it can match, in the order RE2 prefers them (leftmost-first, greedy
optionals first), and one Aho-Corasick automaton finds all of them in a single scan of the row.
The matches are then chosen as `regexp_matches` / `regexp_extract_all` choose them: the leftmost
start wins, at one start the alternative RE2 tries first wins, and the next search starts where
the previous match ended. Word boundaries are ASCII, as in RE2, and case folding follows RE2's
(which also folds U+017F to s and U+212A to k). An expression outside that finite subset (`*`,
`+`, `.`, anchors) is refused with a clear error rather than silently matched differently.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import ahocorasick_rs

MAX_EXPANSION = 20_000
# Python's str.lower would map e.g. U+0130 to two characters and shift every offset after it;
# RE2's case folding, restricted to what an ASCII keyword can match, is one character each.
_FOLD = str.maketrans(
    {**{chr(c): chr(c + 32) for c in range(ord("A"), ord("Z") + 1)}, "\u017f": "s", "\u212a": "k"}
)
_SPECIAL = set("|()[]?*+{}.^$\\")
BOUNDARY, NOT_BOUNDARY = "\\b", "\\B"


class UnsupportedPattern(ValueError):
    """A keyword expression the matcher cannot reproduce exactly."""


def fold(text: str) -> str:
    return text.translate(_FOLD)


def _is_word(ch: str) -> bool:
    return ch.isascii() and (ch.isalnum() or ch == "_")


# --- expanding an expression into its literals, in RE2's order of preference -----------------

Alternative = tuple[str, ...]  # one character or BOUNDARY / NOT_BOUNDARY per item


class _Parser:
    def __init__(self, pattern: str):
        self.pattern, self.pos = pattern, 0

    def fail(self, why: str) -> UnsupportedPattern:
        return UnsupportedPattern(f"keyword pattern {self.pattern!r}, at {self.pos}: {why}")

    def peek(self) -> str | None:
        return self.pattern[self.pos] if self.pos < len(self.pattern) else None

    def take(self) -> str:
        ch = self.pattern[self.pos]
        self.pos += 1
        return ch

    def parse(self) -> list[Alternative]:
        result = self.alternation()
        if self.peek() is not None:
            raise self.fail("unbalanced ')'")
        return result

    def alternation(self) -> list[Alternative]:
        options = self.sequence()
        while self.peek() == "|":
            self.take()
            options = options + self.sequence()
        return self._capped(options)

    def sequence(self) -> list[Alternative]:
        result: list[Alternative] = [()]
        while self.peek() not in (None, "|", ")"):
            atom = self.quantified(self.atom())
            result = self._capped([a + b for a in result for b in atom])
        return result

    def quantified(self, atom: list[Alternative]) -> list[Alternative]:
        ch = self.peek()
        if ch in ("*", "+"):
            raise self.fail(f"'{ch}' repeats without bound")
        if ch == "?":
            self.take()
            lazy = self.peek() == "?"
            if lazy:
                self.take()
            return [()] + atom if lazy else atom + [()]
        if ch == "{":
            raise self.fail("counted repetition is not supported")
        return atom

    def atom(self) -> list[Alternative]:
        ch = self.take()
        if ch == "(":
            if self.peek() == "?":
                self.take()
                if self.peek() != ":":
                    raise self.fail("only (?: ) groups are supported")
                self.take()
            inner = self.alternation()
            if self.peek() != ")":
                raise self.fail("missing ')'")
            self.take()
            return inner
        if ch == "[":
            return [(c,) for c in self.char_class()]
        if ch == "\\":
            return [(self.escape(in_class=False),)]
        if ch in _SPECIAL:
            raise self.fail(f"'{ch}' is not supported")
        return [(self.literal(ch),)]

    def escape(self, in_class: bool) -> str:
        if self.peek() is None:
            raise self.fail("trailing backslash")
        ch = self.take()
        if ch in "bB" and not in_class:
            return BOUNDARY if ch == "b" else NOT_BOUNDARY
        if ch.isascii() and not ch.isalnum():
            return self.literal(ch)
        raise self.fail(f"escape '\\{ch}' is not supported")

    def char_class(self) -> list[str]:
        if self.peek() == "^":
            raise self.fail("negated classes are not supported")
        chars: list[str] = []
        while self.peek() != "]":
            if self.peek() is None:
                raise self.fail("missing ']'")
            ch = self.take()
            low = self.escape(in_class=True) if ch == "\\" else self.literal(ch)
            if (
                self.peek() == "-"
                and self.pos + 1 < len(self.pattern)
                and self.pattern[self.pos + 1] != "]"
            ):
                self.take()
                high_ch = self.take()
                high = self.escape(in_class=True) if high_ch == "\\" else self.literal(high_ch)
                chars += [self.literal(chr(c)) for c in range(ord(low), ord(high) + 1)]
            else:
                chars.append(low)
        self.take()
        # Under (?i) members that fold alike match the same characters: one is enough.
        return list(dict.fromkeys(chars))

    def literal(self, ch: str) -> str:
        if not ch.isascii():
            raise self.fail(
                f"non-ASCII character {ch!r} (case folding beyond ASCII is not reproduced)"
            )
        return fold(ch)

    def _capped(self, options: list[Alternative]) -> list[Alternative]:
        if len(options) > MAX_EXPANSION:
            raise self.fail(f"expands to more than {MAX_EXPANSION} literals")
        return options


def expand(pattern: str) -> list[Alternative]:
    """The literals `pattern` matches case-insensitively, in the order RE2 tries them."""
    options = _Parser(pattern).parse()
    if any(all(item in (BOUNDARY, NOT_BOUNDARY) for item in option) for option in options):
        raise UnsupportedPattern(f"keyword pattern {pattern!r} can match the empty string")
    return options


# --- the automaton and the choice of matches --------------------------------------------------


@dataclass(frozen=True)
class KeywordSet:
    """A pattern searched in fields joined by ' ', as a rule's keywords or exclusions state it."""

    pattern: str
    fields: tuple[str, ...]


@dataclass(frozen=True)
class _Entry:
    pattern: int  # index into KeywordMatcher.patterns
    priority: int  # position of the literal in the expansion: lower is tried first by RE2
    assertions: tuple[tuple[int, str], ...]  # (offset in the literal, BOUNDARY / NOT_BOUNDARY)


class KeywordMatcher:
    """All literals of all sets in one automaton; `match_row` answers every set for one row.

    A row's fields (in the order of `fields`) are scanned once, joined by ' ', so a match inside
    a field is found once for every set that reads the field. A match that would cross from one
    field into the next depends on which fields a set joins, and in what order: only when a field
    ends with the beginning of a literal that contains a space is that join scanned again.
    """

    def __init__(self, sets: Sequence[KeywordSet], fields: Sequence[str]):
        self.fields = tuple(fields)
        position = {name: i for i, name in enumerate(self.fields)}
        unknown = sorted({f for s in sets for f in s.fields} - set(position))
        if unknown:
            raise UnsupportedPattern(f"keyword fields {unknown} are not among {list(self.fields)}")
        self.patterns = list(dict.fromkeys(s.pattern for s in sets))
        pattern_index = {p: i for i, p in enumerate(self.patterns)}
        self.sets = [(pattern_index[s.pattern], tuple(position[f] for f in s.fields)) for s in sets]
        self.sets_of: dict[int, list[int]] = defaultdict(list)
        for number, (pattern, _) in enumerate(self.sets):
            self.sets_of[pattern].append(number)
        self.joins = sorted({indexes for _, indexes in self.sets if len(indexes) > 1})
        by_literal: dict[str, list[_Entry]] = defaultdict(list)
        for index, pattern in enumerate(self.patterns):
            for priority, option in enumerate(expand(pattern)):
                chars, assertions = [], []
                for item in option:
                    if item in (BOUNDARY, NOT_BOUNDARY):
                        assertions.append((len(chars), item))
                    else:
                        chars.append(item)
                by_literal["".join(chars)].append(_Entry(index, priority, tuple(assertions)))
        self.literals = list(by_literal)
        self.entries = [by_literal[literal] for literal in self.literals]
        self.automaton = ahocorasick_rs.AhoCorasick(self.literals)
        segments = {
            literal[literal.rfind(" ", 0, at) + 1 : at]
            for literal in self.literals
            for at, ch in enumerate(literal)
            if ch == " "
        }
        self.join_segments = tuple(segments - {""})
        self.join_always = "" in segments

    def occurrences(self, text: str, folded: str) -> list[tuple[int, int, int, int]]:
        """(start, end, pattern, priority) of every literal occurrence whose boundaries hold."""
        found = []
        for literal, start, end in self.automaton.find_matches_as_indexes(folded, overlapping=True):
            for entry in self.entries[literal]:
                # boundaries on the text as written: U+017F is no word character, its fold is
                if all(_holds(text, start + at, kind) for at, kind in entry.assertions):
                    found.append((start, end, entry.pattern, entry.priority))
        return found

    def match_row(self, values: Sequence[str | None]) -> dict[int, list[str]]:
        """For each set (by index) with at least one match: the matched substrings, in order."""
        texts = ["" if v is None else v for v in values]
        joined = " ".join(texts)
        folded = fold(joined)
        starts, at = [], 0
        for text in texts:
            starts.append(at)
            at += len(text) + 1
        inside: dict[tuple[int, int], list[tuple[int, int, int]]] = defaultdict(list)
        for start, end, pattern, priority in self.occurrences(joined, folded):
            index = bisect_right(starts, start) - 1
            if end <= starts[index] + len(texts[index]):
                inside[(pattern, index)].append(
                    (start - starts[index], priority, end - starts[index])
                )
        spanning = {}
        if self.joins and (self.join_always or self.join_segments):
            may_span = {i for i, s in enumerate(starts)
                        if self.join_always or folded[s : s + len(texts[i])].endswith(self.join_segments)}  # fmt: skip
            for indexes in self.joins:
                if may_span.intersection(indexes[:-1]):
                    spanning[indexes] = self._spanning(texts, indexes)
        patterns = {pattern for pattern, _ in inside}
        patterns.update(p for found in spanning.values() for _, _, p, _ in found)
        result: dict[int, list[str]] = {}
        for pattern in patterns:
            for number in self.sets_of[pattern]:
                indexes = self.sets[number][1]
                found, at = [], 0
                for index in indexes:
                    for start, priority, end in inside.get((pattern, index), ()):
                        found.append((start + at, priority, end + at))
                    at += len(texts[index]) + 1
                found += [(s, p, e) for s, e, q, p in spanning.get(indexes, ()) if q == pattern]
                if found:
                    text = " ".join(texts[index] for index in indexes)
                    result[number] = [text[s:e] for s, e in leftmost_first(found)]
        return result

    def _spanning(
        self, texts: list[str], indexes: tuple[int, ...]
    ) -> list[tuple[int, int, int, int]]:
        """Occurrences in the fields joined in this order that cross at least one joining ' '."""
        text = " ".join(texts[i] for i in indexes)
        joins, at = [], 0
        for index in indexes[:-1]:
            at += len(texts[index])
            joins.append(at)
            at += 1
        return [(s, e, pattern, priority)
                for s, e, pattern, priority in self.occurrences(text, fold(text))
                if any(s <= j < e for j in joins)]  # fmt: skip


def _holds(text: str, at: int, kind: str) -> bool:
    before = at > 0 and _is_word(text[at - 1])
    after = at < len(text) and _is_word(text[at])
    return (before != after) == (kind == BOUNDARY)


def leftmost_first(occurrences: Iterable[tuple[int, int, int]]) -> list[tuple[int, int]]:
    """(start, end) of the matches regexp_extract_all returns, given (start, priority, end)."""
    chosen, resume = [], 0
    for start, _priority, end in sorted(occurrences):
        if start >= resume:  # the first at a start is the one RE2 prefers (lowest priority)
            chosen.append((start, end))
            resume = end
    return chosen
