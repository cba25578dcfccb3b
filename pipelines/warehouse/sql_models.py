"""Turn every model file under sql/ into a Dagster asset of the same name.

A model is one SELECT in `sql/<layer>/<table>.sql`. Its asset materializes the table
`CREATE OR REPLACE TABLE <table> AS <select>` and depends on the assets whose tables the SELECT
reads (DuckDB's own parser lists them), so adding a model needs no Python at all.

A model whose leading comment holds the line `-- materialized: view` is stored as a view instead:
for a plain filter of another table, which would otherwise be written again in full (at 10^6 rows,
a second copy of the evidence ledger took a second to write), or for rows only one other model
reads, once (the rules' matches, which evidence_links groups). A view's asset reports what it
reads, not its rows: counting them would compute it.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
from dagster import AssetDep, AssetExecutionContext, AssetsDefinition, MaterializeResult, asset

from pipelines.orchestration.up_to_date import guarded
from pipelines.settings import OWNERS
from pipelines.warehouse.metadata import table_metadata, view_metadata
from pipelines.warehouse.resources import Warehouse
from pipelines.warehouse.sql_parse import is_view, tables_read

LAYERS = ("staging", "mapping", "marts")
_TABLE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_MATERIALIZED = re.compile(r"^--\s*materialized:\s*(\S+)\s*$")
MATERIALIZATIONS = ("table", "view")


@dataclass(frozen=True)
class SqlModel:
    name: str
    layer: str
    path: Path
    sql: str

    def _leading_comment(self) -> list[str]:
        lines = []
        for line in self.sql.splitlines():
            if not line.startswith("--"):
                break
            lines.append(line)
        return lines

    @property
    def description(self) -> str:
        """The model's leading `--` comment block: why the table exists."""
        lines = [
            line.removeprefix("--").strip()
            for line in self._leading_comment()
            if not _MATERIALIZED.match(line)
        ]
        return " ".join(lines).strip() or f"{self.layer} model {self.name}"

    @property
    def materialized(self) -> str:
        """'table' (the default) or 'view', from a `-- materialized: ...` line of the comment."""
        for line in self._leading_comment():
            found = _MATERIALIZED.match(line)
            if found:
                if found.group(1) not in MATERIALIZATIONS:
                    raise ValueError(
                        f"{self.path}: materialized must be one of {MATERIALIZATIONS}, "
                        f"not {found.group(1)!r}"
                    )
                return found.group(1)
        return "table"

    def build(self, con: duckdb.DuckDBPyConnection) -> None:
        """(Re)create the model's table or view from its SELECT. An object of the other kind under
        the name (a build from before the model changed kind) is dropped first: DuckDB replaces a
        table only with a table and a view only with a view."""
        kind = self.materialized
        stored_as_view = is_view(con, self.name)
        # The name comes from a file name checked against _TABLE_NAME, never from data.
        if kind == "table" and stored_as_view:
            con.execute(f"DROP VIEW {self.name}")
        elif kind == "view" and not stored_as_view:
            con.execute(f"DROP TABLE IF EXISTS {self.name}")
        con.execute(f"CREATE OR REPLACE {kind.upper()} {self.name} AS\n{self.sql}")

    def tables_read(self) -> set[str]:
        """Base tables named anywhere in the SELECT, from DuckDB's parse tree (no binding)."""
        return tables_read(self.sql, str(self.path))


def discover_models(sql_dir: Path) -> list[SqlModel]:
    models = []
    for layer in LAYERS:
        for path in sorted((sql_dir / layer).glob("*.sql")):
            if not _TABLE_NAME.match(path.stem):
                raise ValueError(f"{path}: model files must be named like tables (a-z, 0-9, _)")
            model = SqlModel(path.stem, layer, path, path.read_text(encoding="utf-8"))
            model.materialized  # noqa: B018 (an unknown kind fails at load, not at the step)
            models.append(model)
    names = [model.name for model in models]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"model name(s) defined in more than one layer: {duplicates}")
    return models


def sql_model_assets(sql_dir: Path, upstream_tables: set[str]) -> list[AssetsDefinition]:
    """One asset per model; `upstream_tables` are the tables that Python assets write."""
    models = discover_models(sql_dir)
    known = upstream_tables | {model.name for model in models}
    assets = []
    for model in models:
        unknown = sorted(model.tables_read() - known)
        if unknown:
            raise ValueError(f"{model.path}: reads table(s) {unknown} that no asset produces")
        assets.append(_model_asset(model, sorted(model.tables_read() - {model.name})))
    return assets


def _model_asset(model: SqlModel, deps: list[str]) -> AssetsDefinition:
    @asset(
        name=model.name,
        owners=OWNERS,
        group_name=model.layer,
        deps=[AssetDep(dep) for dep in deps],
        description=model.description,
        kinds={"duckdb", "sql"},
        metadata={"sql_file": str(model.path.relative_to(model.path.parents[2]))},
    )
    @guarded
    def _materialize(context: AssetExecutionContext, warehouse: Warehouse) -> MaterializeResult:
        with warehouse.get_connection() as con:
            model.build(con)
            if model.materialized == "view":
                metadata = view_metadata(deps)
                context.log.info(f"{model.name}: a view of {', '.join(deps)}")
            else:
                metadata = table_metadata(con, model.name)
                context.log.info(f"{model.name}: {metadata['dagster/row_count'].value} rows")
        return MaterializeResult(metadata=metadata)

    return _materialize
