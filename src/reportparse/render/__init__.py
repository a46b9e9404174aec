"""Renderers: every output format is a pure function of (reports, findings)."""
