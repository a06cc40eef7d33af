"""What the browser tests share: measure a page once it has stopped moving (issue 25).

Opening a "Show code" toggle or a dropdown fades what it holds in (myst-nb's
``collapsed-fade-in``, 0.3 s; sphinx-design's ``sd-fade-in``, 0.5 s) and turns its chevron;
focusing a button starts the theme's colour transitions. A check made meanwhile (axe's colour
contrast, a computed style, a width) reads text at partial opacity or a colour half way, and
whether it does depends on the machine's speed. Two animation frames are not enough: on this
machine the fade is still running after them. (A slower CPU stretches each frame, so two frames
then cover more of the fade: it was the quick runs that read code mid-fade.)

``settle`` waits until no finite animation or transition is running: it awaits each one's
``finished`` promise, so it takes as long as the animations do, on any machine, and no longer
(nothing is running: it returns at once). No sleep decides anything: the loop ends only when
``getAnimations()`` lists no running animation. ``getAnimations()`` brings style up to date
before it answers, so an animation that the last change starts is already in the list. An
infinite animation (a spinner) never finishes and is not waited for.
"""

from __future__ import annotations

#: ``async (scope) => count``: wait until nothing runs in ``scope`` (an element and what it holds,
#: or the whole document when called with no argument); returns how many animations it waited for.
#: A string, so that a test can also call it inside its own page script: ``await (SETTLE_JS)(el)``.
SETTLE_JS = """async (scope) => {
  const subtree = scope && scope !== document;
  const running = () => (subtree ? scope.getAnimations({subtree: true}) : document.getAnimations())
    .filter(a => a.playState === 'running' && !(a.effect && a.effect.getComputedTiming().endTime === Infinity));
  let waited = 0;
  for (let round = 0; round < 100; round++) {
    const now = running();
    if (!now.length) return waited;
    waited += now.length;
    // each round ends when they have all finished (a cancelled one rejects: that ends it too), or
    // after a second at most, so that one paused by a script is looked at again, not waited for
    await Promise.race([Promise.all(now.map(a => a.finished.catch(() => null))),
                        new Promise(r => setTimeout(r, 1000))]);
  }
  const names = running().map(a => a.animationName || a.transitionProperty || a.id || 'animation');
  throw new Error('still animating after 100 rounds: ' + [...new Set(names)].join(', '));
}"""


def settle(page_or_element) -> int:
    """Wait until nothing is animating on the page (a Playwright ``Page``) or in an element (an
    ``ElementHandle`` or ``Locator``); return how many animations and transitions it waited for."""
    return page_or_element.evaluate(SETTLE_JS)
