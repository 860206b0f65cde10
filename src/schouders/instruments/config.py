"""Limits of the instruments (the platform's own are in ``schouders.platform.config``)."""

from __future__ import annotations

# Scores are shown, shared and exported only from this many submitted questionnaires.
MIN_RESPONDENTS_FOR_SCORES = 2
