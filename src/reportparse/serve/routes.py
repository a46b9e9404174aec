"""The routes of the web application: every request handler, thin over jobs, views and pages.

Handlers that touch the disk or the store run in Starlette's thread pool; the store is opened
per request (SQLite in WAL mode: the batch thread writes while pages read)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from ..history import HistoryError, HistoryStore, decisions
from ..history.reviews import decide, undo
from ..history.store import StoredFinding
from ..render import FORMATS, RenderOptions, render
from ..render.rectification import rectification_html, rectification_xlsx
from ..rules import load_rules
from .jobs import STATE_CN, Batch, Jobs
from .pages import DOWNLOADS, home, message_page, overview
from .report_page import report_page, rule_page
from .security import CSP_PRINTABLE, CSRF_FIELD, csrf_ok
from .settings import Settings
from .uploads import Saved, TooLarge, UploadError, remove_tree
from .views import Filters, View, live_results, rectification, view, views

WHO_COOKIE = "rp_who"
MAX_WHO = 40
MAX_REASON = 500


def _limits_text(settings: Settings) -> str:
    return (
        f"单个文件不超过 {settings.max_file_bytes / 1048576:g} MB，一次上传合计不超过 "
        f"{settings.max_upload_mb:g} MB、{settings.max_files} 个文件"
    )


def _html(text: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(text, status_code=status)


def _not_found(what: str = "页面不存在") -> HTMLResponse:
    return _html(message_page("未找到", what), 404)


def _csrf(request: Request) -> str:
    return str(request.scope.get("state", {}).get("csrf", ""))


class App:
    """The handlers, bound to one server's settings and batches."""

    def __init__(self, settings: Settings, jobs: Jobs) -> None:
        self.settings = settings
        self.jobs = jobs

    def store(self) -> HistoryStore:
        return HistoryStore(self.settings.history)

    def _batch(self, request: Request) -> Batch | None:
        return self.jobs.get(str(request.path_params.get("batch", "")))

    # --- pages ---

    async def home(self, request: Request) -> Response:
        return _html(home(self.jobs.listing(), _csrf(request), _limits_text(self.settings)))

    async def batch(self, request: Request) -> Response:
        batch = self._batch(request)
        if batch is None:
            return _not_found("批次不存在")
        if batch.state == "new":  # listed after a restart: run again (the store has its reports)
            self.jobs.start(batch)
        filters = Filters.of(dict(request.query_params))

        def build() -> str:
            rows: list[View] = []
            if batch.state == "done":
                with self.store() as store:
                    rows = views(batch, store)
            return overview(batch, rows, filters.apply(rows), filters, _csrf(request))

        return _html(await run_in_threadpool(build))

    async def progress(self, request: Request) -> Response:
        batch = self._batch(request)
        if batch is None:
            return JSONResponse({"error": "批次不存在"}, status_code=404)
        return JSONResponse(
            {
                "state": batch.state,
                "label": STATE_CN[batch.state],
                "done": batch.done,
                "total": batch.total,
                "error": batch.error,
            }
        )

    async def report(self, request: Request) -> Response:
        return await self._report(request)

    async def _report(self, request: Request, error: str = "", status: int = 200) -> Response:
        batch = self._batch(request)
        index = int(request.path_params["index"])
        if batch is None or batch.state != "done" or not 0 <= index < len(batch.results):
            return _not_found("报告不存在（批次可能仍在检查中）")
        who = unquote(request.cookies.get(WHO_COOKIE, ""))[:MAX_WHO]

        def build() -> str:
            with self.store() as store:
                v = view(batch, index, batch.results[index], store, decisions(store))
            return report_page(batch, v, _csrf(request), who, error)

        return _html(await run_in_threadpool(build), status)

    async def rule(self, request: Request) -> Response:
        rule = load_rules().get(str(request.path_params["rule"]))
        if rule is None:
            return _not_found("没有这条规则")
        seen = [
            (b.id, b.title, sum(1 for r in b.results for f in r.findings if f.rule == rule.id))
            for b in self.jobs.listing()
        ]
        return _html(rule_page(rule, seen))

    # --- forms ---

    async def _form(self, request: Request) -> dict[str, str] | None:
        form = await request.form(max_files=0, max_fields=20, max_part_size=4096)
        fields = {k: v for k, v in form.items() if isinstance(v, str)}
        return fields if csrf_ok(request.scope, fields.get(CSRF_FIELD)) else None

    async def decide(self, request: Request) -> Response:
        fields = await self._form(request)
        if fields is None:
            return _html(
                message_page("请求无效", "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试。"), 403
            )
        batch = self._batch(request)
        index = int(request.path_params["index"])
        if batch is None or batch.state != "done" or not 0 <= index < len(batch.results):
            return _not_found("报告不存在（批次可能正在重新检查）")
        action = fields.get("action", "")
        who = fields.get("who", "").strip()[:MAX_WHO]
        reason = fields.get("reason", "").strip()[:MAX_REASON]
        back = fields.get("back", "")

        def act() -> str:
            with self.store() as store:
                v = view(batch, index, batch.results[index], store, decisions(store))
                item = v.item(fields.get("fp", ""))
                if item is None or not item.fingerprint:
                    return "找不到这个问题（报告可能已重新检查），请刷新页面"
                f = item.finding
                head = v.result.head
                stored = StoredFinding(
                    0, v.shown, store.body_of(head.meta.organization) if head else None,
                    head.meta.year if head else None, f.rule, f.severity, f.message, f.cells,
                    f.loc.to_dict() if f.loc else None, item.fingerprint,
                )  # fmt: skip
                if action == "undo":
                    undo(store, stored)
                    return ""
                if action not in ("confirm", "dismiss"):
                    return "未知的操作"
                if not who:
                    return "请填写决定人"
                if action == "dismiss" and not reason:
                    return "排除问题须写明理由"
                decide(store, stored, "confirmed" if action == "confirm" else "dismissed", who, reason)
                return ""

        try:
            problem = await run_in_threadpool(act)
        except HistoryError as err:
            problem = str(err)
        if problem:
            return await self._report(request, problem, 400)
        anchor = back if back.replace("-", "").isalnum() else ""
        response = RedirectResponse(
            f"/batch/{batch.id}/report/{index}" + (f"#{anchor}" if anchor else ""), status_code=303
        )
        if who:
            response.set_cookie(WHO_COOKIE, quote(who), max_age=365 * 86400, httponly=True, samesite="strict")
        return response

    async def rerun(self, request: Request) -> Response:
        fields = await self._form(request)
        if fields is None:
            return _html(
                message_page("请求无效", "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试。"), 403
            )
        batch = self._batch(request)
        if batch is None:
            return _not_found("批次不存在")
        self.jobs.start(batch)
        return RedirectResponse(f"/batch/{batch.id}", status_code=303)

    async def upload(self, request: Request) -> Response:
        wants_json = "application/json" in request.headers.get("accept", "")
        declared = request.headers.get("content-length")
        if (
            declared is not None
            and declared.isdigit()
            and int(declared) > self.settings.max_upload_bytes + 65536
        ):
            return self._upload_error(
                request, f"上传内容超过上限 {self.settings.max_upload_mb:g} MB", wants_json, 413
            )
        limited = Request(request.scope, receive=self._limited(request))
        batch_id, folder = await run_in_threadpool(self.jobs.new_upload)
        saved = Saved(folder, self.settings)
        title = ""
        try:
            async with limited.form(
                max_files=self.settings.max_files, max_fields=10, max_part_size=4096
            ) as form:
                if not csrf_ok(request.scope, str(form.get(CSRF_FIELD) or "")):
                    await run_in_threadpool(remove_tree, folder.parent)
                    return self._upload_error(
                        request, "表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试。", wants_json, 403
                    )
                title = str(form.get("title") or "").strip()[:100]
                for value in form.getlist("files"):
                    if isinstance(value, UploadFile) and value.filename:
                        await run_in_threadpool(saved.add, value.filename, value.file)
        except (UploadError, ClientDisconnect) as err:
            await run_in_threadpool(remove_tree, folder.parent)
            text = str(err) if isinstance(err, UploadError) else "上传中断"
            return self._upload_error(request, text, wants_json, 413 if isinstance(err, TooLarge) else 400)
        except Exception as err:  # a malformed multipart body
            await run_in_threadpool(remove_tree, folder.parent)
            return self._upload_error(request, f"无法读取上传的内容（{type(err).__name__}）", wants_json, 400)
        if not saved.names:
            await run_in_threadpool(remove_tree, folder.parent)
            why = "；".join(f"{n}：{r}" for n, r in saved.skipped[:5])
            return self._upload_error(
                request, "没有可检查的报告文件" + (f"（{why}）" if why else ""), wants_json, 400
            )
        first = next(iter(saved.names.values()))
        title = title or (first if len(saved.names) == 1 else f"{first} 等 {len(saved.names)} 个文件")
        batch = await run_in_threadpool(self.jobs.add_upload, batch_id, title, saved.names, saved.skipped)
        self.jobs.start(batch)
        url = f"/batch/{batch.id}"
        if wants_json:
            return JSONResponse({"url": url, "files": len(saved.names), "skipped": len(saved.skipped)})
        return RedirectResponse(url, status_code=303)

    def _limited(self, request: Request) -> Callable[[], Awaitable[dict[str, Any]]]:
        limit = self.settings.max_upload_bytes + 65536  # the form's own fields and boundaries
        seen = 0
        receive = request.receive

        async def read() -> dict[str, Any]:
            nonlocal seen
            message = dict(await receive())
            seen += len(message.get("body", b""))
            if seen > limit:
                raise TooLarge(f"上传内容超过上限 {self.settings.max_upload_mb:g} MB")
            return message

        return read

    def _upload_error(self, request: Request, text: str, wants_json: bool, status: int) -> Response:
        if wants_json:
            return JSONResponse({"error": text}, status_code=status)
        return _html(home(self.jobs.listing(), _csrf(request), _limits_text(self.settings), text), status)

    # --- downloads ---

    async def download(self, request: Request) -> Response:
        batch = self._batch(request)
        fmt = str(request.path_params["fmt"])
        if batch is None or batch.state != "done" or fmt not in dict(DOWNLOADS):
            return _not_found("无法下载（批次不存在、仍在检查中或格式未知）")

        def build() -> bytes:
            with self.store() as store:
                results = live_results(batch, store, under_root=fmt == "sarif")
            data = render(fmt, results, RenderOptions(root=batch.root if fmt == "sarif" else None))
            return data if isinstance(data, bytes) else data.encode("utf-8")

        data = await run_in_threadpool(build)
        spec = FORMATS[fmt]
        media = {
            "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "csv": "text/csv; charset=utf-8",
            "json": "application/json",
            "sarif": "application/sarif+json",
            "html": "text/html; charset=utf-8",
        }[fmt]
        return _attachment(data, media, f"检查结果-{batch.id}{spec.suffix}")

    async def rectification(self, request: Request) -> Response:
        batch = self._batch(request)
        workbook = request.url.path.endswith(".xlsx")
        if batch is None or batch.state != "done":
            return _not_found("无法生成整改清单（批次不存在或仍在检查中）")

        def build() -> bytes | str:
            with self.store() as store:
                chosen = rectification(views(batch, store))
            return rectification_xlsx(chosen) if workbook else rectification_html(chosen)

        data = await run_in_threadpool(build)
        if isinstance(data, bytes):
            return _attachment(
                data,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                f"整改清单-{batch.id}.xlsx",
            )
        return HTMLResponse(data, headers={"content-security-policy": CSP_PRINTABLE})


def _attachment(data: bytes, media: str, name: str) -> Response:
    return Response(
        data,
        media_type=media,
        headers={
            "content-disposition": f"attachment; filename=\"download{Path(name).suffix}\"; filename*=UTF-8''{quote(name)}"
        },
    )
