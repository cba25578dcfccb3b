"""The press-item classifier explains itself, holds up on held-out items; the commands work."""

import json
import re
import subprocess
import sys

import numpy as np
import pytest

from pipelines import settings
from pipelines.press.classifier import (
    Classifier,
    classify,
    compile_term,
    load_classifier,
    load_rules,
)
from pipelines.press.evaluation import LABELLED_SET, evaluate, evaluate_splits, read_labelled
from pipelines.press.labelled import SPLITS, item_text, of_split, split_for, split_key
from pipelines.press.literals import may_match, required_literals
from pipelines.press.press_model import (
    MODEL_FILE,
    PressModel,
    file_sha256,
    load_press_model,
    stale_reason,
)


@pytest.fixture(scope="module")
def items():
    return read_labelled(LABELLED_SET)


def test_a_decision_carries_the_terms_and_rules_that_made_it():
    decision = classify(
        "Japanese warship JS Makinami on goodwill visit to Mumbai\n"
        "JMSDF Ship JS Makinami is on a goodwill visit to Mumbai from 18 to 20 Feb"
    )
    assert decision.relevant and decision.family == "port_calls"
    assert "2.1" in decision.commitments
    assert (
        "Mumbai" in decision.why["india"]
        and "goodwill visit" in decision.why["family"]["port_calls"]["terms"]
    )
    port = decision.why["commitments"]["2.1"]
    assert port["rules"] == ["PORT-FAMILY: family=port_calls"]
    assert (
        port["confidence"] >= port["threshold"] and decision.confidence["2.1"] == port["confidence"]
    )


def test_the_model_names_its_ngrams_and_nearest_labelled_item():
    decision = classify(
        "Indian, Japanese navies conduct drills in the Bay of Bengal\n"
        "The two navies undertook tactical manoeuvres and replenishment at sea."
    )
    assert decision.relevant and "1.1" in decision.commitments
    model = decision.why["commitments"]["1.1"]["model"]
    assert 0.0 < model["probability"] <= 1.0 and model["terms"]
    train = {item["id"]: item for item in of_split(read_labelled(LABELLED_SET), "train")}
    assert "1.1" in train[model["nearest"]["id"]]["commitments"]


def test_an_item_naming_only_the_services_is_relevant():
    # no country name at all: the JMSDF and INS ships are enough
    decision = classify(
        "JMSDF destroyer and INS Sukanya hold passage exercise\n"
        "The two navies practised communication drills and cross-deck helicopter landings."
    )
    assert decision.relevant and decision.commitments == ["1.1"]
    msdf = classify(
        "MSDF and Indian Navy hold drill in Arabian Sea\n"
        "The MSDF and the Indian Navy conducted a passage exercise."
    )
    assert msdf.relevant and "MSDF" in msdf.why["japan"] and "1.1" in msdf.commitments


def test_an_irrelevant_item_says_what_it_lacks():
    decision = classify("India, France begin 23rd edition of Varuna naval drill")
    assert not decision.relevant and decision.commitments == []
    assert decision.why["not_relevant"] == "names no Japan"
    assert decision.why["relevance"]["confidence"] < decision.why["relevance"]["threshold"]


def test_the_feed_names_the_side_its_ministry_speaks_for():
    text = "Ministry announces joint exercise with Japan\nThe navies will exercise off Goa... "
    assert "feed pib" in load_classifier().classify(text, source="pib").why["india"]
    assert "feed pib" not in load_classifier().classify(text).why["india"]


def test_counter_terrorism_cooperation_is_not_condemnation_of_terrorism():
    cooperation = classify(
        "India, Japan discuss counter-terrorism cooperation at security dialogue"
    )
    condemnation = classify(
        "India and Japan condemn the terrorist attack at their defence dialogue"
    )
    assert "4.1" in cooperation.commitments and "5.6" not in cooperation.commitments
    assert "5.6" in condemnation.commitments


def test_the_labelled_set_is_real_large_and_split_once(items):
    assert len(items) >= 200
    assert len({item["id"] for item in items}) == len(items)
    for item in items:
        assert item["url"].startswith(("http://", "https://"))
        assert len(item["excerpt"].split()) <= 40
        assert item["relevant"] == bool(item["commitments"])
        assert item["split"] == split_for(split_key(item)), item["id"]
    by_split = {split: of_split(items, split) for split in SPLITS}
    assert 0.5 < len(by_split["train"]) / len(items) < 0.7
    for split in ("dev", "test"):
        assert any(not item["relevant"] for item in by_split[split])
    events = {s: {item["event"] for item in by_split[s] if item.get("event")} for s in SPLITS}
    assert not events["train"] & events["test"] and not events["dev"] & events["test"]


def test_thresholds_come_from_dev_and_the_model_from_train(items):
    classifier = load_classifier()
    train_ids = {item["id"] for item in of_split(items, "train")}
    assert {item["id"] for item in classifier.model.items} == train_ids
    calibration = classifier.calibration
    assert 0.0 < calibration.relevance_threshold < 1.0
    assert all(0.0 < t < 1.0 for t in calibration.thresholds.values())


def test_held_out_figures_meet_the_bar(items):
    report = evaluate(of_split(items, "test"))
    assert report["micro"]["f1"] >= 0.8
    assert report["relevance_accuracy"] >= 0.85


def test_evaluation_produces_well_formed_metrics_per_split(items):
    reports = evaluate_splits(items)
    assert list(reports) == list(SPLITS)
    assert sum(r["items"] for r in reports.values()) == len(items)
    for report in reports.values():
        for scores in [report["micro"], *report["per_commitment"].values()]:
            assert set(scores) == {"precision", "recall", "f1", "support"}
            assert all(0.0 <= scores[k] <= 1.0 for k in ("precision", "recall", "f1"))
        assert 0.0 <= report["relevance_accuracy"] <= 1.0
        assert 0.0 <= report["family_accuracy"] <= 1.0
        assert (
            sum(s["support"] for s in report["per_commitment"].values())
            == report["micro"]["support"]
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
    result = _cli("classify", "-", stdin='{"id": 1, "text": "x"}\n{"id": 1}\n')
    assert result.returncode == 2 and "line 2" in result.stderr and not result.stdout


def test_evaluate_command_prints_the_figures_per_split():
    result = _cli("evaluate-classifier", "--json")
    assert result.returncode == 0, result.stderr
    reports = json.loads(result.stdout)
    assert set(reports) == set(SPLITS)
    assert {"micro", "relevance_accuracy", "family_accuracy", "per_commitment"} <= set(
        reports["test"]
    )


def test_the_stored_model_was_fitted_on_the_labelled_set_as_it_is(items):
    stored = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    assert stale_reason(stored, file_sha256(LABELLED_SET), of_split(items, "train")) is None, (
        "data/classifier/press_model.json is stale: run `make classifier-model`"
    )


def test_the_stored_model_decides_exactly_as_a_fresh_fit(items):
    # the fresh fit is scikit-learn's own; the stored one is rebuilt and scored with numpy alone
    train, dev = of_split(items, "train"), of_split(items, "dev")
    fresh = Classifier(load_rules(), train, dev)
    stored = load_classifier()
    texts = [item_text(item) for item in items]
    a, b = fresh.model.score(texts), stored.model.score(texts)
    for x, y in [(a.relevance, b.relevance), (a.family, b.family), (a.similarity, b.similarity)]:
        assert np.abs(x - y).max() < 1e-9
    assert a.commitments.keys() == b.commitments.keys()
    assert max(np.abs(a.commitments[c] - b.commitments[c]).max() for c in a.commitments) < 1e-9
    assert fresh.calibration == stored.calibration
    for item, x, y in zip(
        items, fresh.classify_many(texts), stored.classify_many(texts), strict=True
    ):
        assert x.as_json(item["id"]) == y.as_json(item["id"])


def test_a_stale_model_file_is_not_used(items, tmp_path, capsys):
    train = of_split(items, "train")
    stored = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    # weights that would classify nothing as relevant, under another labelled set's checksum
    stored["labelled_sha256"] = "0" * 64
    stored["weights"]["relevance"] = [-100.0] * len(train)
    stale = tmp_path / "press_model.json"
    stale.write_text(json.dumps(stored), encoding="utf-8")
    model = load_press_model(train, LABELLED_SET, stale)
    assert "fitted on another version of the labelled set" in capsys.readouterr().err
    text = "Indian, Japanese navies conduct drills\nThe two navies exercised together."
    assert model.score([text]).relevance[0] > 0.5
    assert PressModel(train, stored["weights"]).score([text]).relevance[0] < 0.01


def test_a_term_is_skipped_only_when_its_required_text_is_absent():
    assert required_literals(r"\b(?:Maritime Self[- ]Defen[cs]e Force)\b") == ("maritime self",)
    assert set(required_literals(r"\b(?:JIMEX|Dharma Guardian)\b")) == {"jimex", "dharma guardian"}
    assert required_literals(r"\b(?:G-?4)\b") is None  # nothing of two letters is certain
    term = compile_term(r"(?-i:INS [A-Z][A-Za-z]+)")
    required = required_literals(term.pattern, term.flags)
    assert not may_match(required, "The frigate arrived") and may_match(required, "with INS Teg")
    # outside ASCII, case folding is Unicode's: always search
    assert may_match(required_literals(r"\b(?:ks)\b", re.IGNORECASE), "\u212aS")
    rules = load_rules()
    terms = [t for c in rules.commitment_rules for t in (c.terms, c.requires, c.unless) if t]
    for item in read_labelled(LABELLED_SET):
        text = item_text(item)
        for term in [*rules.japan, *rules.india, *rules.both, *rules.security, *terms]:
            assert term.find(text) == (m.group(0) if (m := term.pattern.search(text)) else None)
