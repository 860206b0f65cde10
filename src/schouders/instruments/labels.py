"""Names of the instruments' audit actions and objects, next to the platform's own."""

from __future__ import annotations

from schouders.platform import audit

ACTION_LABELS = {
    **audit.ACTION_LABELS,
    "round.created": "ronde aangemaakt",
    "round.respondent_added": "respondent toegevoegd",
    "round.answers_saved": "antwoorden opgeslagen",
    "round.submitted": "antwoorden ingediend",
    "round.closed": "ronde gesloten",
    "round.published": "scores gepubliceerd",
    "round.unpublished": "publicatie ingetrokken",
    "round.exported": "ronde geëxporteerd",
    "round.imported": "ronde geïmporteerd",
    "apk.created": "APK-toets gestart",
    "apk.answers_saved": "APK-antwoorden gewijzigd",
    "apk.finalized": "APK-toets afgerond",
    "task.created": "eigen taak toegevoegd",
}
OBJECT_LABELS = {
    **audit.OBJECT_LABELS,
    "round": "ronde",
    "apk": "APK-toets",
    "task": "taak",
}
