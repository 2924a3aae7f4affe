"""Growth curves: a figure measured in rounds at each size of the stored data, printed as a table (size -> median
and worst round) with the ratio of the largest size to the smallest, and drawn as a PNG with Pillow (already a
dependency of the registry; no plotting library for a few lines).

The goal of every curve (issue 21) is a cost independent of what is stored: the median at the largest size
within GROWTH_GOAL x the median at the smallest.
"""

import argparse
import math
import os
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw

GROWTH_GOAL = 1.25
RESULTS = Path(__file__).resolve().parent / "results"
COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf", "#7f7f7f"]


@dataclass
class Curve:
    """One figure (lower is better: a time) against the size of the stored data."""

    name: str
    unit: str
    rounds: dict[int, list[float]] = field(default_factory=dict)

    def add(self, size: int, value: float) -> None:
        self.rounds.setdefault(size, []).append(value)

    def median(self, size: int) -> float:
        return statistics.median(self.rounds[size])

    def worst(self, size: int) -> float:
        return max(self.rounds[size])

    def growth(self) -> float:
        sizes = sorted(self.rounds)
        return self.median(sizes[-1]) / self.median(sizes[0])


def sizes_option(text: str) -> list[int]:
    """`100k,316k,1M` -> [100000, 316000, 1000000]."""
    scale = {"k": 1_000, "m": 1_000_000}
    sizes = []
    for part in text.split(","):
        part = part.strip().lower()
        factor = scale.get(part[-1:], 1)
        sizes.append(int(float(part.rstrip("km")) * factor))
    return sorted(sizes)


def arguments(description: str, default_sizes: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--sizes", type=sizes_option, default=sizes_option(default_sizes), help="e.g. 100k,1M")
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds at each size (at least 5)")
    return parser


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f}"


def report(title: str, curves: list[Curve], png: Path) -> None:
    """Print each curve (size -> median and worst round, growth largest/smallest) and draw them to `png`."""
    sizes = sorted({s for curve in curves for s in curve.rounds})
    print(f"\n{title}")
    header = "".join(f"{_size_label(s):>19}" for s in sizes)
    width = max(len(curve.name) for curve in curves) + 2
    print(f"{'figure (median / worst round)':<{width}}{header}{'growth':>9}")
    for curve in curves:
        cells = "".join(
            f"{f'{curve.median(s):.1f} / {curve.worst(s):.1f} {curve.unit}':>19}" if s in curve.rounds else f"{'':>19}"
            for s in sizes
        )
        growth = curve.growth()
        verdict = "ok" if growth <= GROWTH_GOAL else "GROWS"
        print(f"{curve.name:<{width}}{cells}{growth:>7.2f}x {verdict}")
    reference = next((c for c in curves if c.name.startswith("reference")), None)
    if reference is not None:
        relative = ", ".join(f"{c.name} {c.growth() / reference.growth():.2f}x" for c in curves if c is not reference)
        print(f"growth relative to the reference measured in the same rounds: {relative}")
    print(f"(goal: growth ≤ {GROWTH_GOAL}x from the smallest size to the largest; {load_average()})")
    plot(title, curves, png)
    print(f"plot: {png}")


def plot(title: str, curves: list[Curve], png: Path, width: int = 900, height: int = 520) -> None:
    """Each curve's median relative to its median at the smallest size, against the size (log scale)."""
    left, right, top, bottom = 70, 330, 40, 60
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    sizes = sorted({s for curve in curves for s in curve.rounds})
    ratios = [curve.median(s) / curve.median(min(curve.rounds)) for curve in curves for s in curve.rounds]
    top_ratio = max(2.0, math.ceil(max(ratios) * 4) / 4)
    low, high = math.log10(sizes[0]), math.log10(sizes[-1]) if len(sizes) > 1 else math.log10(sizes[0]) + 1

    def x(size: int) -> float:
        return left + (math.log10(size) - low) / (high - low or 1) * (width - left - right)

    def y(ratio: float) -> float:
        return height - bottom - ratio / top_ratio * (height - top - bottom)

    draw.text((left, 12), title, fill="black")
    draw.line([(left, top), (left, height - bottom), (width - right, height - bottom)], fill="black")
    for step in range(int(top_ratio * 4) + 1):
        ratio = step / 4
        if step % 2 == 0:
            draw.line([(left, y(ratio)), (width - right, y(ratio))], fill="#e0e0e0")
            draw.text((left - 40, y(ratio) - 6), f"{ratio:.1f}x", fill="black")
    draw.line([(left, y(GROWTH_GOAL)), (width - right, y(GROWTH_GOAL))], fill="#ff9999")
    draw.text((width - right + 4, y(GROWTH_GOAL) - 6), f"goal {GROWTH_GOAL}x", fill="#cc0000")
    for size in sizes:
        draw.text((x(size) - 14, height - bottom + 8), _size_label(size), fill="black")
    draw.text(
        (left, height - 24), "stored size (log scale); each figure's median relative to the smallest size", fill="black"
    )
    for n, curve in enumerate(curves):
        colour = COLOURS[n % len(COLOURS)]
        base = curve.median(min(curve.rounds))
        points = [(x(s), y(curve.median(s) / base)) for s in sorted(curve.rounds)]
        if len(points) > 1:
            draw.line(points, fill=colour, width=2)
        for px, py in points:
            draw.ellipse([(px - 3, py - 3), (px + 3, py + 3)], fill=colour)
        legend_y = top + n * 18
        draw.line([(width - right + 10, legend_y + 6), (width - right + 30, legend_y + 6)], fill=colour, width=3)
        draw.text((width - right + 36, legend_y), f"{curve.name} ({curve.growth():.2f}x)", fill="black")
    png.parent.mkdir(parents=True, exist_ok=True)
    image.save(png, optimize=True)


def _size_label(size: int) -> str:
    for factor, suffix in ((1_000_000, "M"), (1_000, "k")):
        if size >= factor:
            return f"{size / factor:g}{suffix}"
    return str(size)
