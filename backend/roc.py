"""ROC curves for the page: cleaned of non-finite points and thinned to a few hundred points.

A test set of 20,000 rows gives ROC curves with thousands of points; the chart needs at most
`MAX_ROC_POINTS`. Thinning keeps the curve's shape with a greedy Ramer-Douglas-Peucker
refinement: start from the first and last point and repeatedly add the point farthest from the
polyline kept so far, until the budget is spent or every dropped point lies on the polyline.
The corners of the step-shaped curve are therefore kept first and the chart looks the same.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Mapping, Sequence

import numpy as np

from backend.run_fields import finite
from backend.schemas import RocCurve

MAX_ROC_POINTS = 200


def downsample_curve(
    xs: Sequence[float], ys: Sequence[float], max_points: int = MAX_ROC_POINTS
) -> tuple[list[float], list[float]]:
    """At most `max_points` points of the polyline: its ends and the points where it bends."""
    if max_points < 2:
        raise ValueError(f"max_points must be at least 2, got {max_points}")
    count = len(xs)
    if count <= max_points:
        return list(xs), list(ys)
    points = np.column_stack([np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)])
    kept = {0, count - 1}
    heap: list[tuple[float, int, int, int]] = []

    def push_farthest(start: int, end: int) -> None:
        if end - start < 2:
            return
        inner = points[start + 1 : end] - points[start]
        dx, dy = points[end] - points[start]
        length = math.hypot(dx, dy)
        if length == 0.0:
            distances = np.hypot(inner[:, 0], inner[:, 1])
        else:
            distances = np.abs(dy * inner[:, 0] - dx * inner[:, 1]) / length
        farthest = int(np.argmax(distances))
        if distances[farthest] > 0.0:
            heapq.heappush(heap, (-float(distances[farthest]), start, end, start + 1 + farthest))

    push_farthest(0, count - 1)
    while heap and len(kept) < max_points:
        _, start, end, index = heapq.heappop(heap)
        kept.add(index)
        push_farthest(start, index)
        push_farthest(index, end)
    order = sorted(kept)
    return [float(points[i, 0]) for i in order], [float(points[i, 1]) for i in order]


def curve_from_artifact(content: object, max_points: int = MAX_ROC_POINTS) -> RocCurve | None:
    """A `roc_curve_*.json` as a chart-ready curve; None when it holds no usable curve.

    Points with a missing or non-finite coordinate (older writers left `NaN`/`Infinity`) are
    dropped; a non-finite AUC becomes null.
    """
    if not isinstance(content, Mapping):
        return None
    fpr, tpr = content.get("fpr"), content.get("tpr")
    if not isinstance(fpr, list) or not isinstance(tpr, list):
        return None
    xs: list[float] = []
    ys: list[float] = []
    for raw_x, raw_y in zip(fpr, tpr, strict=False):
        x, y = finite(raw_x), finite(raw_y)
        if x is not None and y is not None:
            xs.append(x)
            ys.append(y)
    if len(xs) < 2:
        return None
    xs, ys = downsample_curve(xs, ys, max_points)
    return RocCurve(fpr=xs, tpr=ys, auc=finite(content.get("auc")))
