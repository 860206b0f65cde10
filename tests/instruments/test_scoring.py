"""Scores with spread: exact values on small, hand-checked inputs."""

from __future__ import annotations

import math

import pytest

from schouders.instruments.questionnaire import load_questionnaire
from schouders.instruments.scoring import (
    PerspectiveResponse,
    ResponseValue,
    score_round,
    spread,
)


def test_spread_of_known_values() -> None:
    s = spread([2, 4, 4, 5])
    assert s is not None
    assert s.n == 4
    assert s.mean == pytest.approx(3.75)
    assert s.median == pytest.approx(4.0)
    assert (s.minimum, s.maximum) == (2.0, 5.0)
    assert s.sd == pytest.approx(math.sqrt(((2 - 3.75) ** 2 + 2 * (4 - 3.75) ** 2
                                            + (5 - 3.75) ** 2) / 3))
    # inclusive quartiles: 3.5 and 4.25
    assert (s.q1, s.q3) == (pytest.approx(3.5), pytest.approx(4.25))
    assert s.iqr == pytest.approx(0.75)
    assert s.disagreement  # range 3 >= 2


def test_single_value_has_no_sd_and_no_disagreement() -> None:
    s = spread([3])
    assert s is not None and s.sd is None and s.iqr == 0 and not s.disagreement
    assert spread([]) is None


def test_close_answers_are_not_flagged() -> None:
    s = spread([3, 3.5, 4])
    assert s is not None and not s.disagreement


def answers_for(values: dict[str, int | None]) -> dict[str, ResponseValue]:
    return {code: ResponseValue(value) for code, value in values.items()}


def test_factor_scores_mirror_reverse_items_and_skip_dont_know() -> None:
    q = load_questionnaire()
    kaders = [x.code for x in q.questions if x.subfactor == "kaders"]
    assert kaders == ["hb-01", "hb-02"]  # hb-02 is reverse-worded
    a = answers_for({"hb-01": 4, "hb-02": 2})  # 4 and 6-2=4 -> 4.0
    b = answers_for({"hb-01": 2, "hb-02": None})  # 'weet niet' skipped -> 2.0
    scores = score_round(q, {"Respondent 1": a, "Respondent 2": b})
    sub = next(s for s in scores.subfactors if s.code == "kaders")
    assert sub.spread is not None
    assert sub.spread.n == 2
    assert sub.spread.mean == pytest.approx(3.0)
    assert (sub.spread.minimum, sub.spread.maximum) == (2.0, 4.0)
    assert sub.spread.sd == pytest.approx(math.sqrt(2))
    assert sub.spread.disagreement
    item = next(i for i in scores.items if i.question.code == "hb-02")
    assert item.dont_know == 1 and item.spread is not None and item.spread.mean == 4.0
    # a factor nobody answered has no spread, and says so
    motivatie = scores.factor("motivatie")
    assert motivatie is not None and motivatie.spread is None


def test_perspectives_majority_and_not_served() -> None:
    q = load_questionnaire()
    responses = {
        "R1": {"Woningbouw": PerspectiveResponse("nw", {"pa": 2, "npm": 4, "mv": 2})},
        "R2": {"Woningbouw": PerspectiveResponse("nw", {"pa": 1, "npm": 3, "mv": None})},
        "R3": {"Woningbouw": PerspectiveResponse("pa", {"npm": 5, "nw": 4, "mv": 3})},
    }
    scores = score_round(q, {"R1": {}, "R2": {}, "R3": {}}, responses, ["Woningbouw"])
    (p,) = scores.perspectives
    assert p.respondents == 3
    assert p.dominant_counts == {"pa": 1, "npm": 0, "nw": 2, "mv": 0}
    assert p.dominant == "nw"
    assert p.served["pa"].mean == pytest.approx(1.5)  # type: ignore[union-attr]
    assert p.served["mv"].n == 2  # 'weet niet' left out  # type: ignore[union-attr]
    assert p.not_served() == ["pa", "mv"]  # means 1.5 and 2.5; npm 4.0 is fine


def test_no_majority_means_no_dominant_perspective() -> None:
    q = load_questionnaire()
    responses = {
        "R1": {"X": PerspectiveResponse("nw", {})},
        "R2": {"X": PerspectiveResponse("pa", {})},
    }
    (p,) = score_round(q, {"R1": {}, "R2": {}}, responses, ["X"]).perspectives
    assert p.dominant is None
