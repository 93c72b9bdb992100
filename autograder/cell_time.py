"""A cell's time limit counted in the cell's own time, so a busy machine costs no points.

`--timeout` is there to stop learner code that runs too long (an endless loop), not code the
machine was too busy to run: on a loaded machine a correct cell can take several times its
usual wall time while it waits for a processor. A cell's *own time* is the wall time since it
started less the time its process spent waiting for a processor (runnable, with another
process on it: Linux's /proc/PID/schedstat, its second field). A loop that spins counts in
full; a cell that sleeps or waits for a file counts in full too, as under stock nbgrader's
wall-clock limit on an idle machine; only the wait for a processor is left out. Where the
kernel does not say (not Linux), own time is wall time, as before.

Whatever the own time, a cell is also stopped once its wall time reaches `WALL_FACTOR` times
the limit, so that no load, however heavy, holds a run forever.

Both engines count this way: the judge for its sandbox process (`autograder.judge`), the
kernel engine for its kernel (`grading.engines.RestartingExecute`).
"""

from __future__ import annotations

import time

WALL_FACTOR = 10


def run_delay(pid):
    """Seconds process `pid` (its main thread) has waited for a processor since it started;
    None where the kernel does not say (or the process has ended)."""
    try:
        with open(f"/proc/{pid}/schedstat") as fh:
            return int(fh.read().split()[1]) / 1e9
    except (OSError, ValueError, IndexError):
        return None


class CellClock:
    """The time one cell (or one call of a learner's function) of process `pid` has taken,
    against its limit of `limit` seconds of own time. A deadline for `wire.read_exact`: it
    asks `left()` how much longer to wait."""

    def __init__(self, pid, limit, wall_factor=WALL_FACTOR, _now=time.monotonic, _delay=run_delay):
        self.pid, self.limit, self._now, self._delay = pid, limit, _now, _delay
        self.begin = _now()
        self.hard = self.begin + limit * wall_factor
        self.delay_begin = self.delay_seen = _delay(pid)

    def waited(self):
        """Seconds the process has waited for a processor since the clock started."""
        if self.delay_begin is None:
            return 0.0
        now = self._delay(self.pid)
        if now is not None:  # an ended process keeps what was last seen
            self.delay_seen = now
        return max(0.0, self.delay_seen - self.delay_begin)

    def own(self):
        """Seconds of the cell's own time: wall time less the wait for a processor."""
        return max(0.0, self._now() - self.begin - self.waited())

    def left(self):
        """Wall seconds to wait before the limit can have been reached (0 or less: it has).
        Own time grows at most as fast as wall time, so waiting this long never overshoots."""
        return min(self.limit - self.own(), self.hard - self._now())
