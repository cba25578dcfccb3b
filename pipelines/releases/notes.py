"""Release notes: what changed since the previous release, per commitment, with sources.

A status can move because new events were recorded, because an earlier record was corrected, or
because the codebook changed; the notes say which, and list corrections as corrections. They are
computed from the two releases' own exports, so they hold whatever the warehouse looks like later.
"""

from __future__ import annotations

import csv
import html
import json
from pathlib import Path

EXPORTS = Path("report") / "exports"


def write_notes(release: Path, manifest: dict, previous: Path | None) -> dict:
    """Write NOTES.md and notes.html into `release`; return the changes as data."""
    changes = compare(release, manifest, previous)
    (release / "NOTES.md").write_text(_markdown(changes), encoding="utf-8")
    (release / "notes.html").write_text(_html(changes), encoding="utf-8")
    return changes


def compare(release: Path, manifest: dict, previous: Path | None) -> dict:
    now = _read(release)
    changes = {
        "release_id": manifest["release_id"],
        "citation": manifest["citation"],
        "previous": None,
        "commitments": [],
        "corrections": [],
        "events_added": [],
        "events_removed": [],
    }
    if previous is None:
        return changes
    then = _read(previous)
    before = json.loads((previous / "manifest.json").read_text(encoding="utf-8"))
    changes["previous"] = before["release_id"]
    codebook_moved = before.get("codebook_version") != manifest.get("codebook_version")

    corrected = {}
    for event_id in sorted(now["events"].keys() & then["events"].keys()):
        old, new = then["events"][event_id], now["events"][event_id]
        fields = [f for f in new if f in old and new[f] != old[f]]
        if fields:
            corrected[event_id] = fields
            changes["corrections"].append(
                {"event_id": event_id, "name": new.get("name", ""),
                 "source_url": new.get("source_url", ""),
                 "fields": [{"field": f, "was": old[f], "now": new[f]} for f in fields]}
            )  # fmt: skip
    changes["events_added"] = [
        now["events"][e] for e in sorted(now["events"].keys() - then["events"].keys())
    ]
    changes["events_removed"] = [
        then["events"][e] for e in sorted(then["events"].keys() - now["events"].keys())
    ]

    for commitment_id in sorted(
        now["status"].keys() | then["status"].keys(), key=_commitment_order
    ):
        added = [
            now["evidence"][k]
            for k in sorted(now["evidence"].keys() - then["evidence"].keys())
            if k[0] == commitment_id
        ]
        withdrawn = [
            then["evidence"][k]
            for k in sorted(then["evidence"].keys() - now["evidence"].keys())
            if k[0] == commitment_id
        ]
        status_then, status_now = (
            then["status"].get(commitment_id),
            now["status"].get(commitment_id),
        )
        touched = {
            k[1] for k in now["evidence"].keys() | then["evidence"].keys() if k[0] == commitment_id
        }
        if (
            status_then == status_now
            and not added
            and not withdrawn
            and not (touched & corrected.keys())
        ):
            continue
        causes = []
        if codebook_moved and status_then != status_now:
            causes.append(
                f"codebook {before.get('codebook_version')} → {manifest.get('codebook_version')}"
            )
        if touched & corrected.keys():
            causes.append("corrected record")
        if added or withdrawn:
            causes.append("new data")
        changes["commitments"].append(
            {"commitment_id": commitment_id, "status_then": status_then, "status_now": status_now,
             "causes": causes or ["unchanged evidence"], "added": added, "withdrawn": withdrawn}
        )  # fmt: skip
    return changes


def _read(release: Path) -> dict:
    exports = release / EXPORTS
    scorecard = _rows(exports / "scorecard.csv")
    evidence = _rows(exports / "evidence.csv")
    # The release's full event table when it has one; the report's export names fewer fields.
    events = _rows(release / "events.csv") or _rows(exports / "events.csv")
    return {
        "status": {r["commitment_id"]: r["status"] for r in scorecard},
        "evidence": {(r["commitment_id"], r["event_id"]): r for r in evidence},
        "events": {r["event_id"]: r for r in events},
    }


def _rows(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _commitment_order(commitment_id: str) -> tuple[int, ...]:
    return tuple(int(part) for part in commitment_id.split(".") if part.isdigit())


def _markdown(changes: dict) -> str:
    lines = [
        f"# Release {changes['release_id']}: what changed",
        "",
        f"Cite as: {changes['citation']}.",
        "",
    ]
    if changes["previous"] is None:
        lines += ["First release: there is no earlier release to compare with.", ""]
        return "\n".join(lines)
    lines += [f"Compared with release {changes['previous']}.", ""]
    lines += ["## Commitments", ""]
    if not changes["commitments"]:
        lines.append("No status or evidence changed.")
    for c in changes["commitments"]:
        lines.append(f"- **{c['commitment_id']}**: {c['status_then'] or '—'} → {c['status_now'] or '—'} "
                     f"({'; '.join(c['causes'])})")  # fmt: skip
        for e in c["added"]:
            lines.append(
                f"  - evidence added: {e.get('event_id')} {e.get('name', '')} <{e.get('source_url', '')}>"
            )
        for e in c["withdrawn"]:
            lines.append(
                f"  - evidence withdrawn: {e.get('event_id')} {e.get('name', '')} <{e.get('source_url', '')}>"
            )
    lines += ["", "## Corrections to earlier records", ""]
    if not changes["corrections"]:
        lines.append("None.")
    for c in changes["corrections"]:
        fields = "; ".join(f"{f['field']}: {f['was']!r} → {f['now']!r}" for f in c["fields"])
        lines.append(f"- {c['event_id']} {c['name']}: {fields} <{c['source_url']}>")
    lines += [
        "",
        f"## Events added: {len(changes['events_added'])}; removed: {len(changes['events_removed'])}",
        "",
    ]
    for e in changes["events_added"]:
        lines.append(f"- added {e['event_id']} {e.get('name', '')} <{e.get('source_url', '')}>")
    for e in changes["events_removed"]:
        lines.append(f"- removed {e['event_id']} {e.get('name', '')}")
    return "\n".join(lines) + "\n"


def _html(changes: dict) -> str:
    def esc(value) -> str:
        return html.escape(str(value if value is not None else "—"))

    def link(row: dict) -> str:
        url = row.get("source_url", "")
        label = esc(f"{row.get('event_id', '')} {row.get('name', '')}".strip())
        if url.startswith(("https://", "http://")):
            return f'<a href="{esc(url)}">{label}</a>'
        return label

    body = [f"<h1>Release {esc(changes['release_id'])}: what changed</h1>",
            f"<p>Cite as: {esc(changes['citation'])}.</p>",
            '<p><a href="report/index.html">The report of this release</a></p>']  # fmt: skip
    if changes["previous"] is None:
        body.append("<p>First release: there is no earlier release to compare with.</p>")
    else:
        body.append(f"<p>Compared with release {esc(changes['previous'])}.</p><h2>Commitments</h2>")
        rows = []
        for c in changes["commitments"]:
            evidence = [f"<li>added: {link(e)}</li>" for e in c["added"]]
            evidence += [f"<li>withdrawn: {link(e)}</li>" for e in c["withdrawn"]]
            rows.append(
                f'<tr><th scope="row">{esc(c["commitment_id"])}</th><td>{esc(c["status_then"])}</td>'
                f"<td>{esc(c['status_now'])}</td><td>{esc('; '.join(c['causes']))}</td>"
                f"<td><ul>{''.join(evidence)}</ul></td></tr>"
            )
        body.append(
            '<table><thead><tr><th scope="col">commitment</th><th scope="col">status then</th>'
            '<th scope="col">status now</th><th scope="col">why</th><th scope="col">evidence</th>'
            f"</tr></thead><tbody>{''.join(rows) or '<tr><td colspan=5>No change.</td></tr>'}</tbody></table>"
        )
        items = []
        for c in changes["corrections"]:
            fields = "; ".join(f"{f['field']}: {f['was']} → {f['now']}" for f in c["fields"])
            items.append(f"<li>{link(c)}: {esc(fields)}</li>")
        body.append(
            f"<h2>Corrections to earlier records</h2><ul>{''.join(items) or '<li>None.</li>'}</ul>"
        )
        added = "".join(f"<li>{link(e)}</li>" for e in changes["events_added"])
        body.append(f"<h2>Events added</h2><ul>{added or '<li>None.</li>'}</ul>")
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Release {esc(changes['release_id'])}: what changed</title>"
        '<link rel="stylesheet" href="report/style.css"></head><body><main>'
        + "".join(body)
        + "</main></body></html>"
    )
