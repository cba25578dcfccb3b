"""The press-item classifier explains itself; the commands print well-formed results."""

import json
import subprocess
import sys

from pipelines import settings
from pipelines.classifier import classify
from pipelines.evaluation import LABELLED_SET, evaluate, read_labelled


def test_a_decision_carries_the_terms_that_made_it():
    decision = classify(
        "Japanese warship JS Makinami on goodwill visit to Mumbai\n"
        "JMSDF Ship JS Makinami is on a goodwill visit to Mumbai from 18 to 20 Feb"
    )
    assert decision.relevant and decision.family == "port_calls"
    assert decision.commitments == ["2.1"]
    assert (
        "Mumbai" in decision.why["india"]
        and "goodwill visit" in decision.why["family"]["port_calls"]["terms"]
    )
    assert decision.why["commitments"]["2.1"] == ["PORT-FAMILY: family=port_calls"]


def test_an_irrelevant_item_says_what_it_lacks():
    decision = classify("India, France begin 23rd edition of Varuna naval drill")
    assert not decision.relevant and decision.commitments == []
    assert decision.why["not_relevant"] == "names no Japan"


def test_counter_terrorism_cooperation_is_not_condemnation_of_terrorism():
    cooperation = classify(
        "India, Japan discuss counter-terrorism cooperation at security dialogue"
    )
    condemnation = classify(
        "India and Japan condemn the terrorist attack at their defence dialogue"
    )
    assert "4.1" in cooperation.commitments and "5.6" not in cooperation.commitments
    assert "5.6" in condemnation.commitments


def test_the_labelled_set_is_real_and_large_enough():
    items = read_labelled(LABELLED_SET)
    assert len(items) >= 60
    for item in items:
        assert item["url"].startswith(("http://", "https://"))
        assert len(item["excerpt"].split()) <= 40
        assert item["relevant"] == bool(item["commitments"])


def test_evaluation_produces_well_formed_metrics():
    report = evaluate(read_labelled(LABELLED_SET))
    assert report["items"] == len(read_labelled(LABELLED_SET))
    for scores in [report["micro"], *report["per_commitment"].values()]:
        assert set(scores) == {"precision", "recall", "f1", "support"}
        assert all(0.0 <= scores[k] <= 1.0 for k in ("precision", "recall", "f1"))
    assert 0.0 <= report["relevance_accuracy"] <= 1.0
    assert 0.0 <= report["family_accuracy"] <= 1.0
    assert (
        sum(s["support"] for s in report["per_commitment"].values()) == report["micro"]["support"]
    )


def _cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipelines", *args], input=stdin, capture_output=True, text=True,
        cwd=settings.PROJECT_ROOT, check=False,
    )  # fmt: skip


def test_classify_command_prints_one_json_line_per_input(tmp_path):
    lines = [
        {"id": "a", "text": "India, Japan hold first round of talks on economic security, trade"},
        {"id": 7, "text": "Japan's Shinkansen trains to run on Mumbai-Ahmedabad route"},
    ]
    path = tmp_path / "items.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    result = _cli("classify", str(path))
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", 7]
    assert all(set(o) == {"id", "relevant", "family", "commitments", "why"} for o in out)
    assert out[0]["relevant"] and "6.2" in out[0]["commitments"] and out[0]["family"] == "dialogues"
    assert not out[1]["relevant"] and out[1]["commitments"] == []


def test_classify_command_names_a_bad_line():
    result = _cli("classify", "-", stdin='{"id": 1}\n')
    assert result.returncode == 2 and "line 1" in result.stderr


def test_evaluate_command_prints_the_figures():
    result = _cli("evaluate-classifier", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert {"micro", "relevance_accuracy", "family_accuracy", "per_commitment"} <= set(report)
