"""A Dask cluster's executor, as `check --executor dask://HOST:PORT` uses it.

`distributed` is an optional extra (`reportparse[dask]`), imported only here and only when a
cluster is asked for.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator
from typing import Any

from ..config import ConfigError

CONNECT_S = 30.0  # how long to wait for the scheduler

# A Client keeps the last `low-level-log-length` messages it sent the scheduler (1,000 by
# default) for debugging, each under 1 MB whole: with files shipped as bytes, every chunk's
# files. Over a long run that is every file of the last 1,000 chunks (336 MB at 30,000 reports)
# in this process. Kept to none while our client lives.
NO_MESSAGE_LOG = {"distributed.admin.low-level-log-length": 0}


@contextlib.contextmanager
def dask_executor(url: str) -> Iterator[Any]:
    """The executor (`concurrent.futures.Executor`) of the Dask cluster at dask://HOST:PORT, for
    `audit(..., executor=...)`; ConfigError when it cannot be used. The client keeps no copies
    of the files it sends (`NO_MESSAGE_LOG`)."""
    if not url.startswith("dask://") or len(url) <= len("dask://"):
        raise ConfigError(f"--executor 应为 dask://主机:端口，而不是「{url}」")
    try:
        dask: Any = importlib.import_module("dask")  # an optional extra, untyped
        distributed: Any = importlib.import_module("distributed")
    except ImportError:
        raise ConfigError("--executor 需要 Dask：pip install 'reportparse[dask]'") from None
    # for the client's whole life: a reconnection makes a new connection, which reads it again
    with dask.config.set(NO_MESSAGE_LOG):
        try:
            client = distributed.Client(
                "tcp://" + url[len("dask://") :], timeout=CONNECT_S, set_as_default=False
            )
        except OSError as err:
            raise ConfigError(f"无法连接 Dask 调度器 {url}：{err}") from None
        try:
            yield client.get_executor()
        finally:
            client.close()
