"""How long the supervisor's compiled report takes for a whole province, against one commune's report.

Builds a SQLite database with one province and N communes (default 170, Thanh Hóa has 166), each
with a submitted 6-month report (sample figures, varied per commune), then times, in this order
and alternating ``--runs`` times: one commune's outputs (summary + Word file), and the province's
compiled outputs (status list + chart, compiled figures + summary + Word file + Excel workbook).
Prints the median and worst times and the peak memory (Python allocations, tracemalloc) of each,
and the peak RSS of the measuring process (the database is seeded by a child process). Targets
(issue 10): under 3 s and 200 MB for 170 communes.

    .venv/bin/python bench/compile_province.py [--communes 170] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.app import build_app  # noqa: E402
from bot.settings import Settings  # noqa: E402
from handlers import compiled, output, overview  # noqa: E402
from handlers.samples import sample_answers  # noqa: E402
from reports.clock import vn_today  # noqa: E402
from reports.periods import Period  # noqa: E402
from reports.values import to_json  # noqa: E402
from storage import access, repo, workflow  # noqa: E402
from storage.models import Answer, OrgUnit, Role  # noqa: E402

NOW = datetime(2026, 6, 26, 2, 0, tzinfo=timezone.utc)
PERIOD = Period(2026, "half_year")


async def seed(app, communes: int) -> int:  # noqa: ANN001
    template = app.templates["commune_half_year"]
    base = sample_answers(template, PERIOD)
    async with app.sessions() as s, s.begin():
        province = OrgUnit(code="BENCH_PROVINCE", name="Tỉnh Thử Nghiệm", kind="province")
        s.add(province)
        await s.flush()
        invite = await repo.create_invite(s, "BENCHSUP", province.id, Role.supervisor)
        await repo.register(s, invite, "console", "bench-sup", "bench-sup", "Người Giám Sát")
        for n in range(communes):
            unit = OrgUnit(code=f"XA_{n:03d}", name=f"Xã Thử {n:03d}", kind="commune", parent_id=province.id)
            s.add(unit)
            await s.flush()
            report = await repo.create_report(s, unit.id, template.key, template.version, PERIOD.key, None)
            for key, value in base.items():
                ind = template.by_key[key]
                if isinstance(value, int) and not isinstance(value, bool):
                    value = value + n % 7
                s.add(Answer(report_id=report.id, key=key, value_type=ind.type, value=to_json(ind.type, value)))
            if n % 10 != 9:  # one commune in ten has not submitted
                workflow.submit(s, report, None, NOW, approval=False)
        return province.id


async def one_commune(app, out: Path) -> None:  # noqa: ANN001
    async with app.sessions() as s:
        org = await repo.org_by_code(s, "XA_000")
        report = await repo.find_report(s, org.id, "commune_half_year", PERIOD.key)
        await output.report_outputs(s, app.templates, report, NOW, files_dir=out)


async def province_outputs(app, province_id: int, out: Path) -> int:  # noqa: ANN001
    template = app.templates["commune_half_year"]
    async with app.sessions() as s:
        tree = await access.load_tree(s)
        root = tree.units[province_id]
        await compiled.status(s, tree, root, template, PERIOD, vn_today(NOW), out / "status.png")
        result = await overview.compile_below(s, tree, root.id, template, PERIOD)
        compiled.summary_text(root, result, PERIOD)
        await compiled.compile_files(s, tree, root, result, PERIOD, NOW, out / "tonghop.docx", out / "tonghop.xlsx")
        return len(result.units)


async def timed(coro) -> float:  # noqa: ANN001
    start = time.perf_counter()
    await coro
    return time.perf_counter() - start


async def peak_alloc(coro) -> float:  # noqa: ANN001
    """Peak Python allocations while ``coro`` runs, in MB (tracemalloc slows Python several times,
    so it runs apart from the timed runs)."""
    tracemalloc.start()
    await coro
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def seed_only(db: Path, communes: int) -> None:
    app = await build_app(Settings(database_url=f"sqlite+aiosqlite:///{db}"))
    try:
        await seed(app, communes)
    finally:
        await app.close()


async def measure(db: Path, out: Path, runs: int) -> None:
    app = await build_app(Settings(database_url=f"sqlite+aiosqlite:///{db}"))
    try:
        async with app.sessions() as s:
            province = (await repo.org_by_code(s, "BENCH_PROVINCE")).id
        before = rss_mb()
        await province_outputs(app, province, out)  # warm: imports (matplotlib, openpyxl), caches
        await one_commune(app, out)
        ones, provinces = [], []
        for _ in range(runs):  # alternated, so that a busy moment of the machine hits both
            ones.append(await timed(one_commune(app, out)))
            provinces.append(await timed(province_outputs(app, province, out)))
        one_alloc = await peak_alloc(one_commune(app, out))
        province_alloc = await peak_alloc(province_outputs(app, province, out))
        compiled_units = await province_outputs(app, province, out)
        communes = len((await _units(app)))
    finally:
        await app.close()

    def show(label: str, times: list[float], alloc: float) -> None:
        print(f"{label:<44} median {statistics.median(times):6.3f} s  worst {max(times):6.3f} s  "
              f"peak alloc {alloc:6.1f} MB")

    show("one commune (summary + Word)", ones, one_alloc)
    show(f"province, {compiled_units}/{communes} compiled (all outputs)", provinces, province_alloc)
    ratio = statistics.median(provinces) / statistics.median(ones)
    print(f"province / one commune: {ratio:.1f}×")
    print(f"peak RSS of the measuring process: {rss_mb():.0f} MB (after opening the database: {before:.0f} MB)")


async def _units(app) -> list:  # noqa: ANN001
    async with app.sessions() as s:
        tree = await access.load_tree(s)
    return [u for u in tree.units.values() if u.kind == "commune"]


def main(communes: int, runs: int) -> None:
    """Seed in a child process (so that the seeding's memory is not counted), then measure here."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        db = out / "bench.db"
        start = time.perf_counter()
        subprocess.run([sys.executable, __file__, "--seed-only", str(db), "--communes", str(communes)], check=True)
        print(f"seeded {communes} communes in {time.perf_counter() - start:.1f} s")
        asyncio.run(measure(db, out, runs))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communes", type=int, default=170)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed-only", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed_only:
        asyncio.run(seed_only(args.seed_only, args.communes))
    else:
        main(args.communes, args.runs)
