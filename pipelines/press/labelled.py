"""The labelled set of real press items (data/classifier/labelled_items.jsonl) and its fixed split.

Each item carries a headline, an excerpt of at most 40 words, its source URL, the labels read from
the declaration, and a `split` (train, dev or test) fixed once in the file. The split derives from
the item's `event` when several items report one event, otherwise from its URL, so that reports of
one event never sit on both sides of a split: the learned component is fitted on train, its
thresholds chosen on dev, and test is only ever read to report.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from urllib.parse import urlsplit

from pipelines import settings

LABELLED_SET = settings.DATA_DIR / "classifier" / "labelled_items.jsonl"
SPLITS = ("train", "dev", "test")


def read_labelled(path: Path = LABELLED_SET) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def item_text(item: dict) -> str:
    """What the classifier reads of a labelled item: headline, then the excerpt."""
    return f"{item['headline']}\n{item.get('excerpt') or ''}"


def split_key(item: dict) -> str:
    """The event an item reports, or its URL without scheme, `www.` or query when it is alone."""
    if item.get("event"):
        return item["event"]
    parts = urlsplit(item["url"])
    host = parts.netloc.lower().removeprefix("www.").removeprefix("m.")
    return host + parts.path.rstrip("/")


def split_for(key: str) -> str:
    """60 / 20 / 20 by a hash of the key: stable across machines and Python versions."""
    bucket = int(hashlib.sha256(key.encode()).hexdigest(), 16) % 100
    return "train" if bucket < 60 else "dev" if bucket < 80 else "test"


def of_split(items: list[dict], split: str) -> list[dict]:
    return [item for item in items if item["split"] == split]
