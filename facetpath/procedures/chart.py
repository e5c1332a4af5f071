"""The pain curve: a small matplotlib SVG of the diary, the threshold line and the agent's window."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure

from facetpath.clinical.agents import AGENTS
from facetpath.clinical.relief import score_at_relief

matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text: smaller, searchable, readable
matplotlib.rcParams["svg.hashsalt"] = "facetpath"  # stable ids, so the same diary gives the same file

# Answers that did not come at their diary time, each with its own marker shape and legend words (never
# colour alone): on the curve at their true time, never moved to the time they were asked for.
MARKERS = {
    "early": ("^", "answered early"),
    "late": ("v", "answered late"),
    "extra": ("D", "extra answer (no diary time)"),
}


def pain_curve_svg(
    points: list[tuple[int, int]],
    pre_pain: int | None,
    scale_max: int,
    threshold_percent: float,
    agent: str | None,
    marks: dict[int, str] | None = None,
) -> str:
    """SVG text: pain (y) against hours since the procedure (x), each point at its true time.

    The threshold line is drawn where pain would be if relief were exactly the policy's positive threshold,
    so points on or under the line reach it. The shaded band is the agent's expected relief window.
    `marks` (minutes → early, late or extra) draws those points with their own marker and legend entry.
    """
    figure = Figure(figsize=(6.4, 3.6), dpi=100)
    axes = figure.add_subplot()
    hours = [minutes / 60 for minutes, _ in points]
    window = AGENTS[agent].expected_hours if agent in AGENTS else None
    if window and window[1] > 0:
        axes.axvspan(window[0], window[1], color="#cfe3f7", label=f"expected {agent} window")
    if pre_pain is not None:
        axes.axhline(pre_pain, color="#888888", linestyle=":", linewidth=1, label=f"pain before: {pre_pain}")
        level = score_at_relief(pre_pain, threshold_percent)
        axes.axhline(
            level, color="#b3261e", linestyle="--", linewidth=1.2, label=f"{threshold_percent:g} % relief"
        )
    if points:
        axes.plot(
            hours, [pain for _, pain in points], marker="o", color="#1d4f91", linewidth=2, label="diary"
        )
    for kind, (shape, words) in MARKERS.items():
        marked = [(minutes / 60, pain) for minutes, pain in points if (marks or {}).get(minutes) == kind]
        if marked:
            axes.scatter(
                [h for h, _ in marked], [p for _, p in marked], marker=shape, s=90, zorder=3,
                facecolor="white", edgecolor="#b3261e", linewidth=1.8, label=words,
            )  # fmt: skip
    axes.set_xlabel("hours after the procedure")
    axes.set_ylabel("pain score")
    axes.set_ylim(0, scale_max)
    # The axis spans the agent's window even when every answer came in its first minutes: the gap shows.
    right = max([*hours, window[1] if window else 0, 4])
    axes.set_xlim(0, right * 1.05)
    axes.grid(True, color="#eeeeee")
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=3, fontsize=8, frameon=False)
    figure.tight_layout()
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg")
    return buffer.getvalue()
