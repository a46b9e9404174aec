"""Rules across the reports of one batch (cross-year continuity, copies): see issue on `check`."""
