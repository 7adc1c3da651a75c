"""Benchmark: payslip PDFs (issue 11, "Performance"). Printed, never gating.

    .venv/bin/python benchmarks/payslip_pdf.py        (no database needed)

Side by side in the same run, on the same one-page French cadre payslip (~25 worker and
employer lines, from the engines): a naive WeasyPrint `HTML(string=...).write_pdf()` per document
(the payslip's data laid out as an HTML table) against the typst renderer the workers use
(`payroll.documents.render`, one compiler reused per process). Per-process throughput with one
and two processes, and the ratio (target: typst >= 20x naive WeasyPrint).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from html import escape
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcoop.settings.test")
os.environ.setdefault("DATABASE_URL", "postgres://x/x")
os.environ.setdefault("CELERY_BROKER_URL", "redis://x:1/0")

SECONDS = float(os.environ.get("BENCH_PDF_SECONDS", "4"))


def _data():
    import django

    django.setup()
    from payroll.documents.render import payslip_document_data
    from payroll.documents.sample import sample_facts, sample_payslip

    return payslip_document_data(sample_payslip("FR"), sample_facts("FR"), "fr")


def _html(data: dict) -> str:
    def rows(items):
        return "".join(
            f"<tr><td>{escape(r['label'])}</td><td>{r['base']}</td><td>{r['rate']}</td>"
            f"<td>{r['amount']}</td></tr>"
            for r in items
        )

    def grouped(sections):  # the French clarified table: a heading, then its rows
        return "".join(
            f"<tr><td colspan='6'><b>{escape(s['label'])}</b></td></tr>"
            + "".join(
                f"<tr><td>{escape(r['label'])}</td><td>{r['base']}</td>"
                + "".join(f"<td>{x}</td>" for x in (*r["employee"], *r["employer"]))
                + "</tr>"
                for r in s["rows"]
            )
            for s in sections
        )

    lines = rows(data["worker_lines"])
    if data.get("grouped"):
        lines += grouped(data["grouped"]["sections"])
    return (
        "<html><head><meta charset='utf-8'><style>body{font-family:'DejaVu Sans';font-size:8pt}"
        "table{width:100%;border-collapse:collapse}td{border-bottom:1px solid #ddd;padding:1mm}"
        "td+td{text-align:right}h1{color:#0f5132}</style></head><body>"
        f"<h1>{escape(data['title'])}</h1><p><b>{escape(data['employer']['name'])}</b><br>"
        f"{escape(data['worker']['name'])}</p><table>{lines}</table>"
        f"<p><b>{data['net']['label']}: {data['net']['amount']}</b></p>"
        f"<table>{rows(data['employer_lines'])}</table></body></html>"
    )


def _naive(seconds: float) -> float:
    from weasyprint import HTML

    html = _html(_data())
    HTML(string=html).write_pdf()  # warm the imports, as a worker would be
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        HTML(string=html).write_pdf()
        count += 1
    return count / (time.perf_counter() - start)


def _typst(seconds: float) -> float:
    from payroll.documents.render import typst_pdf

    data = _data()
    typst_pdf(data)  # the first document parses the template and finds the fonts
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        typst_pdf(data)
        count += 1
    return count / (time.perf_counter() - start)


def _pool(function, processes: int) -> float:
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        return sum(pool.map(function, [SECONDS] * processes))


def main() -> None:
    naive, fast = _naive(SECONDS), _typst(SECONDS)
    print(f"1 process : naive WeasyPrint {naive:7.1f} PDF/s ({1000 / naive:6.1f} ms each)")
    print(f"1 process : typst renderer   {fast:7.1f} PDF/s ({1000 / fast:6.1f} ms each)")
    print(f"ratio typst / naive WeasyPrint, per process: {fast / naive:.1f}x (target >= 20x)")
    naive2, fast2 = _pool(_naive, 2), _pool(_typst, 2)
    print(f"2 processes: naive WeasyPrint {naive2:7.1f} PDF/s, typst {fast2:7.1f} PDF/s")
    print(f"scaling 1 -> 2 processes: naive {naive2 / naive:.2f}x, typst {fast2 / fast:.2f}x")
    print(
        f"11,000 payslips, 2 processes: typst {11000 / fast2:.0f} s, naive {11000 / naive2:.0f} s"
    )


if __name__ == "__main__":
    main()
