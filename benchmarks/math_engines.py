"""Which LaTeX → MathML converter: measured on the course corpus (tests/math_corpus/formulas.yml).

    python benchmarks/math_engines.py            every engine that is installed, a table
    python benchmarks/math_engines.py --json     the same figures as JSON

Each engine runs in a fresh process, so start-up (imports, the JavaScript engine, loading Temml)
is measured as a learner's first build would pay it. For each: formulas rendered right (checked
by structure, tests/math_corpus/structure.py), conversion time per formula (first pass, and a
second pass once the JIT is warm), start-up, and the installed size of what it adds.
Engines: latex2mathml (coursegen before Temml), Temml in mini-racer (V8) one formula per call and
a page of 20 formulas per call (as coursegen does), Temml in quickjs, in dukpy.
Install the optional ones to compare: pip install quickjs dukpy.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "math_corpus"))

from structure import load_corpus, problems  # noqa: E402

TEMML = REPO / "static" / "vendor" / "temml" / "temml.min.js"
WRAPPER = "var coursegenRender = function (tex, display, macros) { try { return {mathml: temml.renderToString(tex, {displayMode: display, throwOnError: true, macros: macros})}; } catch (e) { return {error: String(e.message)}; } };"
DISTRIBUTIONS = {
    "latex2mathml": "latex2mathml",
    "temml-mini-racer": "mini-racer",
    "temml-mini-racer-paged": "mini-racer",
    "temml-quickjs": "quickjs",
    "temml-dukpy": "dukpy",
}
PASSES = 5  # over the corpus: the first is cold (no JIT yet), the best of the others is "warm"
PAGE = 20  # formulas per engine call for "-paged": coursegen converts a page's formulas in one call


def start(engine: str):
    """A function (tex, display, macros) → MathML, raising on failure."""
    if engine == "latex2mathml":
        from latex2mathml.converter import convert

        return lambda tex, display, macros: convert(tex, display="block" if display else "inline")
    script = TEMML.read_text(encoding="utf-8") + WRAPPER
    if engine.startswith("temml-mini-racer"):
        from coursegen.math_engine import TemmlEngine

        engine_ = TemmlEngine(TEMML)
        if engine.endswith("-paged"):
            return engine_.render_many
        return engine_.render
    if engine == "temml-quickjs":
        import quickjs

        context = quickjs.Context()
        context.eval(script)
        call = context.eval(
            "(function (t, d, m) { return JSON.stringify(coursegenRender(t, d, JSON.parse(m))); })"
        )
        return lambda tex, display, macros: _unwrap(json.loads(call(tex, display, json.dumps(macros))))
    if engine == "temml-dukpy":
        import dukpy

        interpreter = dukpy.JSInterpreter()
        interpreter.evaljs(script)
        return lambda tex, display, macros: _unwrap(
            interpreter.evaljs("coursegenRender(dukpy.t, dukpy.d, dukpy.m)", t=tex, d=display, m=macros)
        )
    raise SystemExit(f"unknown engine {engine}")


def _unwrap(result: dict) -> str:
    if "mathml" not in result:
        raise ValueError(result.get("error"))
    return result["mathml"]


def measure(engine: str) -> dict:
    """Run in the engine's own process: start-up, two passes over the corpus, correctness."""
    began = time.perf_counter()
    convert = start(engine)
    startup = time.perf_counter() - began
    macros, formulas = load_corpus()
    passes, outputs, cpu = [], [], []
    for _ in range(PASSES):
        cpu_began = time.process_time()  # every thread of the process: V8's too
        times, outputs = [], []
        if engine.endswith("-paged"):
            macro_pairs = tuple(sorted(macros.items()))
            for start_at in range(0, len(formulas), PAGE):
                page = [
                    (f["tex"].strip(), not f.get("inline"), macro_pairs)
                    for f in formulas[start_at : start_at + PAGE]
                ]
                t0 = time.perf_counter()
                results = convert(page)
                times += [(time.perf_counter() - t0) / len(page)] * len(page)
                outputs += [ValueError(str(r)) if isinstance(r, Exception) else r for r in results]
            passes.append(times)
            cpu.append((time.process_time() - cpu_began) / len(formulas))
            continue
        for formula in formulas:
            display = not formula.get("inline")
            t0 = time.perf_counter()
            try:
                outputs.append(convert(formula["tex"].strip(), display, macros))
            except Exception as error:  # noqa: BLE001 — a failure is a data point here
                outputs.append(error)
            times.append(time.perf_counter() - t0)
        passes.append(times)
        cpu.append((time.process_time() - cpu_began) / len(formulas))
    failures = {}
    for formula, output in zip(formulas, outputs):
        found = (
            [f"error: {output}"] if isinstance(output, Exception) else problems(output, formula.get("expect"))
        )
        if found:
            failures[formula["tex"].strip()[:70]] = found
    return {
        "engine": engine,
        "formulas": len(formulas),
        "right": len(formulas) - len(failures),
        "startup_ms": round(startup * 1000, 1),
        "first_pass_ms_per_formula": round(statistics.mean(passes[0]) * 1000, 3),
        # warm: the quickest of the later passes (a busy machine only ever slows a pass down)
        "warm_ms_per_formula": round(min(statistics.mean(p) for p in passes[1:]) * 1000, 3),
        "warm_cpu_ms_per_formula": round(min(cpu[1:]) * 1000, 3),
        "installed_mb": round(_installed_size(DISTRIBUTIONS[engine]) / 1e6, 1),
        "failures": failures,
    }


def _installed_size(distribution: str) -> int:
    from importlib.metadata import distribution as find

    files = find(distribution).files or []
    return sum(path.locate().stat().st_size for path in files if path.locate().is_file())


def _available(engine: str) -> bool:
    from importlib.util import find_spec

    module = {"latex2mathml": "latex2mathml", "temml-quickjs": "quickjs", "temml-dukpy": "dukpy"}.get(
        engine, "py_mini_racer"
    )
    return find_spec(module) is not None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--engine", help=argparse.SUPPRESS)  # internal: measure one engine here
    parser.add_argument("--failures", action="store_true", help="list each engine's wrong formulas")
    args = parser.parse_args()
    if args.engine:
        print(json.dumps(measure(args.engine), ensure_ascii=False))
        return 0
    results = []
    for engine in DISTRIBUTIONS:
        if not _available(engine):
            print(f"({engine} is not installed: skipped)", file=sys.stderr)
            continue
        run = subprocess.run(
            [sys.executable, __file__, "--engine", engine], capture_output=True, text=True, check=True
        )
        results.append(json.loads(run.stdout))
    if args.json:
        print(json.dumps(results, indent=2, ensure_ascii=False))
        return 0
    print(
        f"{'engine':<23} {'right':>9} {'start-up':>9} {'1st pass':>9} {'warm':>8} {'warm CPU':>9} {'installed':>10}"
    )
    for r in results:
        print(
            f"{r['engine']:<23} {r['right']:>4}/{r['formulas']:<4} {r['startup_ms']:>7} ms {r['first_pass_ms_per_formula']:>6} ms"
            f" {r['warm_ms_per_formula']:>5} ms {r['warm_cpu_ms_per_formula']:>6} ms {r['installed_mb']:>7} MB"
        )
    if args.failures:
        for r in results:
            print(f"\n{r['engine']}: {len(r['failures'])} wrong")
            for tex, found in r["failures"].items():
                print(f"  {tex!r}: {'; '.join(found)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
