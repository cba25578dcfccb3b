"""The code location loads, and loading it stays cheap."""

import subprocess
import sys

from pipelines import settings


def test_definitions_load_and_every_sql_model_is_an_asset():
    from pipelines.definitions import defs

    keys = {key.path[-1] for key in defs.resolve_all_asset_keys()}
    models = {path.stem for path in settings.SQL_DIR.glob("*/*.sql")}
    assert models <= keys
    assert "commitments" in keys


def test_loading_definitions_does_not_import_great_expectations():
    probe = "import sys, pipelines.definitions; print('great_expectations' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.PROJECT_ROOT,
    )
    assert out.stdout.strip() == "False"


def _specs():
    from pipelines.definitions import defs

    return [spec for assets in defs.assets for spec in assets.specs]


def test_every_asset_is_owned_by_the_team_citation_cff_names():
    import yaml

    citation = yaml.safe_load((settings.PROJECT_ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    (author,) = citation["authors"]
    owners = {tuple(spec.owners) for spec in _specs()}
    assert owners == {(f"team:{author['name']}",)}


def test_every_asset_says_what_its_group_holds_and_the_readme_lists_the_groups():
    from pipelines.orchestration.groups import GROUPS, group_note

    specs = _specs()
    assert {spec.group_name for spec in specs} == set(GROUPS)
    missing = [
        spec.key.to_user_string()
        for spec in specs
        if not (spec.description or "").endswith(group_note(spec.group_name))
    ]
    assert not missing
    readme = (settings.PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    for group, description in GROUPS.items():
        assert f"| `{group}` | {description} |" in readme
