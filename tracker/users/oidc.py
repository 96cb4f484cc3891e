"""Single sign-on with OpenID Connect through Authlib's Flask client, which checks the state, the nonce, and the
ID token's signature (the provider's published keys), issuer, audience and lifetime. Configured when
TRACKER_OIDC_ISSUER is set; the provider's endpoints come from its discovery document."""

from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app

EXTENSION = "tracker.oidc"
SCOPE = "openid email profile"


def init_app(app: Flask) -> None:
    if not app.config["OIDC_ISSUER"]:
        return
    oauth = OAuth(app)
    app.extensions[EXTENSION] = oauth.register(
        "sso",
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=app.config["OIDC_ISSUER"].rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={"scope": SCOPE},
    )


def provider():
    """The configured provider's client, or None when single sign-on is off."""
    return current_app.extensions.get(EXTENSION)


def claims_options() -> dict:
    """The issuer must be the configured one, not just whatever the discovery document names."""
    return {"iss": {"essential": True, "values": [current_app.config["OIDC_ISSUER"]]}}


def logout_url(id_token: str | None, post_logout_redirect_uri: str) -> str | None:
    """Where to end the provider's session too (RP-initiated logout), if the provider offers it."""
    client = provider()
    if client is None or not client.load_server_metadata().get("end_session_endpoint"):
        return None
    return client.create_logout_url(post_logout_redirect_uri=post_logout_redirect_uri, id_token_hint=id_token,
                                    client_id=client.client_id)["url"]
