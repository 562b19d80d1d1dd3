"""Campaign mode: one budget for a long run, a time (``10m``) or an examples count, spread over
the property items this machine runs.

The items are known only once pytest has chosen them (``-k``, ``--lf``, a pytest-split group)
and the workers only on the worker itself, so the plugin plans again when collection is over:
``plan_shares`` gives every item its share (``FuzzSettings.campaign_share``). Shares depend
on the item count, the worker count and the budget alone, never on randomness or timing, so
every xdist worker plans the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from asgicheck.fuzzing._settings import FuzzSettings

__all__ = ["Budgeted", "plan_shares"]


class Budgeted(Protocol):
    """What a campaign sets on an item (``PropertyScenario`` has both)."""

    examples: int
    time_budget: float


def plan_shares(items: Sequence[Budgeted], fuzz: FuzzSettings, workers: int = 1) -> None:
    """Give each of ``items`` its share of the campaign (nothing when ``fuzz`` is no
    campaign): ``workers`` processes run them side by side."""
    if not fuzz.campaign or not items:
        return
    examples, seconds = fuzz.campaign_share(len(items), workers)
    for item in items:
        item.examples, item.time_budget = examples, seconds
