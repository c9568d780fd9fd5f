"""The status chart a supervisor gets with ``/tinhhinh``: one horizontal stacked bar per group of
units (each unit directly below the supervisor that has reporting units, or the whole area), split
into submitted, waiting for approval, draft and not started, with Vietnamese labels. matplotlib
with the Agg backend, imported only when a chart is drawn. Blocking: call it in a thread."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping, Sequence

STATES = (  # state, legend, colour
    ("submitted", "Đã nộp", "#2e7d32"),
    ("pending", "Chờ lãnh đạo duyệt", "#f9a825"),
    ("draft", "Đang nhập", "#1e88e5"),
    ("not_started", "Chưa bắt đầu", "#bdbdbd"),
)


def draw_status(groups: Sequence[tuple[str, Mapping[str, int]]], title: str, path: Path) -> Path:
    """Write a PNG of ``groups`` (name, {state: number of units}) to ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    names = [name for name, _ in groups][::-1]
    counts = [dict(c) for _, c in groups][::-1]
    height = 1.6 + 0.45 * max(len(groups), 1)
    fig, ax = plt.subplots(figsize=(8, min(height, 40)), dpi=110)
    try:
        left = [0] * len(names)
        for state, legend, colour in STATES:
            widths = [c.get(state, 0) for c in counts]
            bars = ax.barh(names, widths, left=left, color=colour, label=legend)
            for bar, width in zip(bars, widths):
                if width:
                    ax.text(bar.get_x() + bar.get_width() / 2, bar.get_y() + bar.get_height() / 2, str(width),
                            ha="center", va="center", fontsize=8, color="white" if state != "not_started" else "black")
            left = [a + b for a, b in zip(left, widths)]
        ax.set_xlabel("Số đơn vị")
        ax.set_title(title, fontsize=11, pad=22)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=4, fontsize=8, frameon=False)
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, format="png", bbox_inches="tight")
    finally:
        plt.close(fig)
    return path
