"""Benchmark: the monthly DSN of one establishment with BENCH_DSN_INDIVIDUALS (default 11,000,
issue 12: "a DSN of a month with 11,000 individuals built and checked in under 60 s") workers.

    .venv/bin/python scripts/services.py --ephemeral -- .venv/bin/python benchmarks/declarations_dsn.py

The workers are paid by the real French payroll engine (a one-day CDDU, artists and technicians
under annexes 8/10, a CDI month, a ten-day CDDU) and turned into the DSN's frozen inputs by the
product's conversion; what is timed is the pure builder (inputs -> NEODeS flat file) and the
tests' checker (formats, lengths, enumerations and controls of the cahier technique 2026, read
from shared/payroll-formats/fr-dsn). Prints the figures; asserts nothing about the time.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcoop.settings.test")

INDIVIDUALS = int(os.environ.get("BENCH_DSN_INDIVIDUALS", "11000"))


def main() -> None:
    import django

    django.setup()
    from declarations import dsn
    from tests.declarations import dsn_checker
    from tests.declarations.dsn_samples import synthetic_month

    clock = time.perf_counter
    cpu = time.process_time
    t0, c0 = clock(), cpu()
    data = synthetic_month(INDIVIDUALS)
    t1, c1 = clock(), cpu()
    content = dsn.dsn_text(data)
    t2, c2 = clock(), cpu()
    dsn_checker.norm()  # reading the CSVs of the norm is not the file's check
    t3, c3 = clock(), cpu()
    errors = dsn_checker.check(content)
    t4, c4 = clock(), cpu()
    lines = content.count("\r\n")
    print(f"DSN of a month, {INDIVIDUALS:,} individuals, {lines:,} lines, {len(content):,} bytes")
    print("  (wall time; CPU time of the process in brackets: the machine is shared)")
    print(f"  frozen inputs prepared: {t1 - t0:.2f} s ({c1 - c0:.2f} s)")
    print(f"  built (pure function):  {t2 - t1:.2f} s ({c2 - c1:.2f} s)")
    print(f"  checked (CT2026 rules): {t4 - t3:.2f} s ({c4 - c3:.2f} s), {len(errors)} errors")
    print(
        f"  built + checked:        {t2 - t1 + t4 - t3:.2f} s ({c2 - c1 + c4 - c3:.2f} s)"
        " (target < 60 s)"
    )
    if errors:
        print("  first errors:", *errors[:5], sep="\n    ")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
