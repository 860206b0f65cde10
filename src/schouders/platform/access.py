"""Who may do what: roles per municipality, and the checks every page and API call goes through.

- ``beheerder`` (platform administrator, ``User.is_admin``): manages municipalities and accounts;
  sees no answers.
- Per municipality (``Membership.role``): ``coordinator`` runs rounds and APK checks and sees all
  results of that municipality; ``analist`` reads results and exports; ``respondent`` fills in the
  rounds they are invited to and reads the report of closed rounds they took part in.

Objects of a municipality where the viewer has no role are reported as *not found* (404), so that
their existence does not leak; a role that is too weak gives *no access* (403).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from schouders.errors import SchoudersError

RESPONDENT = "respondent"
COORDINATOR = "coordinator"
ANALYST = "analist"
ADMIN = "beheerder"
MEMBER_ROLES = (RESPONDENT, COORDINATOR, ANALYST)
READERS = (COORDINATOR, ANALYST)
ROLE_LABELS = {
    RESPONDENT: "respondent",
    COORDINATOR: "coördinator",
    ANALYST: "analist",
    ADMIN: "beheerder",
}


class AccessError(SchoudersError):
    status_code = 403


class NotLoggedIn(AccessError):
    status_code = 401

    def __init__(self) -> None:
        super().__init__("U bent niet ingelogd.", "Log in om verder te gaan.")


class Forbidden(AccessError):
    status_code = 403

    def __init__(self, message: str = "U heeft geen toegang tot deze pagina.") -> None:
        super().__init__(message, "Vraag de coördinator van uw gemeente om toegang.")


class NotFound(AccessError):
    status_code = 404

    def __init__(self, what: str = "Deze pagina") -> None:
        super().__init__(
            f"{what} bestaat niet of u heeft er geen toegang toe.",
            "Controleer de link of ga terug naar de startpagina.",
        )


@dataclass(frozen=True)
class Viewer:
    """The logged-in user as seen by access checks."""

    user_id: int
    email: str
    name: str
    is_admin: bool = False
    roles: dict[str, str] = field(default_factory=dict)  # gm_code -> role

    def role_in(self, gm_code: str) -> str | None:
        return self.roles.get(gm_code)

    def has_role(self, gm_code: str, roles: tuple[str, ...]) -> bool:
        return self.roles.get(gm_code) in roles


def require_viewer(viewer: Viewer | None) -> Viewer:
    if viewer is None:
        raise NotLoggedIn()
    return viewer


def require_admin(viewer: Viewer | None) -> Viewer:
    viewer = require_viewer(viewer)
    if not viewer.is_admin:
        raise Forbidden("Alleen een beheerder heeft toegang tot deze pagina.")
    return viewer


def require_role(
    viewer: Viewer | None, gm_code: str, roles: tuple[str, ...], what: str = "Deze pagina"
) -> Viewer:
    """The viewer, if they have one of ``roles`` in ``gm_code``; otherwise 404 or 403."""
    viewer = require_viewer(viewer)
    role = viewer.role_in(gm_code)
    if role is None:
        raise NotFound(what)
    if role not in roles:
        raise Forbidden()
    return viewer
