"""The history store of `check --history`: every report read, its findings, across years.

`HistoryStore` (store.py) over SQLite (schema.py: WAL, busy timeout, migrations); bodies are
matched across years by `names.body_name` and the store's alias table. The batch engine writes
to it (batch/stored.py) and reuses what it holds; `reportparse history` reads it.
"""

from .names import body_name, resolve
from .reviews import DECISION_CN, Decision, decisions, recurring
from .schema import SCHEMA_VERSION, HistoryError
from .store import HistoryStore, StoredCoverage, StoredFinding, StoredReport, subject

__all__ = [
    "DECISION_CN",
    "SCHEMA_VERSION",
    "Decision",
    "HistoryError",
    "HistoryStore",
    "StoredCoverage",
    "StoredFinding",
    "StoredReport",
    "body_name",
    "decisions",
    "recurring",
    "resolve",
    "subject",
]
