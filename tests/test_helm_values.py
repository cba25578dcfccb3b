"""deploy/values.yaml against the Dagster Helm chart's own values.schema.json (tests/data/helm/).

Helm validates the chart's defaults with the user's values merged over them: maps merge key by key,
lists are replaced whole. The defaults are not kept here, so keys the chart requires stay required
inside list items (a user deployment must be complete) but not in merged maps. Kubernetes object
types (volumes, probes, resources...) point at kubernetesjsonschema.dev's 1 MB definitions, not kept
here: they are checked for their shape (object or list) and their fields by Kubernetes itself.
"""

import copy
from pathlib import Path

import jsonschema
import pytest
import yaml

from pipelines import settings

SCHEMA_FILE = Path(__file__).parent / "data" / "helm" / "values.schema.json"
VALUES_FILE = settings.PROJECT_ROOT / "deploy" / "values.yaml"
KUBERNETES_DEFINITIONS = "https://kubernetesjsonschema.dev/v1.18.0/_definitions.json"


def _inline(node, definitions: dict, external: set):
    """The schema with every local $ref replaced by its definition; a missing one raises KeyError."""
    if isinstance(node, list):
        return [_inline(item, definitions, external) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if ref is not None and ref.startswith("#/definitions/"):
        return _inline(definitions[ref.removeprefix("#/definitions/")], definitions, external)
    out = {key: _inline(value, definitions, external) for key, value in node.items()}
    if ref is not None:
        external.add(ref)
        del out["$ref"]
        out["x-kubernetes-ref"] = ref  # kept as a marker; validators ignore unknown keywords
    return out


def _as_overlay(node, merged: bool = True):
    """Drop `required` where Helm merges the user's map over the chart's defaults."""
    if isinstance(node, list):
        return [_as_overlay(item, merged) for item in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "required" and merged:
            continue
        if key == "properties":
            out[key] = {name: _as_overlay(sub, merged) for name, sub in value.items()}
        elif key == "items":
            out[key] = _as_overlay(value, merged=False)  # a list replaces the default whole
        else:
            out[key] = _as_overlay(value, merged)
    return out


def _unknown_keys(value, node: dict, path: str = "") -> list[str]:
    """Keys of `value` that no schema branch declares: values the chart would never read."""
    if "x-kubernetes-ref" in node:
        return []
    branches = [node, *node.get("anyOf", []), *node.get("allOf", [])]
    if isinstance(value, list):
        items = [b["items"] for b in branches if isinstance(b.get("items"), dict)]
        return [
            u
            for i, v in enumerate(value)
            for s in items
            for u in _unknown_keys(v, s, f"{path}[{i}]")
        ]
    if not isinstance(value, dict):
        return []
    properties = {name: sub for b in branches for name, sub in b.get("properties", {}).items()}
    open_map = any(isinstance(b.get("additionalProperties"), dict) for b in branches)
    if not properties:
        return []  # a free-form map (env, labels, run config) passed through as it is
    unknown = []
    for key, sub in value.items():
        if key in properties:
            unknown += _unknown_keys(sub, properties[key], f"{path}.{key}")
        elif not open_map:
            unknown.append(f"{path}.{key}")
    return unknown


@pytest.fixture(scope="module")
def schema() -> dict:
    raw = yaml.safe_load(SCHEMA_FILE.read_text())
    external: set[str] = set()
    inlined = _inline(
        {k: v for k, v in raw.items() if k != "definitions"}, raw["definitions"], external
    )
    # Every definition resolves, not only those the values reach.
    _inline(raw["definitions"], raw["definitions"], external)
    inlined["x-external-refs"] = sorted(external)
    return inlined


@pytest.fixture(scope="module")
def values() -> dict:
    return yaml.safe_load(VALUES_FILE.read_text())


def test_every_ref_resolves_locally_or_names_the_kubernetes_definitions(schema):
    external = schema["x-external-refs"]
    assert external, "the chart's schema is expected to point at Kubernetes definitions"
    assert {ref.split("#")[0] for ref in external} == {KUBERNETES_DEFINITIONS}


def test_the_values_file_validates_against_the_chart_schema(schema, values):
    validator = jsonschema.Draft7Validator(_as_overlay(schema))
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(values)
    ]
    assert not errors


def test_every_value_is_one_the_chart_reads(schema, values):
    assert not _unknown_keys(values, schema)


def test_the_check_rejects_what_the_chart_would(schema, values):
    # The validation can fail: a misspelt key, a wrong type, a user deployment missing its image.
    validator = jsonschema.Draft7Validator(_as_overlay(schema))
    typo = copy.deepcopy(values)
    typo["dagsterDaemon"]["runCoordinator"]["config"]["queuedRunCoordinator"][
        "maxConcurentRuns"
    ] = 1
    wrong_type = copy.deepcopy(values)
    wrong_type["dagsterDaemon"]["runCoordinator"]["type"] = "FirstComeRunCoordinator"
    incomplete = copy.deepcopy(values)
    del incomplete["dagster-user-deployments"]["deployments"][0]["image"]
    stray = copy.deepcopy(values)
    stray["dagster-user-deployments"]["deployments"][0]["replicas"] = 2
    for broken in (typo, wrong_type, incomplete):
        assert list(validator.iter_errors(broken))
    assert _unknown_keys(stray, schema) == [".dagster-user-deployments.deployments[0].replicas"]


def test_the_deploy_files_agree_on_the_code_location(values):
    deployment = values["dagster-user-deployments"]["deployments"][0]
    dockerfile = (settings.PROJECT_ROOT / "deploy" / "Dockerfile").read_text()
    workspace = yaml.safe_load((settings.PROJECT_ROOT / "deploy" / "workspace.yaml").read_text())
    assert f"EXPOSE {deployment['port']}" in dockerfile
    assert "uv sync --frozen" in dockerfile
    assert workspace["load_from"][0]["grpc_server"]["location_name"] == deployment["name"]
    instance = yaml.safe_load((settings.PROJECT_ROOT / "deploy" / "dagster.yaml").read_text())
    assert instance["run_coordinator"]["config"]["max_concurrent_runs"] == 1
    queued = values["dagsterDaemon"]["runCoordinator"]["config"]["queuedRunCoordinator"]
    assert queued["maxConcurrentRuns"] == 1
    # The connection comes from the environment: no literal in the instance file.
    connection = instance["storage"]["postgres"]["postgres_db"]
    assert all(isinstance(connection[k], dict) and set(connection[k]) == {"env"}
               for k in ("hostname", "port", "username", "password", "db_name"))  # fmt: skip
