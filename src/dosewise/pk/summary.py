"""Population summaries computed block by block, while the simulation streams.

For each block of output rows (``B`` times × ``N`` subjects) a worker thread

* converts the block to float32 and sorts every row (NumPy's SIMD sort; the GIL is released, so
  two blocks are sorted at once on two cores), then reads the exact order statistics for the
  percentile bands (NumPy's default "linear" definition) and, with a binary search in each sorted
  row, the number of subjects above each reference concentration;
* for two-compartment models, the running maximum per subject and its time (Cmax/Tmax on the
  output grid);
* optionally, each subject's time above each reference concentration.

Sorting float32 values gives the exact order statistics of the float32-rounded concentrations
(rounding is monotone), i.e. bands within 6e-8 relative of the float64 ones. Full sorting beat
``np.partition`` with the ten order statistics the five bands need (``np.partition`` with several
``kth`` falls back to a scalar introselect): 0.12 s against 0.48 s for 10,000 × 2,017 values here.

References
----------
.. [1] Hyndman RJ, Fan Y. Sample quantiles in statistical packages. *Am Stat* 1996;50:361-365
   (definition 7, NumPy's default "linear" percentile).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dosewise.pk.models import FloatArray

DEFAULT_PERCENTILES: tuple[float, ...] = (5.0, 25.0, 50.0, 75.0, 95.0)


def grid_weights(times_h: FloatArray) -> FloatArray:
    """Trapezoid weights: the time each output point stands for (half of each adjacent step)."""
    w = np.zeros_like(times_h)
    if times_h.size > 1:
        d = np.diff(times_h)
        w[:-1] += d / 2
        w[1:] += d / 2
    return w


@dataclass
class BlockStats:
    """What one worker returns for a block (merged in order on the calling thread)."""

    row: int
    block_max: FloatArray | None
    block_argmax: npt.NDArray[np.intp] | None
    time_above: FloatArray | None


class StreamingSummary:
    """Percentile bands and exceedance over time, and per-subject grid statistics.

    Parameters
    ----------
    times_h
        Output times.
    n_subjects
        Subjects per row.
    thresholds_mg_per_l
        Reference concentrations for the probability of exceeding them.
    percentiles
        Percentiles of the bands (0-100).
    grid_peaks
        Track each subject's maximum and its time on the grid.
    per_subject_time_above
        Accumulate each subject's time above each threshold (one pass per threshold).
    """

    def __init__(
        self,
        times_h: FloatArray,
        n_subjects: int,
        thresholds_mg_per_l: Sequence[float] = (),
        *,
        percentiles: Sequence[float] = DEFAULT_PERCENTILES,
        grid_peaks: bool = False,
        per_subject_time_above: bool = False,
    ) -> None:
        if n_subjects < 1:
            raise ValueError("at least one subject")
        p = np.asarray(percentiles, dtype=float)
        if p.ndim != 1 or np.any((p < 0) | (p > 100)):
            raise ValueError("percentiles must be between 0 and 100")
        self.times = times_h
        self.n = n_subjects
        self.percentiles = p
        h = (n_subjects - 1) * p / 100.0
        self._lo = np.floor(h).astype(np.intp)
        self._hi = np.minimum(self._lo + 1, n_subjects - 1)
        self._frac = h - self._lo
        self.thresholds = np.asarray(thresholds_mg_per_l, dtype=float)
        self._thr32 = self.thresholds.astype(np.float32)
        t = times_h.size
        self.bands = np.empty((t, p.size))
        self.above_count = np.zeros((t, self.thresholds.size), dtype=np.int64)
        self.grid_peaks = grid_peaks
        self.per_subject_time_above = per_subject_time_above and self.thresholds.size > 0
        self._weights = grid_weights(times_h)
        self.cmax = np.zeros(n_subjects) if grid_peaks else None
        self.tmax_h = np.zeros(n_subjects) if grid_peaks else None
        self.time_above_h = (
            np.zeros((self.thresholds.size, n_subjects)) if self.per_subject_time_above else None
        )
        self._local = threading.local()

    def _scratch(self, rows: int) -> npt.NDArray[np.float32]:
        """A float32 buffer owned by the calling thread (reused: no page faults per block)."""
        buf: npt.NDArray[np.float32] | None = getattr(self._local, "buf", None)
        if buf is None or buf.shape[0] < rows:
            buf = np.empty((rows, self.n), dtype=np.float32)
            self._local.buf = buf
        return buf[:rows]

    # ---- worker side ----------------------------------------------------------------------

    def process(self, row: int, block: FloatArray) -> BlockStats:
        """Summarise rows ``row .. row + len(block)`` (thread-safe: writes disjoint rows only)."""
        count = block.shape[0]
        bmax = bargmax = None
        if self.grid_peaks:
            bmax = block.max(axis=0)
            bargmax = np.argmax(block, axis=0)
        above = None
        if self.per_subject_time_above:
            w = self._weights[row : row + count]
            above = np.empty((self.thresholds.size, self.n))
            for i, thr in enumerate(self.thresholds):
                above[i] = w @ (block > thr)
        s = self._scratch(count)
        np.copyto(s, block, casting="same_kind")
        s.sort(axis=1)
        lo = s[:, self._lo].astype(np.float64)
        hi = s[:, self._hi].astype(np.float64)
        self.bands[row : row + count] = lo + self._frac * (hi - lo)
        if self.thresholds.size:
            n = self.n
            out = self.above_count
            thr = self._thr32
            for r in range(count):
                out[row + r] = n - np.searchsorted(s[r], thr, side="right")
        return BlockStats(row, bmax, bargmax, above)

    # ---- calling thread -------------------------------------------------------------------

    def merge(self, stats: object) -> None:
        """Fold a block's per-subject statistics in (call in block order)."""
        assert isinstance(stats, BlockStats)
        if stats.block_max is not None and self.cmax is not None and self.tmax_h is not None:
            assert stats.block_argmax is not None
            better = stats.block_max > self.cmax
            np.copyto(self.cmax, stats.block_max, where=better)
            np.copyto(self.tmax_h, self.times[stats.row + stats.block_argmax], where=better)
        if stats.time_above is not None and self.time_above_h is not None:
            self.time_above_h += stats.time_above

    # ---- results --------------------------------------------------------------------------

    @property
    def probability_above(self) -> FloatArray:
        """``P(C > threshold)`` at each time, shape ``(T, thresholds)``."""
        return self.above_count / float(self.n)


def quantiles(
    values: npt.ArrayLike, percentiles: Sequence[float] = DEFAULT_PERCENTILES
) -> FloatArray:
    """Percentiles of per-subject values (NumPy "linear"), ignoring NaN."""
    arr = np.asarray(values, dtype=float)
    return np.asarray(np.nanpercentile(arr, list(percentiles)), dtype=float)


def crossing_times(
    times_h: FloatArray, series: FloatArray, threshold: float, *, after_h: float | None = None
) -> tuple[float | None, float | None]:
    """First time ``series`` exceeds ``threshold`` and the time it falls back below for good.

    Returns ``(first_above, last_fall_below)``; ``None`` for a crossing that does not happen in the
    window (``last_fall_below`` is ``None`` when still above at the end). ``after_h`` restricts the
    search to later times. Grid resolution.
    """
    mask = series > threshold
    if after_h is not None:
        mask &= times_h >= after_h
    idx = np.flatnonzero(mask)
    if idx.size == 0:
        return None, None
    first = float(times_h[idx[0]])
    last = int(idx[-1])
    below = float(times_h[last + 1]) if last + 1 < times_h.size else None
    return first, below
