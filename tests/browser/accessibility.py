"""axe-core on every page the browser tests visit, failing on serious or critical problems.

`watch(context)` injects the vendored axe-core (tests/browser/vendor/axe-core) into every
document of a browser context before the page's own scripts run, and runs it once the
document has loaded: the result is printed to the console as one `AXE-RESULT` line, which
the context's console listener collects. Whatever the test does next (a click, another
page), each page it loaded is checked. `problems()` lists the serious and critical
violations found, with the page and the elements; the `new_context` fixture asserts there
are none when the test ends, after waiting for the last page's check.
"""

import contextlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
FAILING_IMPACTS = {"serious", "critical"}
MARK = "AXE-RESULT "

# Runs in every document once it has loaded; axe is already there (injected first).
_RUN_ON_LOAD = """
(() => {
  const run = () => {
    if (typeof axe === "undefined" || window.top !== window) { return; }
    if (!location.protocol.startsWith("http")) { window.__axeChecked = true; return; }
    window.__axeChecked = false;
    axe.run(document, {resultTypes: ["violations"]}).then((results) => {
      const found = results.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => ({id: v.id, impact: v.impact, help: v.help,
                      targets: v.nodes.slice(0, 5).map((n) => n.target.join(" "))}));
      console.log("%MARK%" + JSON.stringify({url: location.href, violations: found}));
      window.__axeChecked = true;
    });
  };
  if (document.readyState === "complete") { run(); }
  else { window.addEventListener("load", run, {once: true}); }
})();
""".replace("%MARK%", MARK)


@dataclass
class Checked:
    """What axe found on the pages of one browser context."""

    pages: list[str] = field(default_factory=list)
    violations: list[tuple[str, dict]] = field(default_factory=list)

    def take(self, message) -> None:
        text = message.text
        if not text.startswith(MARK):
            return
        result = json.loads(text[len(MARK) :])
        self.pages.append(result["url"])
        self.violations.extend((result["url"], found) for found in result["violations"])

    def problems(self) -> list[str]:
        return [
            f"{url}: {found['impact']} {found['id']} ({found['help']}) at {found['targets']}"
            for url, found in self.violations
        ]


def watch(context) -> Checked:
    """Check every page this browser context loads with axe-core; returns what it finds."""
    checked = Checked()
    context.add_init_script(path=str(AXE))
    context.add_init_script(script=_RUN_ON_LOAD)
    context.on("page", lambda page: page.on("console", checked.take))
    return checked


def finish(context) -> None:
    """Wait (briefly) for the check of the page each tab shows now."""
    for page in context.pages:
        if page.is_closed():
            continue
        # A page that never loaded (or was closed meanwhile) has nothing to check.
        with contextlib.suppress(PlaywrightError):
            page.wait_for_function("window.__axeChecked === true", timeout=5_000)
