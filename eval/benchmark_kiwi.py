"""kiwi's options for speed and memory: each model type kiwipiepy can load here, with and without its multi-word
dictionary, in a fresh process each.

    PYTHONPATH=$PWD .venv/bin/python eval/benchmark_kiwi.py [--korquad FILE] [--paragraphs 500] [--runs 3]
        [--models cong cong-global ...] [--without-default-dict] [--json FILE]

Per configuration: wall and CPU seconds (user + system) to build a ``Kiwi`` the way the assistant does
(``assistant.text.kiwi``: ``num_workers=min(cores, 8)``) and warm it up (kiwi finishes loading on the first
analysis), the process's RSS before and after, and the throughput of ``Kiwi.tokenize`` over a batch of KorQuAD
paragraphs (characters and paragraphs per second; the first batch warms up, the second is timed).
``--without-default-dict`` adds each model without kiwi's default dictionary of names (the multi-word one on).
Model types that need a download (kiwipiepy 0.22 dropped 'knlm' and 'sbg' from its default model files) are
reported as not available. Retrieval quality is not measured here: ``assistant eval squad`` does that.
Wall seconds swing with the machine's load, CPU seconds much less; the load average is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
KORQUAD = ROOT.parent / "shared" / "datasets" / "korquad_v1" / "KorQuAD_v1.0_dev.json"
MODEL_TYPES = ("cong", "cong-global", "knlm", "sbg")

# One configuration, in a fresh process: prints one JSON line.
_PROBE = r"""
import json, os, resource, sys, time, warnings
warnings.simplefilter("ignore")

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

def cpu_s():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime

model, multi, path, count = sys.argv[1], sys.argv[2] == "on", sys.argv[3], int(sys.argv[4])
default_dict = sys.argv[5] == "on"
paragraphs = []
for article in json.load(open(path, encoding="utf-8"))["data"]:
    paragraphs.extend(paragraph["context"] for paragraph in article["paragraphs"])
paragraphs = paragraphs[:count]
import kiwipiepy
before_rss, before_cpu, started = rss_mb(), cpu_s(), time.perf_counter()
try:
    kiwi = kiwipiepy.Kiwi(num_workers=min(os.cpu_count() or 1, 8), load_multi_dict=multi, model_type=model,
                           load_default_dict=default_dict)
    kiwi.tokenize("")
except Exception as error:
    print(json.dumps({"error": str(error)}))
    sys.exit(0)
built = {"build_wall_s": time.perf_counter() - started, "build_cpu_s": cpu_s() - before_cpu,
         "rss_before_mb": before_rss, "rss_after_mb": rss_mb()}
half = len(paragraphs) // 2
list(kiwi.tokenize(paragraphs[:half]))  # warm-up batch
started, cpu = time.perf_counter(), cpu_s()
tokens = sum(len(t) for t in kiwi.tokenize(paragraphs[half:]))
wall = time.perf_counter() - started
timed = paragraphs[half:]
built.update(tokenize_wall_s=wall, tokenize_cpu_s=cpu_s() - cpu, paragraphs=len(timed), tokens=tokens,
             chars_per_s=sum(map(len, timed)) / wall, paragraphs_per_s=len(timed) / wall,
             rss_peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
print(json.dumps(built))
"""


def probe(model: str, multi: bool, korquad: Path, paragraphs: int, default_dict: bool = True) -> dict[str, float | str]:
    """One configuration's figures, measured in a fresh process."""
    flags = ["on" if multi else "off", str(korquad), str(2 * paragraphs), "on" if default_dict else "off"]
    command = [sys.executable, "-c", _PROBE, model, *flags]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


def _median(runs: list[dict[str, float | str]], key: str) -> float:
    return statistics.median(float(run[key]) for run in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--korquad", type=Path, default=KORQUAD, help="KorQuAD 1.0 JSON (paragraphs to analyse).")
    parser.add_argument("--paragraphs", type=int, default=500, help="Paragraphs timed per run (default 500).")
    parser.add_argument("--runs", type=int, default=3, help="Fresh processes per configuration (default 3).")
    parser.add_argument("--models", nargs="+", default=list(MODEL_TYPES), help="kiwi model types to try.")
    parser.add_argument(
        "--without-default-dict",
        action="store_true",
        help="Also each model with the multi-word dictionary but without kiwi's default dictionary of names.",
    )
    parser.add_argument("--json", type=Path, default=None, help="Write the figures here too.")
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    print(
        f"{'model':12} {'multi':5} {'build wall s':>12} {'build cpu s':>11} {'RSS +MB':>8} "
        f"{'tok chars/s':>11} {'tok par/s':>9} {'tok cpu s':>9}"
    )
    figures: dict[str, object] = {}
    variants = [(True, True), (False, True)] + ([(True, False)] if args.without_default_dict else [])
    for model in args.models:
        for multi, default_dict in variants:
            name = f"{model}/{'multi' if multi else 'no-multi'}{'' if default_dict else '/no-default-dict'}"
            runs = [probe(model, multi, args.korquad, args.paragraphs, default_dict) for _ in range(args.runs)]
            label = ("on" if multi else "off") + ("" if default_dict else " -default dict")
            if "error" in runs[0]:
                print(f"{model:12} {label:5} not available: {runs[0]['error']}")
                figures[name] = {"error": runs[0]["error"]}
                break
            summary = {
                key: _median(runs, key)
                for key in ("build_wall_s", "build_cpu_s", "chars_per_s", "paragraphs_per_s", "tokenize_cpu_s")
            }
            summary["rss_kiwi_mb"] = statistics.median(
                float(r["rss_after_mb"]) - float(r["rss_before_mb"]) for r in runs
            )
            summary["rss_after_mb"] = _median(runs, "rss_after_mb")
            figures[name] = {**summary, "runs": runs}
            print(
                f"{model:12} {label:5} {summary['build_wall_s']:12.2f} "
                f"{summary['build_cpu_s']:11.2f} "
                f"{summary['rss_kiwi_mb']:8.0f} {summary['chars_per_s']:11.0f} {summary['paragraphs_per_s']:9.1f} "
                f"{summary['tokenize_cpu_s']:9.2f}"
            )
    figures["load"] = os.getloadavg()
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; medians of {args.runs} runs")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
