"""Draw the figures of docs/validation.md: ``.venv/bin/python tests/validation/make_plots.py``."""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from observations import (
    FE,
    hd_curve,
    population_single,
    sets,
    typical,
)

from dosewise.pk.population import Covariates
from dosewise.pk.regimen import Regimen
from dosewise.pk.simulate import simulate_arrays, time_grid

OUT = Path(__file__).resolve().parents[2] / "docs" / "img"


def single_dose() -> None:
    s = sets()
    _, times, res = population_single(s["simon-2018-aud"], 20.0, horizon_h=24.0)
    c = res.conc_mg_per_l
    p = np.percentile(c, [5, 25, 50, 75, 95], axis=1)
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=110)
    ax.fill_between(times, p[0], p[4], color="#9ecae1", alpha=0.6, label="simon-2018-aud 5–95%")
    ax.fill_between(times, p[1], p[3], color="#4292c6", alpha=0.6, label="25–75%")
    ax.plot(times, p[2], color="#08306b", label="median")
    for sid, colour in (("marsot-2014-aud", "#e6550d"), ("chevillard-2018-aud", "#31a354")):
        ind = typical(s[sid])
        r = simulate_arrays(ind, Regimen.single(20.0), times)
        ax.plot(times, r.conc_mg_per_l[:, 0], ls="--", color=colour, label=f"{sid} typical")
    ax.axvspan(0.75, 1.5, color="grey", alpha=0.15, label="healthy Tmax 0.75–1.5 h (A3, tablets)")
    ax.set_xlabel("hours after 20 mg")
    ax.set_ylabel("mg/L")
    ax.set_title("Single 20 mg oral dose: default set and alternatives (A3, A6)", fontsize=9)
    ax.legend(fontsize=7)
    ax.set_xlim(0, 24)
    fig.tight_layout()
    fig.savefig(OUT / "validation-single-dose.png")
    plt.close(fig)


def renal() -> None:
    pset = sets()["simon-2018-aud"]
    times = time_grid(36, 1 / 12)
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=110)
    for crcl in (100, 65, 40, 20):
        ind = typical(pset, Covariates(crcl_ml_min=crcl, fraction_excreted=FE))
        r = simulate_arrays(ind, Regimen.single(5.0), times)
        ax.plot(times, r.conc_mg_per_l[:, 0], label=f"CrCl {crcl} mL/min")
    ax.set_xlabel("hours after 5 mg")
    ax.set_ylabel("mg/L")
    ax.set_title("R1 (Vlavonou 2014): similar Cmax, longer tail with lower CrCl", fontsize=9)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(OUT / "validation-renal.png")
    plt.close(fig)


def haemodialysis() -> None:
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=110)
    s = sets()
    for sid in ("simon-2018-aud", "marsot-2014-aud", "chevillard-2018-aud"):
        t, c = hd_curve(s[sid])
        ax.plot(t, c, label=f"model ({sid})")
    t = np.linspace(0, 4, 50)
    ax.plot(t, 0.70 * np.exp(-0.152 * t), "k:", lw=2, label="observed removal 0.152 /h (R2)")
    ax.axvspan(0, 4, color="grey", alpha=0.15, label="4-h haemodialysis")
    ax.set_xlabel("hours from the start of haemodialysis")
    ax.set_ylabel("mg/L")
    ax.set_title("R2 (Brvar 2007): acute renal failure, 0.70 mg/L, haemodialysis", fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(OUT / "validation-haemodialysis.png")
    plt.close(fig)


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    single_dose()
    renal()
    haemodialysis()
    print("wrote", *sorted(p.name for p in OUT.glob("validation-*.png")))
