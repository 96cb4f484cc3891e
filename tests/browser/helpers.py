"""What the browser tests share: axe's verdict on a page."""

from axe_playwright_python.sync_playwright import Axe


def serious_violations(page, also: tuple[str, ...] = ()) -> list[str]:
    """axe's serious and critical violations, and those of the rules `also` (of a lesser impact)."""
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical") or v["id"] in also
    ]
