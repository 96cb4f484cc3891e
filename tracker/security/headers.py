"""The headers every answer carries: what the browser may load, and what caches may keep."""

from urllib.parse import urlsplit

from flask import Flask, current_app, request
from flask_login import current_user


def content_security_policy(app: Flask) -> str:
    # Logging out of single sign-on is a form whose answer redirects to the provider: form-action must allow it.
    issuer = urlsplit(app.config["OIDC_ISSUER"])
    provider = f" {issuer.scheme}://{issuer.netloc}" if issuer.netloc else ""
    return ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            f"frame-ancestors 'none'; form-action 'self'{provider}; base-uri 'self'")


def security_headers(response):
    response.headers.setdefault("Content-Security-Policy", current_app.config["CONTENT_SECURITY_POLICY"])
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.vary.add("HX-Request")  # a page and its fragment share an address: caches must tell them apart
    if current_app.config["HSTS"]:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if current_user.is_authenticated and request.endpoint != "static":
        # What a logged-in user saw stays out of shared and browser caches (Back after logout shows nothing).
        response.headers["Cache-Control"] = "no-store"
    return response
