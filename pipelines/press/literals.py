"""Literal text that every match of a regular expression contains, to skip searches that must fail.

Python's `re` cannot skip ahead in a case-insensitive pattern that starts with `\\b`, so each
vocabulary term costs a scan of the whole item; most terms are absent from most items. A substring
test on the lower-cased item is far cheaper: when none of a term's required strings occurs, the
term cannot match. Only ASCII literals are taken, and the test is only made on ASCII text, where
case-insensitive matching is plain lower-casing (elsewhere Unicode folds such as the Kelvin sign
or the long s would make it unsound); anything else is simply searched.
"""

from __future__ import annotations

from functools import lru_cache

try:  # the parser `re` compiles with; when it moves or changes, terms are just always searched
    from re import _constants as _c
    from re import _parser
except ImportError:  # pragma: no cover
    _parser = None

_MIN_LENGTH = 2  # a single letter occurs in nearly every item: not worth a test


def required_literals(pattern: str, flags: int = 0) -> tuple[str, ...] | None:
    """Lower-case strings at least one of which occurs in any match of `pattern`, or None."""
    if _parser is None:
        return None
    try:
        return _of_sequence(list(_parser.parse(pattern, flags)))
    except Exception:  # noqa: BLE001 (any surprise in a private parser means: no shortcut)
        return None


def _of_sequence(items: list) -> tuple[str, ...] | None:
    candidates: list[tuple[str, ...]] = []
    run: list[str] = []

    def close_run() -> None:
        if len(run) >= _MIN_LENGTH:
            candidates.append(("".join(run),))
        run.clear()

    for op, av in items:
        if op is _c.LITERAL and av < 128:
            run.append(chr(av).lower())
            continue
        close_run()
        inner = None
        if op is _c.SUBPATTERN:
            inner = _of_sequence(list(av[-1]))
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT) and av[0] >= 1:
            inner = _of_sequence(list(av[2]))
        elif op is _c.ATOMIC_GROUP:
            inner = _of_sequence(list(av))
        elif op is _c.BRANCH:
            alternatives = [_of_sequence(list(branch)) for branch in av[1]]
            if all(alternatives):
                inner = tuple(dict.fromkeys(s for a in alternatives for s in a))
        if inner:
            candidates.append(inner)
    close_run()
    if not candidates:
        return None
    # the most selective: the set whose shortest string is longest
    return max(candidates, key=lambda strings: (min(map(len, strings)), -len(strings)))


@lru_cache(maxsize=8)
def ascii_lower(text: str) -> str | None:
    """The text lower-cased when it is ASCII (the same item is tested against every term)."""
    return text.lower() if text.isascii() else None


def may_match(required: tuple[str, ...] | None, text: str) -> bool:
    """False only when the pattern behind `required` certainly does not match `text`."""
    if required is None:
        return True
    lowered = ascii_lower(text)
    if lowered is None:
        return True
    for string in required:  # a loop, not any(): this runs for every term and item
        if string in lowered:
            return True
    return False
