"""``dosewise simulate``: a population pharmacokinetic timeline in the terminal, as JSON or a plot.

Registered by ``cli/main.py`` with ``app.command()(simulate)``. The engine, numpy, rich and
matplotlib are imported inside the command (cold start).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from dosewise.pk.results import SimulationResult

PROGRESS_WORK = 40_000_000
"""Show a progress bar above this many subject × time values."""


def simulate(
    query: Annotated[
        str,
        typer.Argument(help='Substance and regimen, e.g. "baclofen 20mg q8h for 7d".'),
    ],
    crcl: Annotated[
        float | None, typer.Option("--crcl", help="Creatinine clearance, mL/min.")
    ] = None,
    weight: Annotated[
        str | None, typer.Option("--weight", help="Body weight: 60kg, 132lb.")
    ] = None,
    dialysis: Annotated[
        bool, typer.Option("--dialysis", help="On haemodialysis (3 sessions a week).")
    ] = False,
    population: Annotated[
        str | None,
        typer.Option("--population", "-p", help="aud, healthy, pediatric, or a parameter-set id."),
    ] = None,
    subjects: Annotated[
        int, typer.Option("--subjects", "-n", help="Virtual subjects (1 to 1,000,000).")
    ] = 2000,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (reproducible).")] = 1,
    horizon: Annotated[
        str | None,
        typer.Option("--horizon", help="Window length, e.g. 48h or 10d (default: to washout)."),
    ] = None,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Write a PNG or SVG plot to this file.")
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="text for people, json for programs.")
    ] = "text",
) -> None:
    """Simulate a regimen in a virtual population: level bands, references, felt effect.

    Exit codes: 0 the simulation ran; 2 bad input (nothing simulated).
    """
    from dosewise.cli.common import STATE, OutputFormat, emit_json, fail
    from dosewise.errors import DosewiseError, InputError

    key = fmt.strip().lower()
    STATE.format = OutputFormat.JSON if key == "json" else OutputFormat.TEXT
    try:
        if key not in ("text", "json"):
            raise InputError(
                f"{fmt!r} is not an output format", field="format", accepted="text, json"
            )
        result = _run(query, crcl, weight, dialysis, population, subjects, seed, horizon, key)
        if plot is not None:
            write_plot(result, plot)
    except DosewiseError as error:
        fail(error)
    if key == "json":
        emit_json(result.model_dump(mode="json"))
    else:
        print_result(result, plot)


def _run(
    query: str,
    crcl: float | None,
    weight: str | None,
    dialysis: bool,
    population: str | None,
    subjects: int,
    seed: int,
    horizon: str | None,
    fmt: str,
) -> SimulationResult:
    from dosewise.assess.inputs import parse_weight_kg
    from dosewise.errors import InputError
    from dosewise.knowledge.catalog import default_catalog
    from dosewise.pk.api import SimulationRequest, simulate_request
    from dosewise.pk.regimen import split_substance
    from dosewise.units import parse_duration_h

    name, regimen = split_substance(query)
    if name is None:
        raise InputError(
            "name the substance before the regimen",
            field="query",
            accepted='e.g. "baclofen 20mg q8h for 7d"',
        )
    request = SimulationRequest(
        substance=name,
        regimen=regimen,
        weight_kg=parse_weight_kg(weight) if weight is not None else None,
        crcl_ml_min=crcl,
        dialysis=dialysis,
        population=population,
        subjects=subjects,
        seed=seed,
        horizon_h=parse_duration_h(horizon, field="horizon") if horizon is not None else None,
    )
    catalog = default_catalog()
    work = subjects * 2017
    if fmt == "json" or work < PROGRESS_WORK:
        return simulate_request(catalog, request)
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("Simulating"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeRemainingColumn(),
        transient=True,
    ) as bar:
        task = bar.add_task("simulate", total=1.0)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done / max(total, 1))

        return simulate_request(catalog, request, progress=progress)


# --------------------------------------------------------------------------------------------
# Text


def _mg(x: float) -> str:
    if x == 0:
        return "0"
    if x >= 10:
        return f"{x:.1f}"
    if x >= 0.01:
        return f"{x:.3f}".rstrip("0").rstrip(".")
    return f"{x:.2g}"


def _h(x: float | None) -> str:
    from dosewise.units import format_hours

    return "—" if x is None else format_hours(x)


def print_result(result: SimulationResult, plot: Path | None = None) -> None:
    """Render a simulation for a person (rich)."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from dosewise.cli.style import SEVERITY_STYLE

    console = Console(highlight=False)
    ps = result.parameter_set
    s = result.summary
    console.print(
        f"[bold]{escape(result.substance_name)}[/] {escape(result.regimen)} — "
        f"{result.subjects:,} virtual people, seed {result.seed}"
    )
    console.print(
        f"Model: {escape(ps.label)} [dim]({ps.id}; typical half-life "
        f"{_h(ps.typical_half_life_h)})[/]",
        soft_wrap=True,
    )
    for item in ps.covariates_applied:
        console.print(f"  [dim]• {escape(item)}[/]", soft_wrap=True)
    console.print()
    c = s.cmax_mg_per_l
    t = s.tmax_h
    console.print(
        f"[bold]Peak level[/] {_mg(c.p50)} mg/L (90% of people {_mg(c.p5)}–{_mg(c.p95)}) "
        f"at {_h(t.p50)} ({_h(t.p5)}–{_h(t.p95)}) after the start"
    )
    first_peak = _first_peak_h(result)
    if first_peak is not None:
        console.print(f"Time to peak after the first dose (median curve): {_h(first_peak)}")
    if s.trough_mg_per_l is not None:
        tr = s.trough_mg_per_l
        console.print(
            f"Trough before the last dose {_mg(tr.p50)} mg/L ({_mg(tr.p5)}–{_mg(tr.p95)})"
        )
    a = s.auc_mg_h_per_l
    console.print(f"Exposure (AUC) {_mg(a.p50)} mg·h/L ({_mg(a.p5)}–{_mg(a.p95)})")
    console.print()

    table = Table(title="Against reference concentrations", title_justify="left")
    table.add_column("Reference")
    table.add_column("mg/L", justify="right")
    table.add_column("People ever above", justify="right")
    table.add_column("Time above (median)", justify="right")
    table.add_column("Median falls below at", justify="right")
    table.add_column("95th pct falls below at", justify="right")
    for ref in result.references:
        ever = ref.probability_ever_above
        table.add_row(
            escape(ref.label),
            _mg(ref.threshold_mg_per_l),
            f"{100 * ever:.1f}%" if 0 < ever < 0.999 else f"{100 * ever:.0f}%",
            _h(ref.time_above_h.p50) if ever else "—",
            _h(ref.median_falls_below_h)
            if ref.median_falls_below_h is not None
            else ("still above" if ref.median_first_above_h is not None else "never above"),
            _h(ref.p95_falls_below_h)
            if ref.p95_falls_below_h is not None
            else ("still above" if ever > 0.05 else "never above"),
        )
    console.print(table)

    e = result.effect
    if e is not None:
        console.print()
        console.print("[bold]Felt effect[/] (median, 90% of people)")
        for label, phase in (("onset", e.onset), ("peak", e.peak), ("ends", e.offset)):
            if phase is None:
                text = "not reached by most people" if label != "ends" else "after the window"
            else:
                text = f"{_h(phase.p50_h)} ({_h(phase.p5_h)}–{_h(phase.p95_h)}) after the start"
            console.print(f"  {label:<6} {text}")
        console.print(f"  [dim]{escape(e.note)}[/]", soft_wrap=True)

    console.print()
    chart_width = max(30, min(100, console.width - 30))
    console.print(terminal_chart(result, width=chart_width), markup=False, highlight=False)
    for w in result.warnings:
        style = SEVERITY_STYLE[w.severity]
        console.print(
            f"[{style}]{w.severity.value.upper()}[/] {escape(w.message)}"
            + (f" [dim]({', '.join(w.sources)})[/]" if w.sources else ""),
            soft_wrap=True,
        )
    console.print(
        "[dim]Limits: "
        + escape(" ".join(result.limits[:2]))
        + " Information, not medical advice.[/]",
        soft_wrap=True,
    )
    if plot is not None:
        console.print(f"Plot written to {escape(str(plot))}")


def _first_peak_h(result: SimulationResult) -> float | None:
    events = result.dose_events
    if not events:
        return None
    start = float(events[0]["time_h"])
    later = [float(e["time_h"]) for e in events if float(e["time_h"]) > start]
    end = later[0] if later else None
    times = result.series.times_h
    p50 = result.series.conc_mg_per_l.get("p50")
    if p50 is None:
        return None
    best_i = -1
    for i, t in enumerate(times):
        if t < start or (end is not None and t >= end):
            continue
        if best_i < 0 or p50[i] > p50[best_i]:
            best_i = i
    return None if best_i < 0 else times[best_i] - start


def terminal_chart(result: SimulationResult, width: int = 72, height: int = 14) -> str:
    """A unicode chart: 5-95% band ░, 25-75% band ▒, median ●, reference lines ─."""
    series = result.series
    times = series.times_h
    bands = series.conc_mg_per_l
    lo = bands.get("p5") or bands[next(iter(bands))]
    hi = bands.get("p95") or bands[next(reversed(bands))]
    mid = bands.get("p50")
    q1, q3 = bands.get("p25"), bands.get("p75")
    top = max(hi) if hi else 0.0
    refs = [r for r in result.references if r.threshold_mg_per_l <= top * 1.5]
    top = max([top] + [r.threshold_mg_per_l for r in refs]) * 1.05 or 1.0
    n = len(times)
    cols = [[] for _ in range(width)]  # type: list[list[int]]
    t0, t1 = times[0], times[-1]
    for i, t in enumerate(times):
        c = min(width - 1, int((t - t0) / max(t1 - t0, 1e-12) * width))
        cols[c].append(i)
    grid = [[" "] * width for _ in range(height)]

    def row_of(v: float) -> int:
        return min(height - 1, max(0, int(v / top * (height - 1) + 0.5)))

    for c, idx in enumerate(cols):
        if not idx:
            continue
        a = row_of(min(lo[i] for i in idx))
        b = row_of(max(hi[i] for i in idx))
        for r in range(a, b + 1):
            grid[r][c] = "░"
        if q1 is not None and q3 is not None:
            for r in range(row_of(min(q1[i] for i in idx)), row_of(max(q3[i] for i in idx)) + 1):
                grid[r][c] = "▒"
        if mid is not None:
            grid[row_of(sum(mid[i] for i in idx) / len(idx))][c] = "●"
    labels: dict[int, str] = {}
    for ref in refs:
        r = row_of(ref.threshold_mg_per_l)
        for c in range(width):
            if grid[r][c] == " ":
                grid[r][c] = "─"
        labels[r] = f" {_mg(ref.threshold_mg_per_l)} {ref.kind.replace('_', ' ')}"
    lines = [f"mg/L (5–95% ░, 25–75% ▒, median ●; {n} times)"]
    for r in range(height - 1, -1, -1):
        axis = f"{_mg(top * r / (height - 1)):>6} ┤" if r % 3 == 0 else "       │"
        lines.append(axis + "".join(grid[r]) + labels.get(r, ""))
    lines.append("       └" + "─" * width)
    left, right = _h(t0) if t0 else "0", _h(t1)
    lines.append("        " + left + " " * max(1, width - len(left) - len(right)) + right)
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Plot


def write_plot(result: SimulationResult, path: Path) -> None:
    """Write the bands and reference lines as PNG or SVG (matplotlib, Agg backend)."""
    from dosewise.errors import InputError

    suffix = path.suffix.lower()
    if suffix not in (".png", ".svg"):
        raise InputError(
            f"{path.name!r} is not a .png or .svg file", field="plot", accepted=".png, .svg"
        )
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    series = result.series
    t = series.times_h
    b = series.conc_mg_per_l
    fig, ax = plt.subplots(figsize=(9, 4.8), dpi=120)
    if "p5" in b and "p95" in b:
        ax.fill_between(t, b["p5"], b["p95"], color="#9ecae1", alpha=0.6, label="5–95%")
    if "p25" in b and "p75" in b:
        ax.fill_between(t, b["p25"], b["p75"], color="#4292c6", alpha=0.6, label="25–75%")
    if "p50" in b:
        ax.plot(t, b["p50"], color="#08306b", lw=1.5, label="median")
    top = max(b.get("p95") or next(iter(b.values())))
    colours = {
        "therapeutic_low": "#31a354",
        "therapeutic_high": "#31a354",
        "toxic": "#e6550d",
        "comatose_fatal": "#a50f15",
    }
    for ref in result.references:
        if ref.threshold_mg_per_l <= top * 1.6:
            ax.axhline(
                ref.threshold_mg_per_l,
                ls="--",
                lw=1,
                color=colours.get(ref.kind, "grey"),
                label=f"{ref.label} ({ref.threshold_mg_per_l:g} mg/L)",
            )
    ax.set_xlabel("hours after the first dose")
    ax.set_ylabel("plasma concentration (mg/L)")
    ax.set_title(
        f"{result.substance_name} {result.regimen} — {result.subjects:,} virtual people "
        f"({result.parameter_set.id})",
        fontsize=9,
    )
    ax.set_xlim(t[0], t[-1])
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=7, loc="upper right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    try:
        fig.savefig(path)
    except OSError as error:
        raise InputError(f"cannot write {path}: {error.strerror}", field="plot") from error
    finally:
        plt.close(fig)
