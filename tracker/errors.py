"""Domain errors raised by services and turned into responses by the views."""


class ValidationError(Exception):
    """Input that cannot be saved; `errors` maps a field name to a Swedish message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


class NotAllowed(Exception):
    """The user may not do this (checked in a service, where the rows are known); the message, in Swedish, says
    what they may do. The views answer 403."""


class ChangedSinceSeen(Exception):
    """A decision posted from a page that no longer shows what is there: someone changed it since. `message` says
    what changed, in Swedish; `link` (an endpoint and its arguments) leads to where the user sees the change. The
    views answer 409 and nothing is written."""

    def __init__(self, message: str, link: tuple[str, dict], link_text: str):
        super().__init__(message)
        self.message = message
        self.link = link
        self.link_text = link_text
