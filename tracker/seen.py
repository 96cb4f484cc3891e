"""What a page showed, as a short fingerprint its form carries: a decision is taken on what the user saw.

Each domain says what its page shows (a plan's structure, a report's answers, a round's progress) and hashes it
with `digest`; the page puts it in the form, and the decision compares it with the same digest taken again.
"""

import hashlib
import json


def digest(content) -> str:
    """SHA-256 of `content` (plain data) in one canonical form: equal content, equal digest."""
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
