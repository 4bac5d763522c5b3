"""What a phone-width page must hold (390 × 844): the navigation folded behind 菜单, nothing
wider than the screen, and every score box big enough to tap and not covered by anything."""

from __future__ import annotations

from typing import Any

from tests.e2e.people import PHONE, Person

# The smallest target a thumb hits reliably (Apple HIG / WCAG 2.5.5: 44 CSS px).
TOUCH = 44


def page_fits(person: Person) -> None:
    width = person.page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{person.label}: the page is {width}px wide on a {PHONE['width']}px screen"


def nav_folded(person: Person) -> None:
    """The main navigation is hidden behind the 菜单 button, and the button opens it."""
    nav, toggle = person.page.locator("#mainnav"), person.page.locator(".nav-toggle")
    assert toggle.is_visible() and not nav.is_visible(), f"{person.label}: navigation not folded at phone width"
    header = person.page.locator("header.topbar").bounding_box()
    assert header is not None and header["height"] < PHONE["height"] / 8, f"{person.label}: header {header}"
    toggle.click()
    assert nav.is_visible() and toggle.get_attribute("aria-expanded") == "true"
    toggle.click()
    assert not nav.is_visible()


def _uncovered(page: Any, box: Any) -> bool:
    """The element found at the box's centre is the box itself: nothing lies on top of it."""
    return bool(box.evaluate(
        "el => { const r = el.getBoundingClientRect();"
        " const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);"
        " return hit === el; }"))


def score_boxes_usable(person: Person) -> int:
    """Every score box on the sheet: visible, on screen, at least 44 px tall and wide, uncovered,
    asking for the decimal keypad. Returns how many were checked."""
    boxes = person.page.locator("#scoresheet input.score")
    count = boxes.count()
    assert count > 0
    for i in range(count):
        box = boxes.nth(i)
        box.scroll_into_view_if_needed()
        rect = box.bounding_box()
        label = box.get_attribute("aria-label")
        assert box.is_visible() and rect is not None, f"{label}: not visible"
        assert rect["height"] >= TOUCH and rect["width"] >= TOUCH, f"{label}: {rect} is too small to tap"
        assert rect["x"] >= 0 and rect["x"] + rect["width"] <= PHONE["width"], f"{label}: off screen {rect}"
        assert box.get_attribute("inputmode") == "decimal", f"{label}: no numeric keypad"
        assert _uncovered(person.page, box), f"{label}: covered by another element"
    names = person.page.locator("#scoresheet td.criterion-name")
    for i in range(names.count()):
        rect = names.nth(i).bounding_box()
        # A criterion name set one character per line is taller than it is wide.
        assert rect is not None and rect["width"] > PHONE["width"] / 2, f"criterion name squeezed: {rect}"
    return count
