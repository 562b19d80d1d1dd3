"""How the property items share a run's budget. In campaign mode that is the one budget of a
long run, a time (``10m``) or an examples count, spread over the property items this machine
runs; otherwise it is the run's time (``FuzzSettings.max_total_time``), so that a slow app's
fuzzing ends in about that time whatever the number of items.

The items are known only once pytest has chosen them (``-k``, ``--lf``, a pytest-split group)
and the workers only on the worker itself, so the plugin plans again when collection is over:
``plan_shares`` gives every item its share (``FuzzSettings.campaign_share`` or
``time_share``). Shares depend on the item count, the worker count and the budget alone, never
on randomness or timing, so every xdist worker plans the same.
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
    """Give each of ``items`` its share of the campaign, or outside one its share of the run's
    time (``FuzzSettings.time_share``; its examples stay as built): ``workers`` processes run
    them side by side."""
    if not items:
        return
    if not fuzz.campaign:
        seconds = fuzz.time_share(len(items), workers)
        for item in items:
            item.time_budget = seconds
        return
    examples, seconds = fuzz.campaign_share(len(items), workers)
    for item in items:
        item.examples, item.time_budget = examples, seconds
