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
