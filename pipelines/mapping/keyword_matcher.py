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

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain

import ahocorasick_rs
import numpy as np

MAX_EXPANSION = 20_000
_SPECIAL = set("|()[]?*+{}.^$\\")
BOUNDARY, NOT_BOUNDARY = "\\b", "\\B"


class UnsupportedPattern(ValueError):
    """A keyword expression the matcher cannot reproduce exactly."""


def fold(text: str) -> str:
    """Case-fold as RE2 does for ASCII keywords, one character for one (offsets stay valid).

    str.lower maps only two non-ASCII characters to ASCII: U+212A to k (as RE2 does) and U+0130
    to i + U+0307 (RE2 does not, and it adds a character); U+017F must become s.
    """
    if text.isascii():
        return text.lower()
    return text.replace("\u0130", "\u0131").lower().replace("\u017f", "s")


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
        if not ch.isprintable():
            raise self.fail(f"control character {ch!r}")
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
    readers: tuple[tuple[int, int], ...] = ()  # (set, position in the set) of the field scanned


@dataclass
class _Scanner:
    """The literals worth finding in one field: those of patterns that some set reads there.

    Beside the automata, the same entries as arrays, so that occurrences are sifted without a
    loop: per literal its first entry and count; per entry its priority, assertions (kind 1 for
    a word boundary, 2 for none, 0 for no assertion in that slot; offset in the literal) and its
    readers (set, position of the field in the set)."""

    automaton: ahocorasick_rs.AhoCorasick
    entries: list[list[_Entry]]
    probes: set[int]  # literals that say the field may end with the start of a spanning literal
    ascii_automaton: ahocorasick_rs.BytesAhoCorasick
    is_probe: np.ndarray = dataclasses.field(init=False)
    entry_first: np.ndarray = dataclasses.field(init=False)
    entry_count: np.ndarray = dataclasses.field(init=False)
    entry_priority: np.ndarray = dataclasses.field(init=False)
    assert_kind: np.ndarray = dataclasses.field(init=False)
    assert_offset: np.ndarray = dataclasses.field(init=False)
    reader_first: np.ndarray = dataclasses.field(init=False)
    reader_count: np.ndarray = dataclasses.field(init=False)
    reader_set: np.ndarray = dataclasses.field(init=False)
    reader_at: np.ndarray = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        flat = [entry for entries in self.entries for entry in entries]
        self.is_probe = np.array([i in self.probes for i in range(len(self.entries))], dtype=bool)
        self.entry_count = np.array([len(e) for e in self.entries], dtype=np.int64)
        self.entry_first = np.cumsum(self.entry_count) - self.entry_count
        self.entry_priority = np.array([e.priority for e in flat], dtype=np.int64)
        slots = max([len(e.assertions) for e in flat], default=0)
        self.assert_kind = np.zeros((len(flat), slots), dtype=np.int64)
        self.assert_offset = np.zeros((len(flat), slots), dtype=np.int64)
        for i, entry in enumerate(flat):
            for slot, (at, kind) in enumerate(entry.assertions):
                self.assert_kind[i, slot] = 1 if kind == BOUNDARY else 2
                self.assert_offset[i, slot] = at
        self.reader_count = np.array([len(e.readers) for e in flat], dtype=np.int64)
        self.reader_first = np.cumsum(self.reader_count) - self.reader_count
        readers = [reader for e in flat for reader in e.readers]
        self.reader_set = np.array([n for n, _ in readers], dtype=np.int64)
        self.reader_at = np.array([at for _, at in readers], dtype=np.int64)

    def find(self, text: str) -> list[tuple[int, int, int]]:
        """(literal, start, end) of every occurrence in the folded `text`, overlapping.

        An ASCII text is scanned as bytes by a DFA, several times faster than the str scan; its
        byte offsets are its character offsets. Any other text takes the str scan.
        """
        folded = fold(text)
        if folded.isascii():
            return self.ascii_automaton.find_matches_as_indexes(
                folded.encode("ascii"), overlapping=True
            )
        return self.automaton.find_matches_as_indexes(folded, overlapping=True)


class KeywordMatcher:
    """Every set's literals, found in one scan of each field over many rows at once.

    A column of rows is joined into one string and scanned once; a match inside a field serves
    every set that reads the field. A match that would cross from one field into the next (over
    the ' ' that joins them) depends on which fields a set joins, and in what order: only rows
    where a field ends with the beginning of a literal that contains a space are joined and
    scanned again, as that set joins them.
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
        readers: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
        self.joined_sets: dict[tuple[tuple[int, ...], int], list[int]] = defaultdict(list)
        self.joins_after: list[set[tuple[int, ...]]] = [set() for _ in self.fields]
        for number, (pattern, indexes) in enumerate(self.sets):
            for at, index in enumerate(indexes):
                readers[(pattern, index)].append((number, at))
            if len(indexes) > 1:
                self.joined_sets[(indexes, pattern)].append(number)
                for index in indexes[:-1]:
                    self.joins_after[index].add(indexes)
        expanded: dict[str, list[_Entry]] = defaultdict(list)
        for index, pattern in enumerate(self.patterns):
            for priority, option in enumerate(expand(pattern)):
                chars, assertions = [], []
                for item in option:
                    if item in (BOUNDARY, NOT_BOUNDARY):
                        assertions.append((len(chars), item))
                    else:
                        chars.append(item)
                expanded["".join(chars)].append(_Entry(index, priority, tuple(assertions)))
        self.literals = list(expanded)
        self.entries = [expanded[literal] for literal in self.literals]
        self.automaton = ahocorasick_rs.AhoCorasick(self.literals)
        segments = {
            literal[literal.rfind(" ", 0, at) + 1 : at]
            for literal in self.literals
            for at, ch in enumerate(literal)
            if ch == " "
        }
        # A literal that starts with a space or holds two can span any join: every row is rejoined.
        self.join_always = "" in segments
        probes = {segment + " " for segment in segments - {""}}
        self.scanners: list[_Scanner | None] = []
        for field in range(len(self.fields)):
            wanted: dict[str, list[_Entry]] = {}
            for literal, entries in expanded.items():
                here = [_Entry(e.pattern, e.priority, e.assertions, tuple(readers[(e.pattern, field)]))
                        for e in entries if readers.get((e.pattern, field))]  # fmt: skip
                if here:
                    wanted[literal] = here
            if self.joins_after[field] and not self.join_always:
                for probe in probes:
                    wanted.setdefault(probe, [])
            names = list(wanted)
            self.scanners.append(
                _Scanner(
                    ahocorasick_rs.AhoCorasick(names),
                    [wanted[n] for n in names],
                    {i for i, n in enumerate(names) if n in probes},
                    ascii_automaton(names),
                )
                if names
                else None
            )

    def match_rows(
        self, columns: Sequence[Sequence[str | None]]
    ) -> dict[tuple[int, int], list[str]]:
        """{(row, set): the matched substrings in order} for every row and set with a match.

        `columns` holds one sequence of values per field, in the order of `fields`.
        """
        cols = [[v or "" for v in column] for column in columns]
        return self.match_joined(
            [" \x00".join(column) + " " for column in cols], [list(map(len, c)) for c in cols]
        )

    def match_joined(
        self, texts: Sequence[str], lengths: Sequence[Sequence[int]]
    ) -> dict[tuple[int, int], list[str]]:
        """As `match_rows`, with each field's column already joined: every value followed by
        ' ' and parted from the next by a NUL (`" \\x00".join(values) + " "`), and the values'
        lengths in characters. A database can build that string, so no row becomes an object."""
        rows, numbers, bounds, words = self.match_columns(texts, lengths)
        return {
            (int(row), int(number)): words[bounds[i] : bounds[i + 1]]
            for i, (row, number) in enumerate(zip(rows, numbers, strict=True))
        }

    def match_columns(
        self, texts: Sequence[str], lengths: Sequence[Sequence[int]]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
        """As `match_joined`, as columns: (row, set) of each hit ordered by row then set, the
        bounds of each hit's matches in the words (hit i has words[bounds[i]:bounds[i + 1]]),
        and the words. The occurrences are sifted as arrays; no occurrence becomes an object."""
        n_rows = len(lengths[0]) if lengths else 0
        lens = [np.asarray(column, dtype=np.int64) for column in lengths]
        starts = [np.concatenate(([0], np.cumsum(column + 2))) for column in lens]
        found: list[tuple[np.ndarray, ...]] = []
        rejoin: dict[int, set[tuple[int, ...]]] = defaultdict(set)
        for field, scanner in enumerate(self.scanners):
            if scanner is None or not n_rows:
                continue
            hits = scanner.find(texts[field])
            if not hits:
                continue
            occ = np.fromiter(chain.from_iterable(hits), np.int64, 3 * len(hits)).reshape(-1, 3)
            literal, start, end = occ[:, 0], occ[:, 1], occ[:, 2]
            row = np.searchsorted(starts[field], start, side="right") - 1
            base = starts[field][row]
            inside = end <= base + lens[field][row]
            # A match that runs into the ' ' after its value may continue in the next field.
            spanning = ~inside & scanner.is_probe[literal]
            if spanning.any() and self.joins_after[field]:
                for r in np.unique(row[spanning]).tolist():
                    rejoin[r] |= self.joins_after[field]
            keep = inside & (scanner.entry_count[literal] > 0)
            literal, start, end, row, base = (a[keep] for a in (literal, start, end, row, base))
            # each occurrence once per entry of its literal, then once per set reading it
            first, count = scanner.entry_first[literal], scanner.entry_count[literal]
            which = np.repeat(np.arange(len(literal)), count)
            entry = np.repeat(first - np.cumsum(count) + count, count) + np.arange(len(which))
            holds = self._assertions_hold(scanner, texts[field], start[which], entry)
            which, entry = which[holds], entry[holds]
            first, count = scanner.reader_first[entry], scanner.reader_count[entry]
            again = np.repeat(np.arange(len(which)), count)
            reader = np.repeat(first - np.cumsum(count) + count, count) + np.arange(len(again))
            which, entry = which[again], entry[again]
            number, at = scanner.reader_set[reader], scanner.reader_at[reader]
            r = row[which]
            # where the match sits in the set's text: after the fields before it, each + ' '
            shift = -base[which]
            for position in np.unique(at[at > 0]).tolist():
                for set_number in np.unique(number[at == position]).tolist():
                    chosen = (at == position) & (number == set_number)
                    before = self.sets[set_number][1][:position]
                    shift[chosen] += sum(lens[i][r[chosen]] + 1 for i in before)
            found.append((r, number, start[which] + shift, scanner.entry_priority[entry],
                          end[which] + shift, np.full(len(r), field), start[which]))  # fmt: skip
        if self.join_always:
            joins = set().union(*self.joins_after)
            rejoin = dict.fromkeys(range(n_rows), joins) if joins else {}
        spans: list[tuple[int, ...]] = []
        for row, joins in sorted(rejoin.items()):
            row_texts = [_value(texts, starts, lens, field, row) for field in range(len(texts))]
            for indexes in joins:
                for start, end, entry in self._spanning(row_texts, indexes):
                    for number in self.joined_sets.get((indexes, entry.pattern), ()):
                        spans.append((row, number, start, entry.priority, end, -1, 0))
        if spans:
            found.append(
                tuple(np.array(column, dtype=np.int64) for column in zip(*spans, strict=True))
            )
        columns = [np.concatenate(c) for c in zip(*found, strict=True)] if found else []
        if not columns or not len(columns[0]):
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, np.zeros(1, dtype=np.int64), []
        row, number, start, priority, end, field, at = columns
        chosen, group = _leftmost_first_columns(row, number, start, priority, end, field, at)
        field, at, size = field[chosen], at[chosen], end[chosen] - start[chosen]
        words: list[str] = [""] * len(chosen)
        for f in np.unique(field).tolist():
            places = np.flatnonzero(field == f).tolist()
            if f >= 0:  # within one field: copied from that field's text
                text = texts[f]
                for i, a, z in zip(
                    places, at[places].tolist(), (at + size)[places].tolist(), strict=True
                ):
                    words[i] = text[a:z]
                continue
            for i in places:  # across fields: from the fields joined as the set joins them
                c = chosen[i]
                joined = " ".join(
                    _value(texts, starts, lens, f, row[c]) for f in self.sets[number[c]][1]
                )
                words[i] = joined[start[c] : end[c]]
        bounds = np.append(group, len(chosen))
        return row[chosen[group]], number[chosen[group]], bounds, words

    def _assertions_hold(
        self, scanner: _Scanner, text: str, start: np.ndarray, entry: np.ndarray
    ) -> np.ndarray:
        """Which (occurrence, entry) pairs meet the entry's word-boundary assertions, judged on
        the text as written (U+017F is no word character, its fold is)."""
        holds = np.ones(len(entry), dtype=bool)
        kinds, offsets = scanner.assert_kind[entry], scanner.assert_offset[entry]
        if not kinds.any():
            return holds
        if text.isascii():
            codes = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
        else:
            codes = np.minimum(np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32), 128)
        size = len(codes)
        for slot in range(kinds.shape[1]):
            kind = kinds[:, slot]
            used = kind > 0
            if not used.any():
                continue
            at = start[used] + offsets[used, slot]
            before = (at > 0) & _WORD_CODES[codes[np.maximum(at - 1, 0)]]
            after = (at < size) & _WORD_CODES[codes[np.minimum(at, size - 1)]]
            boundary = before != after
            holds[used] &= boundary == (kind[used] == 1)
        return holds

    def match_row(self, values: Sequence[str | None]) -> dict[int, list[str]]:
        """For each set (by index) with at least one match in this one row: the matches, in order."""
        return {
            number: found for (_, number), found in self.match_rows([[v] for v in values]).items()
        }

    def occurrences(self, text: str) -> list[tuple[int, int, _Entry]]:
        """(start, end, entry) of every literal occurrence in `text` whose boundaries hold."""
        found = []
        for literal, start, end in self.automaton.find_matches_as_indexes(
            fold(text), overlapping=True
        ):
            for entry in self.entries[literal]:
                # boundaries on the text as written: U+017F is no word character, its fold is
                if all(_holds(text, start + at, kind) for at, kind in entry.assertions):
                    found.append((start, end, entry))
        return found

    def _spanning(
        self, texts: list[str], indexes: tuple[int, ...]
    ) -> list[tuple[int, int, _Entry]]:
        """Occurrences in the fields joined in this order that cross at least one joining ' '."""
        text = " ".join(texts[i] for i in indexes)
        joins, at = [], 0
        for index in indexes[:-1]:
            at += len(texts[index])
            joins.append(at)
            at += 1
        return [
            (s, e, entry)
            for s, e, entry in self.occurrences(text)
            if any(s <= j < e for j in joins)
        ]


_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
# by code (bytes of ASCII text; other text's code points capped at 128, no word character)
_WORD_CODES = np.isin(np.arange(256), [ord(c) for c in _WORD])


def _value(texts, starts, lens, field: int, row: int) -> str:
    """One row's value of a field, from the field's joined text."""
    begin = int(starts[field][row])
    return texts[field][begin : begin + int(lens[field][row])]


def _leftmost_first_columns(row, number, start, priority, end, field, at):
    """The occurrences regexp_extract_all returns, for every (row, set) at once, on columns: (the
    chosen occurrences' indexes, ordered by row, set and start; the positions in them where each
    hit begins).

    Sorted by start, then priority, the first occurrence at each start is the one RE2 prefers;
    it is chosen unless an earlier chosen one overlaps it. Where nothing earlier overlaps at all
    (nearly always), that holds for every occurrence at once; the few hits with overlaps are
    decided one occurrence at a time."""
    order = np.lexsort((at, field, end, priority, start, number, row))
    row, number, start, end = row[order], number[order], start[order], end[order]
    new_hit = np.ones(len(order), dtype=bool)
    new_hit[1:] = (row[1:] != row[:-1]) | (number[1:] != number[:-1])
    first_here = new_hit.copy()
    first_here[1:] |= start[1:] != start[:-1]
    kept = np.flatnonzero(first_here)
    hit = np.cumsum(new_hit)[kept]
    span = int(end.max()) + 1
    reach = np.maximum.accumulate(hit * span + end[kept]) - hit * span
    clean = new_hit[kept].copy()
    clean[1:] |= start[kept][1:] >= reach[:-1]
    overlapped = np.unique(hit[~clean])
    chosen = np.ones(len(kept), dtype=bool)
    for h in overlapped.tolist():
        resume = 0
        for i in range(np.searchsorted(hit, h), np.searchsorted(hit, h, side="right")):
            chosen[i] = start[kept[i]] >= resume
            if chosen[i]:
                resume = end[kept[i]]
    picked = kept[chosen]
    return order[picked], np.flatnonzero(new_hit[picked])


def _holds(text: str, at: int, kind: str) -> bool:
    before = at > 0 and text[at - 1] in _WORD
    after = at < len(text) and text[at] in _WORD
    return (before != after) == (kind == BOUNDARY)


def ascii_automaton(literals: Sequence[str]) -> ahocorasick_rs.BytesAhoCorasick:
    """The literals (ASCII, as the parser admits no other) as a byte automaton, built as a DFA."""
    return ahocorasick_rs.BytesAhoCorasick(
        [literal.encode("ascii") for literal in literals],
        implementation=ahocorasick_rs.Implementation.DFA,
    )
