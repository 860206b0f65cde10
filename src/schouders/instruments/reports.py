"""Reports of visitatie rounds: scores with spread, history per round, and peer comparison.

Only submitted answers count. Scores are shown from ``MIN_RESPONDENTS_FOR_SCORES`` respondents,
so that no single respondent's answers can be read back. Peer comparison uses only rounds that
other municipalities have closed *and* published, and only their aggregated scores.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from schouders.instruments.config import MIN_RESPONDENTS_FOR_SCORES
from schouders.instruments.models import Answer, PerspectiveAnswer, Round
from schouders.instruments.questionnaire import load_questionnaire
from schouders.instruments.scoring import (
    GroupScore,
    PerspectiveResponse,
    ResponseValue,
    RoundScores,
    Spread,
    score_round,
)
from schouders.instruments.visitatie import CLOSED, SUBMITTED, opgaven_of, served_of
from schouders.platform.models import Municipality


def round_scores(session: Session, round_: Round) -> RoundScores:
    """Scores of the submitted respondents of ``round_``, safe to show: every aggregate over fewer
    than MIN_RESPONDENTS_FOR_SCORES respondents is left out (see :func:`anonymous`)."""
    questionnaire = load_questionnaire(round_.questionnaire_version)
    respondents = [r for r in round_.respondents if r.status == SUBMITTED]
    ids = {r.id: r.label for r in respondents}
    answers: dict[str, dict[str, ResponseValue]] = {label: {} for label in ids.values()}
    perspectives: dict[str, dict[str, PerspectiveResponse]] = {label: {} for label in ids.values()}
    if ids:
        for answer in session.scalars(select(Answer).where(Answer.respondent_id.in_(list(ids)))):
            answers[ids[answer.respondent_id]][answer.question_code] = ResponseValue(
                answer.value, answer.comment
            )
        for item in session.scalars(
            select(PerspectiveAnswer).where(PerspectiveAnswer.respondent_id.in_(list(ids)))
        ):
            perspectives[ids[item.respondent_id]][item.opgave] = PerspectiveResponse(
                item.dominant, served_of(item), item.comment
            )
    return anonymous(score_round(questionnaire, answers, perspectives, opgaven_of(round_)))


def _enough(value: Spread | None) -> Spread | None:
    return value if value is not None and value.n >= MIN_RESPONDENTS_FOR_SCORES else None


def anonymous(scores: RoundScores) -> RoundScores:
    """Drop every aggregate (group, question, steering perspective) computed over fewer than
    MIN_RESPONDENTS_FOR_SCORES answers: with two, each of them can compute the other's answer
    from the mean and their own. Comments are kept only when the round has enough respondents
    (they are listed sorted, never with a respondent label)."""
    enough = scores.respondents >= MIN_RESPONDENTS_FOR_SCORES

    def groups(items: list[GroupScore]) -> list[GroupScore]:
        return [replace(g, spread=_enough(g.spread)) for g in items]

    perspectives = []
    for p in scores.perspectives:
        if p.respondents >= MIN_RESPONDENTS_FOR_SCORES:
            perspectives.append(replace(p, served={k: _enough(v) for k, v in p.served.items()},
                                        comments=p.comments if enough else ()))
        else:
            perspectives.append(replace(p, respondents=0,
                                        dominant_counts=dict.fromkeys(p.dominant_counts, 0),
                                        served=dict.fromkeys(p.served), comments=()))
    return replace(
        scores,
        factors=groups(scores.factors), subfactors=groups(scores.subfactors),
        roles=groups(scores.roles), domains=groups(scores.domains),
        items=[replace(i, spread=_enough(i.spread),
                       dont_know=i.dont_know if enough else 0,
                       comments=i.comments if enough else ()) for i in scores.items],
        perspectives=perspectives,
    )


def scores_visible(scores: RoundScores, round_: Round) -> bool:
    """Scores are shown only for a closed round (while it is open, comparing the scores before
    and after one respondent submits would give away that respondent's answers) with at least
    MIN_RESPONDENTS_FOR_SCORES submitted questionnaires."""
    return round_.status == CLOSED and scores.respondents >= MIN_RESPONDENTS_FOR_SCORES


@dataclass(frozen=True)
class HistoryPoint:
    round: Round
    respondents: int
    factors: dict[str, Spread | None]


def history(session: Session, gm_code: str) -> list[HistoryPoint]:
    """Factor scores of every closed round of one municipality, oldest first."""
    rounds = session.scalars(
        select(Round).where(Round.gm_code == gm_code, Round.status == CLOSED)
        .order_by(Round.closed_at, Round.id)
    )
    points = []
    for round_ in rounds:
        scores = round_scores(session, round_)
        visible = scores_visible(scores, round_)
        points.append(
            HistoryPoint(
                round_,
                scores.respondents,
                {f.code: (f.spread if visible else None) for f in scores.factors},
            )
        )
    return points


@dataclass(frozen=True)
class PeerRow:
    gm_code: str
    name: str
    round_title: str
    published_on: str
    published_at: datetime
    respondents: int
    factors: dict[str, Spread | None]
    own: bool = False


def published_rounds(session: Session, exclude_gm: str | None = None) -> list[Round]:
    """The most recently published closed round of every municipality that publishes."""
    query = (
        select(Round)
        .where(Round.status == CLOSED, Round.published_at.is_not(None))
        .order_by(Round.gm_code, Round.published_at.desc(), Round.id.desc())
    )
    latest: dict[str, Round] = {}
    for round_ in session.scalars(query):
        if round_.gm_code != exclude_gm and round_.gm_code not in latest:
            latest[round_.gm_code] = round_
    return list(latest.values())


def peer_rows(session: Session, own: Round | None, exclude_gm: str | None) -> list[PeerRow]:
    names = dict(session.execute(select(Municipality.gm_code, Municipality.name)).all())
    rows = []
    candidates = ([own] if own is not None else []) + published_rounds(session, exclude_gm)
    for round_ in candidates:
        scores = round_scores(session, round_)
        if not scores_visible(scores, round_):
            continue
        rows.append(
            PeerRow(
                gm_code=round_.gm_code,
                name=names.get(round_.gm_code, round_.gm_code),
                round_title=round_.title,
                published_on=(round_.published_at or round_.closed_at or round_.created_at)
                .date().isoformat(),
                published_at=round_.published_at or round_.closed_at or round_.created_at,
                respondents=scores.respondents,
                factors={f.code: f.spread for f in scores.factors},
                own=round_ is own,
            )
        )
    return rows


def submitted_count(session: Session, round_: Round) -> int:
    return sum(1 for r in round_.respondents if r.status == SUBMITTED)

