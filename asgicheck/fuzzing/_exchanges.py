"""Where a property item's exchanges run: in the app's thread, together with Hypothesis's run.

Handing each exchange to the app's thread and waiting for it costs about twice what a trivial
exchange does, so an item's whole Hypothesis run is made resident there (``driver.resident``):
its exchanges go through ``Context.exchange`` as before (the lifespan session, the stall
confirmation), each under its own hard deadline, with no hand-off. When one wedges the loop (an
app that blocks it or spins), the driver gives up on that thread as it always does, and the run
starts again in the caller's thread, the old way, with the example that wedged it first; that
example's exchanges up to the wedge are answered from what was recorded, so the wedge costs no
second deadline.
"""

from __future__ import annotations

from collections.abc import Callable

import hypothesis

from asgicheck.driver import Script, Stranded, resident
from asgicheck.fuzzing._examples import Example
from asgicheck.scenarios import Context
from asgicheck.transcript import Transcript

__all__ = ["Exchanges"]

Exchange = Callable[[Script], Transcript]


class Exchanges:
    """The exchanges of one item: ``for_example(example)`` gives what its property calls."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.current: Example | None = None
        self.record: list[Transcript] = []  # the current example's exchanges so far
        self.answers: dict[Example, list[Transcript]] = {}  # what a stranded example got

    def resumes(self, example: Example) -> bool:
        """Whether ``example`` was cut short by a wedge: its check goes on, whatever the time
        budget says (its first exchanges are already paid for)."""
        return example in self.answers

    def for_example(self, example: Example) -> Exchange:
        record: list[Transcript] = []
        self.current = example
        self.record = record
        answers = self.answers.pop(example, None)
        run = self.ctx.exchange

        def exchange(script: Script) -> Transcript:
            if answers:
                return answers.pop(0)
            transcript = run(script)
            record.append(transcript)
            return transcript

        return exchange

    def run(self, test: Callable[[], None]) -> None:
        """Run the ``@given`` test: resident where the exchanges go (the lifespan session's
        loop, or the shared one), else in this thread."""
        server = self.ctx.server()
        runner = server.runner if server is not None and not server.runner.retired else None
        try:
            resident(test, runner)
        except Stranded as stranded:
            example = self.current
            if example is not None and stranded.transcripts:
                self.answers[example] = [*self.record, *stranded.transcripts]
                hypothesis.example(example)(test)  # tried first
            test()
