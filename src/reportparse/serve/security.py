"""What keeps the local server safe: the access token, the Host check, CSRF, response headers.

- **Token** (`--token`, required when bound beyond 127.0.0.1): every request must carry it, as
  `?token=` on the first visit (answered with a cookie and a redirect to the same address
  without it) or in that cookie afterwards; compared in constant time.
- **Host**: bound to this machine, only `127.0.0.1`/`localhost` Host headers are served, so a
  web page elsewhere cannot reach the server through DNS rebinding.
- **CSRF**: every client gets a random `rp_csrf` cookie (SameSite=Strict); every POST must send
  the same value in its `csrf` form field (double submit), and a POST whose Origin is another
  site is refused.
- **Headers**: a Content-Security-Policy without `unsafe-inline` for scripts (our one script is
  a file we ship; report text can never become script), no framing, no sniffing, no referrer.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from .settings import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

TOKEN_COOKIE = "rp_token"
CSRF_COOKIE = "rp_csrf"
CSRF_FIELD = "csrf"

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
# a printable page of our own with its CSS inline (the 整改清单), which has no script at all
CSP_PRINTABLE = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'"

HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cache-control": "no-store",
}


def same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a).encode(), str(b).encode())


def cookies(scope: Scope) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            try:
                jar.load(value.decode("latin-1"))
            except Exception:
                continue
    return {k: m.value for k, m in jar.items()}


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def csrf_ok(scope: Scope, submitted: str | None) -> bool:
    """The form's CSRF field is this client's cookie."""
    return same(cookies(scope).get(CSRF_COOKIE), submitted)


def _cookie(name: str, value: str, secure: bool) -> bytes:
    return f"{name}={value}; Path=/; HttpOnly; SameSite=Strict{'; Secure' if secure else ''}".encode()


async def _plain(send: Send, status: int, text: str, extra: Sequence[tuple[bytes, bytes]] = ()) -> None:
    body = text.encode("utf-8")
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        *((k.encode(), v.encode()) for k, v in HEADERS.items()),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class Guard:
    """The ASGI middleware that applies all of the above to every HTTP request."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.token = settings.token
        # the cookie holds a digest of the token (ASCII whatever the token), never the token itself
        self.cookie = (
            hashlib.sha256(f"reportparse:{settings.token}".encode()).hexdigest() if settings.token else ""
        )
        self.hosts = settings.hosts()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        host = header(scope, b"host") or ""
        if self.hosts is not None and host not in self.hosts:
            await _plain(send, 400, f"不接受的 Host：{host[:100]}（请用 http://127.0.0.1 访问）")
            return
        jar = cookies(scope)
        secure = scope.get("scheme") == "https"
        set_cookies: list[bytes] = []
        if self.token is not None:
            pairs = parse_qsl(scope.get("query_string", b"").decode("latin-1"))
            if same(dict(pairs).get("token"), self.token):
                rest = urlencode([(k, v) for k, v in pairs if k != "token"])
                where = scope["path"] + (f"?{rest}" if rest else "")
                await _plain(
                    send,
                    303,
                    "已验证访问令牌",
                    [
                        (b"location", where.encode()),
                        (b"set-cookie", _cookie(TOKEN_COOKIE, self.cookie, secure)),
                    ],
                )
                return
            if not same(jar.get(TOKEN_COOKIE), self.cookie):
                await _plain(send, 401, "需要访问令牌：请使用启动时显示的完整地址（含 ?token=…）打开本页。")
                return
        csrf = jar.get(CSRF_COOKIE)
        if not csrf or len(csrf) < 16:
            csrf = secrets.token_urlsafe(24)
            set_cookies.append(_cookie(CSRF_COOKIE, csrf, secure))
        scope.setdefault("state", {})["csrf"] = csrf
        if scope["method"] not in ("GET", "HEAD"):
            origin = header(scope, b"origin")
            if origin is not None and origin != "null" and urlsplit(origin).netloc != host:
                await _plain(send, 403, "拒绝来自其他网站的提交")
                return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {k.lower() for k, _ in headers}
                headers += [(k.encode(), v.encode()) for k, v in HEADERS.items() if k.encode() not in present]
                if b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", CSP.encode()))
                headers += [(b"set-cookie", c) for c in set_cookies]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
