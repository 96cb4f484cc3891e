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


def violations(page) -> list[str]:
    """What these tests refuse: the serious and the critical, and two landmarks (two tables' scroll boxes, two
    menus) a screen reader cannot tell apart by their names."""
    return serious_violations(page, also=("landmark-unique",))


PHONE = {"width": 390, "height": 844}
STICKING_OUT = """() => [...document.querySelectorAll("body *")]
    .filter(e => e.getBoundingClientRect().right > innerWidth + 0.5
                 && ![...e.children].some(c => c.getBoundingClientRect().right > innerWidth + 0.5))
    .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.id ? "#" + e.id : "")
                          + [...e.classList].map(c => "." + c).join(""))"""
