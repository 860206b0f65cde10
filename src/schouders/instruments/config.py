"""Limits of the instruments (the platform's own are in ``schouders.platform.config``)."""

from __future__ import annotations

# Scores are shown, shared and exported only for closed rounds, and every aggregate only when at
# least this many respondents contribute to it. With two, each of them can compute the other's
# answer from the mean and their own; from three, one respondent learns only the sum of the others.
MIN_RESPONDENTS_FOR_SCORES = 3
