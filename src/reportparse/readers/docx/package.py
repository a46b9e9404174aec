"""Low-level, hostile-input-safe access to OOXML packages (DOCX): the zip and its XML parts.

A DOCX is a zip of XML parts. Both layers can be weaponised: a zip bomb (tiny file, gigabytes
once inflated, or millions of entries) and XML entity tricks (billion laughs, XXE reading local
files or the network). Everything here fails with a `ReadError` carrying an EXT- note instead
of hanging, exhausting memory or touching anything outside the file.

The WordprocessingML namespaces and qualified names the reader walks by are here too.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from io import BytesIO
from typing import Any

from lxml import etree

from ...extraction import problem
from ...limits import limits
from ...model import Loc
from .. import ReadError

# What reading a damaged, truncated or hostile zip member can raise (zipfile, zlib, the OS)
UNZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    NotImplementedError,
    RuntimeError,
    ValueError,
)
# Real DOCX parts compress 10–40×; a zip bomb compresses 1000× and more. Small entries are
# exempt because their ratio says nothing and they cannot hurt.
MAX_RATIO = 200
RATIO_MIN_SIZE = 1024 * 1024

NS_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS_W_STRICT = "http://purl.oclc.org/ooxml/wordprocessingml/main"
NS_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
NS_M = "http://schemas.openxmlformats.org/officeDocument/2006/math"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_DC = "http://purl.org/dc/elements/1.1/"

REL_OFFICE_DOCUMENT = ("/officeDocument",)
REL_CORE = ("/core-properties", "/metadata/core-properties")

# A DOCTYPE has no business in an OOXML part; refusing it outright closes every entity attack.
_DTD_RE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _fail(rule: str, message: str, path: str | None, **data: Any) -> ReadError:
    return ReadError(problem(rule, message, loc=Loc(file=path), **data))


def safe_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )


def parse_xml(data: bytes, part: str, path: str | None) -> etree._Element:
    """Parse one XML part; DTDs and entity declarations are refused (billion laughs, XXE)."""
    if _DTD_RE.search(data):
        raise _fail(
            "EXT-001",
            f"DOCX 部件 {part} 含 DTD 或实体声明（可能是 XXE 或实体膨胀攻击），出于安全原因拒绝读取",
            path,
            part=part,
        )
    try:
        root = etree.fromstring(data, parser=safe_parser())
    except etree.XMLSyntaxError as err:
        if "entity" in (err.msg or "").lower() or "amplification" in (err.msg or ""):
            # UTF-16 hides the DOCTYPE from the byte scan; libxml2's own guard stops the expansion
            raise _fail(
                "EXT-001",
                f"DOCX 部件 {part} 含 DTD 或实体声明（可能是 XXE 或实体膨胀攻击），出于安全原因拒绝读取",
                path,
                part=part,
            ) from None
        if "XML_PARSE_HUGE" in (err.msg or "") or "Excessive depth" in (err.msg or ""):
            raise _fail(
                "EXT-003",
                f"DOCX 部件 {part} 的嵌套层级或文本节点超出安全解析上限（{err.msg}）",
                path,
                part=part,
            ) from None
        raise _fail(
            "EXT-001",
            f"DOCX 部件 {part} 不是合法的 XML（{err.msg}），文件可能已损坏或被截断",
            path,
            part=part,
        ) from None
    # Non-ASCII encodings (UTF-16) hide the DOCTYPE from the byte scan: check what lxml saw.
    docinfo: Any = root.getroottree().docinfo  # lxml-stubs lack internalDTD/doctype
    if docinfo.internalDTD is not None or docinfo.doctype:
        raise _fail("EXT-001", f"DOCX 部件 {part} 含 DTD 或实体声明，出于安全原因拒绝读取", path, part=part)
    return root


class Package:
    """A checked OOXML zip: parts are read lazily, each counted against the global budget."""

    def __init__(self, data: bytes, path: str | None) -> None:
        self.path = path
        try:
            self._zip = zipfile.ZipFile(BytesIO(data))
            infos = self._zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError):
            raise _fail("EXT-001", "文件不是有效的 DOCX（zip 结构损坏或文件被截断）", path) from None
        if len(infos) > limits().max_zip_entries:
            raise _fail(
                "EXT-003",
                f"DOCX 压缩包含 {len(infos)} 个条目，超过上限 {limits().max_zip_entries}",
                path,
                entries=len(infos),
                limit=limits().max_zip_entries,
            )
        total = sum(i.file_size for i in infos)
        if total > limits().max_unzipped_bytes:
            raise _fail(
                "EXT-003",
                f"DOCX 解压后共 {total} 字节，超过上限 {limits().max_unzipped_bytes} 字节（疑似压缩炸弹）",
                path,
                size=total,
                limit=limits().max_unzipped_bytes,
            )
        for info in infos:
            if info.file_size >= RATIO_MIN_SIZE and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                ratio = info.file_size // max(info.compress_size, 1)
                raise _fail(
                    "EXT-003",
                    f"DOCX 条目 {info.filename} 压缩比 {ratio}:1 异常（疑似压缩炸弹），拒绝解压",
                    path,
                    entry=info.filename,
                    ratio=ratio,
                    limit=MAX_RATIO,
                )
        self._infos = {i.filename: i for i in infos}
        self._budget = limits().max_unzipped_bytes

    def has(self, name: str) -> bool:
        return name in self._infos

    def read(self, name: str) -> bytes:
        info = self._infos[name]
        if info.flag_bits & 0x1:
            raise _fail("EXT-002", f"DOCX 条目 {name} 已加密，无法读取", self.path, entry=name)
        try:
            with self._zip.open(info) as f:
                # Never trust the declared size: read at most one byte more than allowed.
                data = f.read(min(info.file_size, self._budget) + 1)
        except UNZIP_ERRORS as err:
            raise _fail(
                "EXT-001",
                f"DOCX 条目 {name} 无法解压（{type(err).__name__}），文件可能已损坏或被截断",
                self.path,
                entry=name,
            ) from None
        if len(data) > info.file_size or len(data) > self._budget:
            raise _fail(
                "EXT-003",
                f"DOCX 条目 {name} 解压后超出声明大小或总量上限（疑似压缩炸弹）",
                self.path,
                entry=name,
                limit=limits().max_unzipped_bytes,
            )
        self._budget -= len(data)
        return data

    def xml(self, name: str) -> etree._Element:
        info = self._infos[name]
        if info.file_size > limits().max_xml_bytes:
            data = b"\0" * (limits().max_xml_bytes + 1)  # declared too large: not even read
        else:
            data = self.read(name)
        if len(data) > limits().max_xml_bytes:
            raise _fail(
                "EXT-003",
                f"DOCX 部件 {name} 解压后 {len(data) // (1024 * 1024)} MB，超过 XML 解析上限 "
                f"{limits().max_xml_mb:g} MB（可用环境变量 REPORTPARSE_MAX_XML_MB 调整）",
                self.path,
                part=name,
                limit=limits().max_xml_bytes,
            )
        return parse_xml(data, name, self.path)

    def relationships(self, source: str) -> list[tuple[str, str]]:
        """(type, target part name) of the relationships of `source` ("" for the package)."""
        folder, base = posixpath.split(source)
        rels_name = posixpath.join(folder, "_rels", f"{base}.rels")
        if not self.has(rels_name):
            return []
        out: list[tuple[str, str]] = []
        for rel in self.xml(rels_name).iter(f"{{{NS_PKG_REL}}}Relationship"):
            if rel.get("TargetMode") == "External":
                continue
            target = rel.get("Target") or ""
            name = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join(folder, target))
            )
            out.append((rel.get("Type") or "", name))
        return out

    def targets(self, source: str) -> dict[str, str]:
        """Relationship id -> part name, of the internal relationships of `source`."""
        folder, base = posixpath.split(source)
        rels_name = posixpath.join(folder, "_rels", f"{base}.rels")
        if not self.has(rels_name):
            return {}
        out: dict[str, str] = {}
        for rel in self.xml(rels_name).iter(f"{{{NS_PKG_REL}}}Relationship"):
            target = rel.get("Target") or ""
            if rel.get("TargetMode") == "External" or not rel.get("Id"):
                continue
            name = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join(folder, target))
            )
            out[str(rel.get("Id"))] = name
        return out

    def related(self, source: str, suffixes: tuple[str, ...]) -> str | None:
        for rel_type, name in self.relationships(source):
            if rel_type.endswith(suffixes) and self.has(name):
                return name
        return None


# --- WordprocessingML names -------------------------------------------------------------------


class Names:
    """Qualified tag names for one WordprocessingML namespace (transitional or strict)."""

    def __init__(self, ns: str) -> None:
        self.ns = ns

    def __call__(self, local: str) -> str:
        return f"{{{self.ns}}}{local}"

    def val(self, el: etree._Element | None, attr: str = "val") -> str | None:
        return None if el is None else el.get(self(attr))

    def on(self, el: etree._Element | None) -> bool:
        """A toggle property (`<w:vanish/>`, `<w:vanish w:val="false"/>`)."""
        if el is None:
            return False
        return self.val(el) not in ("0", "false", "off")


def int_value(value: str | None, default: int) -> int:
    """An attribute's whole number; `default` when it is missing or not a number."""
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default
