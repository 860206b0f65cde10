"""Scores of a visitatie round, with their spread. Pure functions: no database.

Each respondent gets a score per group (factor, subfactor, role, domain): the mean of their scored
answers in that group ("weet niet" is left out, reverse-worded statements are mirrored). The round
score of a group is the distribution of those respondent scores: n, mean, median, min, max,
standard deviation and interquartile range. Disagreement is information, not noise: a group where
respondents differ by two points or more (or IQR >= 1) is flagged for discussion.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from schouders.instruments.questionnaire import Question, Questionnaire

DISAGREEMENT_RANGE = 2.0
DISAGREEMENT_IQR = 1.0
NOT_SERVED_BELOW = 3.0


@dataclass(frozen=True)
class Spread:
    n: int
    mean: float
    median: float
    minimum: float
    maximum: float
    sd: float | None  # sample standard deviation; None for a single respondent
    q1: float
    q3: float

    @property
    def iqr(self) -> float:
        return self.q3 - self.q1

    @property
    def range(self) -> float:
        return self.maximum - self.minimum

    @property
    def disagreement(self) -> bool:
        return self.n >= 2 and (self.range >= DISAGREEMENT_RANGE or self.iqr >= DISAGREEMENT_IQR)


def spread(values: Sequence[float]) -> Spread | None:
    if not values:
        return None
    data = sorted(float(value) for value in values)
    if len(data) == 1:
        q1 = q3 = data[0]
        sd = None
    else:
        q1, _, q3 = statistics.quantiles(data, n=4, method="inclusive")
        sd = statistics.stdev(data)
    return Spread(
        n=len(data),
        mean=statistics.fmean(data),
        median=statistics.median(data),
        minimum=data[0],
        maximum=data[-1],
        sd=sd,
        q1=q1,
        q3=q3,
    )


@dataclass(frozen=True)
class GroupScore:
    kind: str  # factor | subfactor | rol | domein
    code: str
    name: str
    items: int
    spread: Spread | None


@dataclass(frozen=True)
class ItemScore:
    question: Question
    spread: Spread | None
    dont_know: int
    comments: tuple[str, ...]


@dataclass(frozen=True)
class PerspectiveScore:
    opgave: str
    respondents: int
    dominant_counts: dict[str, int]
    served: dict[str, Spread | None]
    comments: tuple[str, ...]

    @property
    def dominant(self) -> str | None:
        """The perspective more than half of the respondents call dominant, if any."""
        if not self.respondents:
            return None
        code, count = max(self.dominant_counts.items(), key=lambda item: item[1])
        return code if count * 2 > self.respondents else None

    def not_served(self) -> list[str]:
        """Perspectives other than the dominant one whose mean 'served' score is below 3."""
        return [
            code
            for code, value in self.served.items()
            if code != self.dominant and value is not None and value.mean < NOT_SERVED_BELOW
        ]


@dataclass(frozen=True)
class RoundScores:
    respondents: int
    factors: list[GroupScore]
    subfactors: list[GroupScore]
    roles: list[GroupScore]
    domains: list[GroupScore]
    items: list[ItemScore]
    perspectives: list[PerspectiveScore] = field(default_factory=list)

    def factor(self, code: str) -> GroupScore | None:
        return next((group for group in self.factors if group.code == code), None)


@dataclass(frozen=True)
class ResponseValue:
    value: int | None  # None: "weet niet" or unanswered
    comment: str | None = None


@dataclass(frozen=True)
class PerspectiveResponse:
    dominant: str | None
    served: Mapping[str, int | None]
    comment: str | None = None


def score_round(
    questionnaire: Questionnaire,
    answers: Mapping[str, Mapping[str, ResponseValue]],
    perspectives: Mapping[str, Mapping[str, PerspectiveResponse]] | None = None,
    opgaven: Sequence[str] = (),
) -> RoundScores:
    """Scores of the respondents in ``answers`` (respondent label -> question code -> answer)."""
    scale = questionnaire.scale

    def group(kind: str, code: str, name: str, questions: list[Question]) -> GroupScore:
        per_respondent = []
        for response in answers.values():
            values = [
                q.score(response[q.code].value, scale)  # type: ignore[arg-type]
                for q in questions
                if q.code in response and response[q.code].value is not None
            ]
            if values:
                per_respondent.append(statistics.fmean(values))
        return GroupScore(kind, code, name, len(questions), spread(per_respondent))

    questions = list(questionnaire.questions)
    factors = [
        group("factor", f.code, f.name, [q for q in questions if q.factor == f.code])
        for f in questionnaire.factors
    ]
    subfactors = [
        group("subfactor", s.code, s.name, [q for q in questions if q.subfactor == s.code])
        for s in questionnaire.subfactors
    ]
    roles = [
        group("rol", code, questionnaire.role_names.get(code, code),
              [q for q in questions if q.role == code])
        for code in questionnaire.roles()
    ]
    domains = [
        group("domein", code, questionnaire.domain_names.get(code, code),
              [q for q in questions if q.domain == code])
        for code in questionnaire.domains()
    ]
    items = []
    for question in questions:
        responses = [r[question.code] for r in answers.values() if question.code in r]
        values = [question.score(r.value, scale) for r in responses if r.value is not None]
        items.append(
            ItemScore(
                question=question,
                spread=spread(values),
                dont_know=sum(1 for r in responses if r.value is None),
                comments=tuple(sorted(r.comment for r in responses if r.comment)),
            )
        )
    return RoundScores(
        respondents=len(answers),
        factors=factors,
        subfactors=subfactors,
        roles=roles,
        domains=domains,
        items=items,
        perspectives=_perspective_scores(questionnaire, perspectives or {}, opgaven),
    )


def _perspective_scores(
    questionnaire: Questionnaire,
    perspectives: Mapping[str, Mapping[str, PerspectiveResponse]],
    opgaven: Sequence[str],
) -> list[PerspectiveScore]:
    codes = [p.code for p in questionnaire.steering.perspectives]
    scores = []
    for opgave in opgaven:
        responses = [
            by_opgave[opgave] for by_opgave in perspectives.values() if opgave in by_opgave
        ]
        counts = Counter(r.dominant for r in responses if r.dominant in codes)
        served = {
            code: spread([float(value) for r in responses
                           if (value := r.served.get(code)) is not None])
            for code in codes
        }
        scores.append(
            PerspectiveScore(
                opgave=opgave,
                respondents=sum(counts.values()),
                dominant_counts={code: counts.get(code, 0) for code in codes},
                served=served,  # type: ignore[arg-type]
                comments=tuple(sorted(r.comment for r in responses if r.comment)),
            )
        )
    return scores
