"""Annex two as the product shows and exports it: the report page (with its SVG charts), CSV, XLSX, PDF.

The figures come from webapp.domain.reports; this package only lays them out.
"""
