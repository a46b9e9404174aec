"""PDFium's functions as the engine's loops call them: with plain addresses.

The engine calls PDFium a few times for every character, path point and page object. pypdfium2
declares each handle and out-parameter as a typed ctypes pointer, and converting and checking
those costs a third of each call. `call(name)` is the same C function declared with untyped
pointers (`c_void_p`), so a handle is an int (an address: one that can also be compared and
hashed, as a text object is when characters are grouped by it) and an out-parameter is the
`ctypes.addressof` of a buffer made once. Scalars keep pypdfium2's types, and the function keeps
its calling convention (the same ctypes function class as pypdfium2's).
"""

from __future__ import annotations

import ctypes
from functools import cache
from typing import Any

try:
    import pypdfium2.raw as pdfium_c  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover - the engine is then unavailable
    pdfium_c = None

_POINTERS = (ctypes._Pointer, ctypes.c_void_p, ctypes.c_char_p)


def _plain(kind: Any) -> Any:
    if kind is None:
        return None
    return ctypes.c_void_p if isinstance(kind, type) and issubclass(kind, _POINTERS) else kind


@cache
def call(name: str) -> Any:
    """PDFium's `name` taking and returning addresses (ints; None for NULL) for pointers."""
    typed = getattr(pdfium_c, name)
    plain = type(typed)(ctypes.cast(typed, ctypes.c_void_p).value)
    plain.argtypes = tuple(_plain(kind) for kind in typed.argtypes)
    plain.restype = _plain(typed.restype)
    return plain


def address(handle: Any) -> int | None:
    """The address of a pypdfium2 handle (a typed ctypes pointer); None for NULL."""
    return ctypes.cast(handle, ctypes.c_void_p).value


def addresses(*buffers: Any) -> tuple[int, ...]:
    """The addresses of ctypes buffers (out-parameters)."""
    return tuple(ctypes.addressof(b) for b in buffers)
