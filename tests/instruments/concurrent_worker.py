"""Run as a separate process by test_visitatie: one respondent saving all answers at time T.

usage: python concurrent_worker.py <database url> <round id> <respondent id> <value> <start at>
"""

from __future__ import annotations

import sys
import time

from schouders.instruments.models import Respondent, Round
from schouders.instruments.questionnaire import load_questionnaire
from schouders.instruments.visitatie import AnswerForm, save_answers
from schouders.platform.audit import Actor
from schouders.platform.db import Database


def main(url: str, round_id: int, respondent_id: int, value: int, start_at: float) -> int:
    questions = load_questionnaire().questions
    database = Database(url)
    form = AnswerForm(values={q.code: str(value) for q in questions},
                      comments={q.code: f"r{respondent_id}" for q in questions[:5]})
    try:
        with database.transaction() as session:  # warm up the connection before the race
            session.get(Round, round_id)
        time.sleep(max(0.0, start_at - time.time()))
        with database.transaction() as session:
            round_ = session.get(Round, round_id)
            respondent = session.get(Respondent, respondent_id)
            result = save_answers(session, round_, respondent, form, submit=True,
                                  actor=Actor(None, f"proces {respondent_id}"))
        if not result.submitted:
            print(result.errors, file=sys.stderr)
            return 2
        return 0
    finally:
        database.dispose()


if __name__ == "__main__":
    url, round_id, respondent_id, value, start_at = sys.argv[1:6]
    sys.exit(main(url, int(round_id), int(respondent_id), int(value), float(start_at)))
