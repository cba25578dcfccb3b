"""Reading the project's data files defensively: bounded size, strict text, safe YAML, no escapes.

Every helper fails with an InputError whose message is one line naming the file (and the line
when there is one) and what to do, so the preflight, the assets and the command line all report
a bad file the same way, never with a traceback.
"""

from __future__ import annotations

from pathlib import Path

import yaml

MAX_DATA_FILE_BYTES = 64 * 1024 * 1024  # the largest bundled file is ~40 KB; a register of
# ~200,000 rows fits. Beyond it a file is refused by name instead of exhausting memory.
MAX_YAML_BYTES = 1024 * 1024
MAX_YAML_NODES = 200_000  # after expanding aliases; the catalogue has ~1,500
MAX_YAML_ALIASES = 100  # the bundled files use none


class InputError(ValueError):
    """A data file that cannot be used; the message is one line naming it and the remedy."""


def read_bytes(path: Path, label: str | None = None, max_bytes: int = MAX_DATA_FILE_BYTES) -> bytes:
    """The file's bytes, if it is a regular file within the size cap."""
    name = label or str(path)
    if not path.exists():
        raise InputError(
            f"{name}: file not found; restore it or point the setting at the folder holding it"
        )
    if not path.is_file():
        raise InputError(
            f"{name}: is a folder or special file, not a data file; replace it with the CSV/YAML file"
        )
    size = path.stat().st_size
    if size > max_bytes:
        raise InputError(
            f"{name}: {size:,} bytes, over the cap of {max_bytes:,}; split the file or raise the cap"
        )
    try:
        return path.read_bytes()
    except OSError as error:
        raise InputError(
            f"{name}: cannot be read ({error.strerror}); check its permissions"
        ) from None


def decode_utf8(data: bytes, name: str) -> str:
    """UTF-8 text (a BOM is dropped), or an InputError naming the line of the first bad byte."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        # bytes.splitlines breaks on \n, \r and \r\n: the physical lines a CSV reader counts
        line = len((data[: error.start] + b"x").splitlines())
        raise InputError(f"{name}, line {line}: not valid UTF-8; save the file as UTF-8") from None


def read_text(path: Path, label: str | None = None, max_bytes: int = MAX_DATA_FILE_BYTES) -> str:
    name = label or str(path)
    return decode_utf8(read_bytes(path, name, max_bytes), name)


# libyaml's safe loader where PyYAML was built with it (~10x faster than the pure-Python one).
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _expanded_size(node) -> int:
    """The size of a composed YAML node graph once its aliases are expanded, refused past
    MAX_YAML_ALIASES aliases.

    PyYAML shares an aliased node instead of copying it, so a 1 KB "billion laughs" document
    composes quickly; it explodes only when walked or serialised later. The graph is measured
    right after composing, before any Python object is built: every reference to a node already
    reached is one alias.
    """
    sizes: dict[int, int] = {}
    aliases = 0

    def size(node) -> int:
        nonlocal aliases
        key = id(node)
        if key in sizes:
            aliases += 1
            if aliases > MAX_YAML_ALIASES:
                raise _Refused(
                    f"line {node.start_mark.line + 1}: more than {MAX_YAML_ALIASES} aliases"
                )
            return sizes[key]
        sizes[key] = MAX_YAML_NODES + 1  # a node reached again while being measured: a cycle
        if isinstance(node, yaml.SequenceNode):
            total = 1 + sum(size(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            total = 1 + sum(size(k) + size(v) for k, v in node.value)
        else:
            total = 1
        sizes[key] = min(total, MAX_YAML_NODES + 1)
        return sizes[key]

    return size(node)


class _Refused(Exception):
    pass


def load_yaml(path: Path, label: str | None = None):
    """A YAML data file read safely: size-capped, safe tags only, aliases bounded."""
    name = label or str(path)
    text = read_text(path, name, MAX_YAML_BYTES)
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            raise InputError(f"{name}: the YAML document is empty")
        if _expanded_size(node) > MAX_YAML_NODES:
            raise InputError(
                f"{name}: the YAML expands to more than {MAX_YAML_NODES:,} nodes through "
                "anchors and aliases; write the values out instead of aliasing them"
            )
        return loader.construct_document(node)
    except _Refused as refused:
        raise InputError(
            f"{name}, {refused}; write the values out instead of aliasing them"
        ) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f", line {mark.line + 1}" if mark else ""
        problem = " ".join(str(error.problem or error.context or "invalid YAML").split())
        raise InputError(f"{name}{where}: invalid YAML ({problem}); fix the syntax there") from None
    except yaml.YAMLError as error:
        raise InputError(f"{name}: invalid YAML ({' '.join(str(error).split())})") from None
    finally:
        loader.dispose()


def inside(folder: Path, relative: str, name: str) -> Path:
    """`folder / relative`, refused unless it resolves inside `folder` (no absolute, no `..`)."""
    base = folder.resolve()
    candidate = (base / relative).resolve()
    if Path(relative).is_absolute() or not candidate.is_relative_to(base):
        raise InputError(
            f"{name}: names {relative!r}, outside {folder}; only files inside that folder are read"
        )
    return candidate
