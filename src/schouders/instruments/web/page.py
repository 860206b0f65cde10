"""Per-request context: who is logged in, CSRF tokens, cookies, rendering and redirects.

Cookies (all HttpOnly, SameSite=Lax, Secure on HTTPS or when configured):
- ``schouders_sessie``: the signed session token (only after logging in);
- ``schouders_csrf``: a signed random value for visitors who are not logged in (login and invite
  forms), so those forms have a CSRF token too.
Every form POST carries ``csrf_token`` = HMAC(key, session token or anonymous value); JSON API calls
that change something carry it in the ``X-CSRF-Token`` header.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

from fastapi import Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from schouders.errors import SchoudersError
from schouders.instruments.config import MIN_RESPONDENTS_FOR_SCORES
from schouders.instruments.web.runtime import InstrumentsRuntime
from schouders.instruments.web.shell import shell_context
from schouders.platform.access import Viewer
from schouders.platform.config import MIN_PASSWORD_LENGTH, SESSION_HOURS
from schouders.platform.sessions import current_viewer
from schouders.platform.signing import new_token
from schouders.web.render import remember_language

R = TypeVar("R", bound=Response)
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")

# Database ids in paths: positive and within a 32-bit integer (larger values cannot exist).
EntityId = Annotated[int, Path(ge=1, le=2_147_483_647)]
SESSION_COOKIE = "schouders_sessie"
ANON_COOKIE = "schouders_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"

MESSAGES = {
    "ingelogd": "U bent ingelogd.",
    "uitgelogd": "U bent uitgelogd.",
    "welkom": "Welkom! Uw account is klaar.",
    "ronde-aangemaakt": "De ronde is aangemaakt. Nodig nu respondenten uit.",
    "respondent-toegevoegd": "De respondent is toegevoegd aan de ronde.",
    "opgeslagen": "Uw antwoorden zijn opgeslagen als concept.",
    "ingediend": "Dank u wel: uw antwoorden zijn ingediend.",
    "ronde-gesloten": "De ronde is gesloten. Het rapport staat klaar.",
    "gepubliceerd": "De scores van deze ronde zijn gedeeld met andere gemeenten.",
    "niet-gepubliceerd": "De scores van deze ronde worden niet meer gedeeld.",
    "apk-aangemaakt": "De APK-toets is gestart.",
    "apk-opgeslagen": "De wijzigingen zijn opgeslagen.",
    "apk-afgerond": "De APK-toets is afgerond.",
    "taak-toegevoegd": "De taak is toegevoegd aan het register van uw gemeente.",
    "gemeente-toegevoegd": "De gemeente heeft nu toegang.",
    "wachtwoord-gewijzigd": "Uw wachtwoord is gewijzigd. Sessies op andere apparaten zijn "
                            "beëindigd.",
    "wachtwoord-ingesteld": "Het nieuwe wachtwoord is ingesteld en alle sessies van dat account "
                            "zijn beëindigd. Geef het wachtwoord persoonlijk of telefonisch door, "
                            "niet per e-mail.",
    "account-geblokkeerd": "Het account is geblokkeerd; de gebruiker is uitgelogd.",
    "account-gedeblokkeerd": "Het account kan weer inloggen.",
}


class CsrfError(SchoudersError):
    status_code = 403

    def __init__(self) -> None:
        super().__init__(
            "Het formulier is verlopen of komt niet van deze website.",
            "Ga terug, laad de pagina opnieuw en probeer het nog eens.",
        )


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "onbekend"


class Page:
    """What a handler needs to know about the current request."""

    def __init__(self, rt: InstrumentsRuntime, request: Request) -> None:
        self.rt = rt
        self.request = request
        signer = rt.signer
        self.session_token = signer.unsign("session", request.cookies.get(SESSION_COOKIE))
        self.viewer: Viewer | None = None
        if self.session_token:  # read without the write lock (see sessions.current_viewer)
            self.viewer = current_viewer(rt.db, self.session_token, rt.now())
            if self.viewer is None:
                self.session_token = None
        anon = signer.unsign("anon", request.cookies.get(ANON_COOKIE))
        self._new_anon = anon is None
        self.anon_token = anon or new_token()
        self._set_session: str | None = None
        self._clear_session = False

    # --- CSRF -------------------------------------------------------------------------

    @property
    def csrf_token(self) -> str:
        if self._set_session:
            return self.rt.signer.mac("csrf", self._set_session)
        if self.session_token:
            return self.rt.signer.mac("csrf", self.session_token)
        return self.rt.signer.mac("csrf-anon", self.anon_token)

    def check_csrf(self, candidate: str | None) -> None:
        signer = self.rt.signer
        if self.session_token and signer.matches("csrf", self.session_token, candidate):
            return
        if not self._new_anon and signer.matches("csrf-anon", self.anon_token, candidate):
            return
        raise CsrfError()

    def check_form(self, form: Mapping[str, Any]) -> None:
        self.check_csrf(str(form.get(CSRF_FIELD, "")) or None)

    def check_header(self) -> None:
        """For JSON calls that change data: a logged-in session and the X-CSRF-Token header."""
        candidate = self.request.headers.get(CSRF_HEADER)
        if not (self.session_token and self.rt.signer.matches("csrf", self.session_token,
                                                              candidate)):
            raise CsrfError()

    # --- sessions ---------------------------------------------------------------------

    def start_session(self, token: str) -> None:
        self._set_session = token

    def end_session(self) -> None:
        self._clear_session = True

    # --- responses --------------------------------------------------------------------

    def path(self, name: str, **params: Any) -> str:
        return str(self.request.url_for(name, **{k: str(v) for k, v in params.items()}).path)

    def public_link(self, name: str, **params: Any) -> str:
        """An absolute link to hand to someone else (an invite): built from the configured
        SCHOUDERS_PUBLIC_URL, never from the request's Host header (which a client or a proxy
        chooses). Without that setting only a request to a loopback address (one machine) gives
        a full link; otherwise the path, for the sender to put after the public address."""
        path = self.path(name, **params)
        public = self.rt.config.public_url
        if public:
            return public + path
        if (self.request.url.hostname or "") in LOOPBACK_HOSTS:
            return f"{self.request.url.scheme}://{self.request.url.netloc}{path}"
        return path

    def render(self, template: str, context: dict[str, Any] | None = None,
               status_code: int = 200) -> HTMLResponse:
        message_key = self.request.query_params.get("melding", "")
        values: dict[str, Any] = {
            **shell_context(self.request),
            "request": self.request,
            "viewer": self.viewer,
            "csrf_token": self.csrf_token,
            "path": self.path,
            "message": MESSAGES.get(message_key),
            "min_respondents": MIN_RESPONDENTS_FOR_SCORES,
            "min_password": MIN_PASSWORD_LENGTH,
            "errors": {},
        }
        values.update(context or {})
        html = self.rt.templates.get_template(template).render(values)
        response = HTMLResponse(html, status_code=status_code,
                                headers={"Cache-Control": "no-store", "Vary": "Cookie"})
        remember_language(self.request, response)
        return self.finish(response)

    def redirect(self, name: str, message: str | None = None, **params: Any) -> Response:
        target = self.path(name, **params)
        if message:
            target += "?" + urlencode({"melding": message})
        return self.finish(RedirectResponse(target, status_code=303))

    def redirect_to(self, target: str) -> Response:
        return self.finish(RedirectResponse(target, status_code=303))

    def finish(self, response: R) -> R:
        secure = self.rt.config.cookie_secure or self.request.url.scheme == "https"
        signer = self.rt.signer
        if self._new_anon:
            response.set_cookie(ANON_COOKIE, signer.sign("anon", self.anon_token), httponly=True,
                                samesite="lax", secure=secure, path="/")
        if self._set_session:
            response.set_cookie(SESSION_COOKIE, signer.sign("session", self._set_session),
                                max_age=SESSION_HOURS * 3600, httponly=True, samesite="lax",
                                secure=secure, path="/")
        elif self._clear_session:
            response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax",
                                   secure=secure)
        return response
