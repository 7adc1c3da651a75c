"""Payslip documents: the PDF (typst, `render.py` + `payslip.typ`)."""
