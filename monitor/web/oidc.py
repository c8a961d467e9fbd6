"""Sign-in with OpenID Connect: the authorization code flow with PKCE, through Authlib.

The provider is found by discovery (`{issuer}/.well-known/openid-configuration`, whose
`issuer` must be the configured one). Authlib keeps the `state`, `nonce` and PKCE verifier in
the session cookie between the redirect and the callback and checks them there, and checks the
ID token: its signature against the provider's published keys (JWKS), issuer, audience,
expiry and nonce. Sign-out ends the provider's session too (RP-initiated logout). No token,
code or secret is ever logged: failures are logged by kind only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx2
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.starlette_client import OAuth
from joserfc.errors import JoseError
from starlette.requests import Request
from starlette.responses import RedirectResponse

log = logging.getLogger(__name__)
SCOPE = "openid email"
TIMEOUT_SECONDS = 10.0


class SignInError(Exception):
    """A sign-in that cannot go on: `reason` is for the person, `status` for the response."""

    def __init__(self, reason: str, status: int = 400):
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in, from the verified ID token."""

    subject: str
    email: str | None
    email_verified: bool
    roles: list[str]
    id_token: str


UNREACHABLE = "The sign-in service could not be reached. Try again in a few minutes."
EXPIRED = "The sign-in had expired or was already used. Start again."
NOT_CONFIRMED = "The sign-in service did not confirm who you are. Start again."
CANCELLED = "The sign-in was cancelled, or the sign-in service refused it."


class Provider:
    """One OpenID provider, for one client registration."""

    def __init__(self, *, issuer: str, client_id: str, client_secret: str, roles_claim: str = ""):
        self.issuer = issuer.rstrip("/")
        self.roles_claim = roles_claim
        self.host = urlsplit(issuer).netloc
        self.client = OAuth().register(
            "oidc",
            client_id=client_id,
            client_secret=client_secret,
            server_metadata_url=f"{self.issuer}/.well-known/openid-configuration",
            client_kwargs={"scope": SCOPE, "code_challenge_method": "S256", "timeout": TIMEOUT_SECONDS},
        )

    async def metadata(self) -> dict:
        """The provider's discovery document (fetched once, kept), its issuer checked."""
        try:
            metadata = await self.client.load_server_metadata()
        except (httpx2.HTTPError, ValueError) as exc:
            log.error("sign-in: discovery at %s failed (%s)", self.host, type(exc).__name__)
            raise SignInError(UNREACHABLE, 502) from None
        if str(metadata.get("issuer", "")).rstrip("/") != self.issuer:
            self.client.server_metadata = {}
            log.error("sign-in: the discovery document at %s names another issuer", self.host)
            raise SignInError(NOT_CONFIRMED, 502)
        return metadata

    async def redirect(self, request: Request, redirect_uri: str) -> RedirectResponse:
        """The redirect to the provider's sign-in page (state, nonce and PKCE kept in the session)."""
        await self.metadata()
        try:
            return await self.client.authorize_redirect(request, redirect_uri)
        except httpx2.HTTPError as exc:
            log.error("sign-in: %s could not be reached (%s)", self.host, type(exc).__name__)
            raise SignInError(UNREACHABLE, 502) from None

    async def identity(self, request: Request) -> Identity:
        """The verified identity the provider's callback carries, or SignInError."""
        await self.metadata()
        if request.query_params.get("error"):
            log.info("sign-in: the provider returned %s", request.query_params["error"][:64])
            raise SignInError(CANCELLED, 403 if request.query_params["error"] == "access_denied" else 400)
        try:
            token = await self.client.authorize_access_token(request)
        except MismatchingStateError:
            log.info("sign-in: a callback with no matching state was refused")
            raise SignInError(EXPIRED) from None
        except OAuthError as exc:
            log.warning("sign-in: the provider refused the code (%s)", (exc.error or "error")[:64])
            raise SignInError(NOT_CONFIRMED) from None
        except JoseError as exc:
            log.warning("sign-in: the ID token was refused (%s)", type(exc).__name__)
            raise SignInError(NOT_CONFIRMED) from None
        except httpx2.HTTPError as exc:
            log.error("sign-in: %s could not be reached (%s)", self.host, type(exc).__name__)
            raise SignInError(UNREACHABLE, 502) from None
        claims = token.get("userinfo")
        if not claims or not isinstance(claims.get("sub"), str) or not claims["sub"]:
            log.warning("sign-in: the provider's answer had no ID token or no subject")
            raise SignInError(NOT_CONFIRMED)
        email = claims.get("email")
        return Identity(
            subject=claims["sub"],
            email=email if isinstance(email, str) and email else None,
            email_verified=claims.get("email_verified") in (True, "true"),
            roles=self._roles(claims),
            id_token=token["id_token"],
        )

    def _roles(self, claims: dict) -> list[str]:
        if not self.roles_claim:
            return []
        value = claims.get(self.roles_claim, [])
        if isinstance(value, str):
            value = value.replace(",", " ").split()
        if not isinstance(value, list):
            return []
        return [v for v in value if isinstance(v, str)]

    async def logout_url(self, *, id_token: str | None, post_logout_redirect_uri: str) -> str | None:
        """Where to send the browser to end the provider's session too (None: the provider has
        no end-session endpoint, or cannot be reached)."""
        try:
            metadata = await self.metadata()
        except SignInError:
            return None
        if not metadata.get("end_session_endpoint"):
            return None
        result = await self.client.create_logout_url(
            post_logout_redirect_uri=post_logout_redirect_uri,
            id_token_hint=id_token,
            client_id=self.client.client_id,
        )
        return result["url"]
