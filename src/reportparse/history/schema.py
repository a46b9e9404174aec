"""Opening the history database: SQLite in WAL mode with a busy timeout, its schema brought up
to date by an ordered list of migrations recorded in `PRAGMA user_version`.

WAL lets readers go on while one writer writes; the busy timeout makes a second writer (another
`check` on the same store, at the same moment) wait for the first instead of failing; every
write is one `BEGIN IMMEDIATE` transaction, so two processes never interleave half-written
reports. Migrations only ever append: migration N turns schema N−1 into N, and a store made by
a newer reportparse (a higher user_version) is refused rather than guessed at.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BUSY_TIMEOUT_S = 60.0

# Each entry turns schema version i into i + 1; never edit a released entry, append a new one.
MIGRATIONS: tuple[str, ...] = (
    # 1: reports with their cells, sections and findings; body aliases
    """
    CREATE TABLE reports (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL,            -- the file as shown in the outputs
        sha256 TEXT NOT NULL,
        version TEXT NOT NULL,         -- reportparse version that parsed it
        organization TEXT,             -- as printed
        body TEXT,                     -- normalised name (names.body_name), null when unknown
        year INTEGER,
        template TEXT NOT NULL,
        format TEXT NOT NULL,
        status TEXT NOT NULL,          -- ok | findings | unreadable (of the last run)
        published TEXT,                -- ISO date printed in or on the report
        parsed_at TEXT NOT NULL,
        checked_at TEXT NOT NULL,      -- the last run that looked at this file
        report BLOB NOT NULL,          -- the Report, pickled (batch/stored.py)
        own BLOB NOT NULL,             -- (selection, head, findings, unverified) of the reading, pickled
        results BLOB NOT NULL,         -- (findings, unverified) of the last run, pickled
        UNIQUE (path, sha256, version)
    );
    CREATE INDEX reports_body_year ON reports (body, year);
    CREATE INDEX reports_sha ON reports (sha256, version);
    CREATE TABLE cells (
        report_id INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
        tbl TEXT NOT NULL,
        cell TEXT NOT NULL,
        raw TEXT NOT NULL,
        kind TEXT NOT NULL,
        value TEXT,                    -- the number as text (a Decimal stays exact), null for blank and dash
        PRIMARY KEY (report_id, tbl, cell)
    ) WITHOUT ROWID;
    CREATE TABLE sections (
        report_id INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
        number INTEGER NOT NULL,
        heading TEXT NOT NULL,
        text TEXT NOT NULL,
        PRIMARY KEY (report_id, number)
    ) WITHOUT ROWID;
    CREATE TABLE findings (
        report_id INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        rule TEXT NOT NULL,
        severity TEXT NOT NULL,
        message TEXT NOT NULL,
        cells TEXT NOT NULL,           -- JSON list of qualified cell ids
        loc TEXT,                      -- JSON, as in the outputs
        fingerprint TEXT NOT NULL,     -- Finding.fingerprint(body, or the path when no body)
        PRIMARY KEY (report_id, seq)
    ) WITHOUT ROWID;
    CREATE INDEX findings_rule ON findings (rule);
    CREATE INDEX findings_fingerprint ON findings (fingerprint);
    CREATE TABLE aliases (
        alias TEXT PRIMARY KEY,        -- a normalised name ...
        body TEXT NOT NULL,            -- ... counted as this normalised name
        note TEXT NOT NULL DEFAULT ''
    );
    """,
    # 2: review decisions, by finding fingerprint (its subject the body, never the file or year)
    """
    CREATE TABLE decisions (
        fingerprint TEXT NOT NULL,
        year INTEGER NOT NULL,         -- the report year the decision is about (0: year unknown)
        body TEXT,                     -- normalised name, resolved, as when decided
        rule TEXT NOT NULL,
        message TEXT NOT NULL,         -- the finding as it was worded when decided
        decision TEXT NOT NULL CHECK (decision IN ('confirmed', 'dismissed')),
        reason TEXT NOT NULL DEFAULT '',
        who TEXT NOT NULL,
        decided_at TEXT NOT NULL,
        PRIMARY KEY (fingerprint, year)
    ) WITHOUT ROWID;
    CREATE INDEX decisions_body ON decisions (body, year);
    """,
    # 3: coverage audits (check --roster): each roster body's status for a year, a body with no
    # report included (PUB-006 has no report to attach to)
    """
    CREATE TABLE coverage (
        body TEXT NOT NULL,            -- normalised name, as the aliases were when recorded
        year INTEGER NOT NULL,
        shown TEXT NOT NULL,           -- the body as the roster writes it
        parent TEXT NOT NULL DEFAULT '',
        kind TEXT NOT NULL DEFAULT '',
        region TEXT NOT NULL DEFAULT '',
        deadline TEXT,                 -- ISO date
        status TEXT NOT NULL CHECK (status IN ('published', 'missing', 'late', 'duplicate')),
        files TEXT NOT NULL,           -- JSON list of the files of the body's reports of the year
        findings TEXT NOT NULL,        -- JSON list of the roster's findings about the body (PUB-006)
        roster TEXT NOT NULL,          -- the roster file of the run
        checked_at TEXT NOT NULL,
        PRIMARY KEY (body, year)
    ) WITHOUT ROWID;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class HistoryError(Exception):
    """The history store cannot be used; the message says why, in Chinese."""


def connect(path: Path) -> sqlite3.Connection:
    """An open, migrated connection; raises HistoryError (never a traceback) for a folder that
    does not exist, a file that is not an SQLite database, a store from a newer reportparse, or
    one locked longer than the busy timeout."""
    if path.is_dir():
        raise HistoryError(f"历史库路径是一个文件夹：{path}")
    if not path.parent.is_dir():
        raise HistoryError(f"历史库所在的文件夹不存在：{path.parent}")
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
    except sqlite3.Error as err:
        raise HistoryError(f"无法打开历史库 {path}：{err}") from None
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
        _set_up(conn, path)
    except HistoryError:
        conn.close()
        raise
    except sqlite3.Error as err:
        conn.close()
        raise HistoryError(explain(err, path)) from None
    return conn


def _set_up(conn: sqlite3.Connection, path: Path) -> None:
    """WAL mode and the schema. Two processes opening a new store at the same moment both hold
    a read lock and ask for the write lock that the switch to WAL takes: SQLite refuses one at
    once ("database is locked"), without waiting — waiting could not help it. That one tries
    again shortly (the other has switched by then), up to the busy timeout."""
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    while True:
        try:
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise HistoryError(f"历史库 {path} 无法使用 WAL 模式（{mode}），不能安全地并发写入")
            conn.execute("PRAGMA synchronous = NORMAL")  # WAL: durable at each checkpoint, never corrupt
            _migrate(conn, path)
            return
        except sqlite3.OperationalError as err:
            if not _busy(err) or time.monotonic() >= deadline:
                raise
            time.sleep(random.uniform(0.01, 0.05))


def _busy(err: sqlite3.Error) -> bool:
    text = str(err)
    return "locked" in text or "busy" in text


def explain(err: sqlite3.Error, path: Path) -> str:
    """A Chinese message for an SQLite error."""
    text = str(err)
    if isinstance(err, sqlite3.DatabaseError) and ("not a database" in text or "malformed" in text):
        return f"历史库文件已损坏或不是 reportparse 历史库：{path}（{text}）"
    if _busy(err):
        return f"历史库 {path} 被其他程序长时间占用（等待 {BUSY_TIMEOUT_S:g} 秒后放弃）：{text}"
    if "readonly" in text or "read-only" in text:
        return f"历史库 {path} 是只读的，无法写入：{text}"
    return f"历史库 {path} 出错：{text}"


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version == SCHEMA_VERSION:
        return
    with transaction(conn):  # re-read inside the lock: another process may have migrated meanwhile
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise HistoryError(
                f"历史库 {path} 由较新版本的 reportparse 创建（结构版本 {version}），"
                f"本版本只能读写结构版本 {SCHEMA_VERSION} 及以下，请升级 reportparse"
            )
        if version == 0 and _has_tables(conn):
            raise HistoryError(f"{path} 是一个 SQLite 数据库，但不是 reportparse 历史库")
        for step in range(version, SCHEMA_VERSION):
            for statement in MIGRATIONS[step].split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {step + 1}")


def _has_tables(conn: sqlite3.Connection) -> bool:
    return bool(conn.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] > 0)


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction, taking the write lock at its start (waiting up to the busy timeout)
    so that two writers queue instead of one failing half way."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
