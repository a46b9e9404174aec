"""The rule registry: every rule has a stable id, a name, a default severity, tags and docs.

A rule is a function `Report -> Iterable[Finding]` registered with `@rule(...)`. Rules that need
several reports of the same body (cross-year continuity, copies of last year's report) are
registered with `scope="batch"` and take the reports of one body in year order instead. Rules
that compare a batch with a roster of bodies (`scope="roster"`, rules/coverage.py) are run by
the batch engine (batch/coverage.py) when `check --roster` is given.
Users select, ignore and re-grade rules by id (`T3-001`) or family (`T3`), see `config.py`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from ..extraction import BLOCKING, EXT_RULES, internal_error
from ..findings import SEVERITY_ORDER, Finding, Unverified, extraction_findings
from ..model import BodyKind, Loc, Report, Severity, TableData, TableName
from ..templates import TABLE_TITLES, VERSIONS, template
from .where import of_report

ReportRule = Callable[..., Iterable[Finding]]  # (report[, threshold=])
BatchRule = Callable[..., Iterable[Finding]]  # (reports of one body or year[, threshold=])

FAMILIES = ("EXT", "STR", "TPL", "NUM", "T2", "T3", "T4", "TXT", "PUB", "CNT", "QLT")


@dataclass(frozen=True)
class Rule:
    id: str
    name: str  # kebab-case, stable like the id
    severity: Severity
    title: str  # one line, Chinese
    tags: tuple[str, ...] = ()
    scope: Literal["report", "batch", "extraction", "roster", "yearly"] = "report"
    enabled: bool = True  # enabled unless selected explicitly
    example: str = ""  # docs: a violation, as printed in a report
    fix: str = ""  # docs: how to fix it
    basis: str = ""  # docs: why the rule exists (law, template, practice)
    check: ReportRule | None = None
    check_batch: BatchRule | None = None
    emits: tuple[Severity, ...] = ()  # severities it may report beyond the default
    # Which reports it judges; the engine applies these, rules do not test them again.
    templates: tuple[str, ...] = ()  # template versions (empty: any)
    years: tuple[int | None, int | None] = (None, None)  # report years, inclusive (None: open)
    body_kinds: tuple[BodyKind, ...] = ()  # (empty: any)
    # The tables it judges: it sees a table only when the table was read well enough to judge
    # (not `failed`), and a table read partly or not at all is listed as not verified for it.
    reads: tuple[TableName, ...] = ()
    # It judges which rows a table prints: of a failed table it still sees the rows that the
    # document prints nowhere (`missing_rows`, evidence that does not depend on the reading).
    judges_rows: bool = False
    # A rule with a threshold (QLT-001's similarity) takes it as `threshold=` — this default, or
    # the value `[thresholds]` in reportparse.toml sets (Selection.thresholds).
    threshold: float | None = None
    # the values `[thresholds]` may give it: above the first, at most the second
    threshold_range: tuple[float, float] = (0.0, 1.0)

    @property
    def severities(self) -> tuple[Severity, ...]:
        """Every severity its findings can carry, most severe first."""
        return tuple(s for s in ("error", "warning", "info") if s == self.severity or s in self.emits)

    @property
    def family(self) -> str:
        return self.id.rsplit("-", 1)[0]


REGISTRY: dict[str, Rule] = {}


def rule(
    id: str,
    name: str,
    severity: Severity,
    title: str,
    *,
    tags: tuple[str, ...] = (),
    scope: Literal["report", "batch", "roster", "yearly"] = "report",
    enabled: bool = True,
    example: str = "",
    fix: str = "",
    basis: str = "",
    emits: tuple[Severity, ...] = (),
    templates: tuple[str, ...] = (),
    years: tuple[int | None, int | None] = (None, None),
    body_kinds: tuple[BodyKind, ...] = (),
    reads: tuple[TableName, ...] = (),
    judges_rows: bool = False,
    threshold: float | None = None,
    threshold_range: tuple[float, float] = (0.0, 1.0),
) -> Callable[[Callable[..., Iterable[Finding]]], Callable[..., Iterable[Finding]]]:
    def register(fn: Callable[..., Iterable[Finding]]) -> Callable[..., Iterable[Finding]]:
        if id in REGISTRY:
            raise ValueError(f"rule {id} registered twice")
        REGISTRY[id] = Rule(
            id,
            name,
            severity,
            title,
            tags,
            scope,
            enabled,
            example,
            fix,
            basis,
            check=fn if scope == "report" else None,
            check_batch=fn if scope == "batch" else None,
            emits=emits,
            templates=templates,
            years=years,
            body_kinds=body_kinds,
            reads=reads,
            judges_rows=judges_rows,
            threshold=threshold,
            threshold_range=threshold_range,
        )
        return fn

    return register


def _register_extraction_rules() -> None:
    for rid, ext in EXT_RULES.items():
        REGISTRY.setdefault(
            rid,
            Rule(
                rid,
                f"extraction-{rid[-3:]}",
                ext.severity,
                ext.title,
                ("extraction",),
                scope="extraction",
                fix=ext.fix,
                basis="读取阶段发现的问题，见 docs/extraction.md",
                emits=ext.emits,
            ),
        )


# Ids of the catalogue (template-spec §7) that are not rules. They stay listed so that no one
# gives them another meaning (an id never changes meaning).
RETIRED: dict[str, str] = {
    "TPL-001": "模板版本识别是分类而非问题：结果见 meta.template，由 TPL-002、TPL-003、TPL-010 据此检查",
    "T2-002": "本年废止件数与上年现行有效件数、本年制发件数的关系，已由 T2-001 的存量衔接一并检查",
}

_MODULES = (
    "structure",
    "cells",
    "arithmetic",
    "narrative",
    "dates",
    "content",
    "batch",
    "coverage",
    "yearly",
)
_loaded = False


def load_rules() -> dict[str, Rule]:
    """Import every rule module once; returns the registry."""
    global _loaded
    if not _loaded:
        _register_extraction_rules()
        for name in _MODULES:
            importlib.import_module(f"{__name__}.{name}")
        _loaded = True
    return REGISTRY


def finding(
    rule_id: str,
    message: str,
    report: Report,
    *,
    cells: Sequence[str] = (),
    expected: object = None,
    actual: object = None,
    loc: Loc | None = None,
    severity: Severity | None = None,
) -> Finding:
    """Build a finding for a registered rule; the location defaults to the first cell's."""
    rule_ = REGISTRY[rule_id]
    if severity is not None and severity not in rule_.severities:
        raise ValueError(f"{rule_id} does not declare severity {severity}")
    if loc is None:
        for cid in cells:
            cell = report.cell(cid)
            if cell is not None and cell.loc is not None:
                loc = cell.loc
                break
    return Finding(
        rule=rule_id,
        severity=severity or rule_.severity,
        message=message,
        cells=tuple(cells),
        expected=expected,
        actual=actual,
        loc=loc or of_report(report),  # a finding about the whole report points at its title
        file=report.source.path,
    )


def rule_order(rule_id: str) -> tuple[int, str]:
    """Rule ids in catalogue order: by family (as in FAMILIES), then by id."""
    family = rule_id.rsplit("-", 1)[0]
    return (FAMILIES.index(family) if family in FAMILIES else len(FAMILIES), rule_id)


def report_years(report: Report) -> tuple[int, int] | None:
    """The years the report can be for: its own, else those of the template it follows."""
    if report.meta.year is not None:
        return report.meta.year, report.meta.year
    if report.meta.template in VERSIONS:
        return template(report.meta.template).years
    return None


def applies(r: Rule, report: Report) -> bool:
    """Whether `r` judges this report, by the templates, years and body kinds it declares."""
    if r.templates and report.meta.template not in r.templates:
        return False
    if r.body_kinds and report.meta.body_kind not in r.body_kinds:
        return False
    lo, hi = r.years
    if lo is None and hi is None:
        return True
    span = report_years(report)
    if span is None:
        return False  # a year-bound rule never judges a report whose year is not known
    return (lo is None or span[0] >= lo) and (hi is None or span[1] <= hi)


def judged(report: Report, r: Rule) -> Report:
    """The report as `r` may see it: of each table it reads that failed to read, nothing — or,
    for a rule that judges rows, only the rows the document prints nowhere."""
    hidden: dict[str, Any] = {}
    for name in r.reads:
        data = report.tables[name]
        if data is not None and data.status == "failed":
            hidden[name] = (
                TableData(
                    name, data.template, {}, missing_rows=data.missing_rows, confidence="low", loc=data.loc
                )
                if r.judges_rows and data.missing_rows
                else None
            )
    return replace(report, **hidden) if hidden else report


def unverified(report: Report, selection: Selection | None = None) -> list[Unverified]:
    """Per table read partly or not at all: the enabled checks that could not judge all of it."""
    registry = load_rules()
    selection = selection or Selection()
    if _unreadable(report):
        return []
    out: list[Unverified] = []
    for name, data in report.tables.items():
        if data is None or data.status == "complete":
            continue
        checks = tuple(
            sorted(
                (
                    r.id
                    for r in registry.values()
                    if name in r.reads and selection.enabled(r) and applies(r, report)
                ),
                key=rule_order,
            )
        )
        if checks:
            out.append(Unverified(name, checks, f"{TABLE_TITLES[name]}{data.read_reason}"))
    return out


def run_report_rules(report: Report, selection: Selection | None = None) -> list[Finding]:
    """Every finding for one report: extraction problems first, then each enabled rule that
    applies to the report, on what it may judge of it."""
    registry = load_rules()
    selection = selection or Selection()
    out = [f for f in extraction_findings(report) if selection.enabled(registry[f.rule])]
    blocked = _unreadable(report)
    for r in registry.values():
        if r.check is None or not selection.enabled(r) or blocked or not applies(r, report):
            continue
        try:
            if r.threshold is not None:  # a setting of reportparse.toml's [thresholds]
                out.extend(r.check(judged(report, r), threshold=selection.threshold(r)))
            else:
                out.extend(r.check(judged(report, r)))
        except Exception as err:  # one faulty rule must not hide the others' findings
            path = report.source.path
            note = internal_error(f"规则 {r.id} 执行时", f"{type(err).__name__}: {err}", loc=Loc(file=path))
            out.append(Finding("EXT-013", "error", note.message, loc=note.loc, file=path))
    return [selection.regrade(f) for f in out if selection.enabled(registry[f.rule])]


def _unreadable(report: Report) -> bool:
    """A file that could not be read at all gets only its EXT- finding, no cascade of rules."""
    return any(n.rule in BLOCKING for n in report.extraction_notes) and not report.sections


SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


def rule_codes(values: Any, where: str) -> tuple[str, ...]:
    """Rule ids or families as `select`, `ignore` and `extend-select` take them — a list, or a
    comma-separated string — checked against the catalogue: a code that is unknown or retired
    would silently select nothing, so it is a ValueError naming it (`where` says whose)."""
    if isinstance(values, str):
        values = [v for v in values.replace(" ", "").split(",") if v]
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        raise ValueError(f'{where} 应为规则编号列表，如 ["T3", "CNT-005"]')
    registry = load_rules()
    for v in values:
        if v in RETIRED:
            raise ValueError(f"{where} 中的「{v}」已停用：{RETIRED[v]}")
        if v != "ALL" and v not in registry and v not in FAMILIES:
            raise ValueError(f"{where} 中的「{v}」不是已知的规则编号或规则族（如 T3-001、T3）")
    return tuple(values)


def rule_severities(values: Any, where: str) -> tuple[tuple[str, Severity], ...]:
    """Re-gradings as `[severity]` gives them (a mapping, or (code, severity) pairs), checked
    like `rule_codes`."""
    shape = f'{where} 的 severity 应为「规则编号 = 级别」，如 {{"TXT-005": "info"}}'
    pairs = list(values.items()) if isinstance(values, dict) else values
    if not isinstance(pairs, list | tuple):
        raise ValueError(shape)
    out: list[tuple[str, Severity]] = []
    for pair in pairs:
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise ValueError(shape)
        code, sev = pair
        rule_codes([code], f"{where} 的 severity")
        if sev not in SEVERITIES:
            raise ValueError(f"{where} 中 {code} 的级别「{sev}」无效（可用：error、warning、info）")
        out.append((code, sev))
    return tuple(out)


def rule_thresholds(values: Any, where: str) -> tuple[tuple[str, float], ...]:
    """Thresholds as `[thresholds]` gives them (a mapping, or (rule id, value) pairs): only rules
    that have one, values in (0, 1]."""
    load_rules()
    pairs = list(values.items()) if isinstance(values, dict) else values
    shape = f'{where} 的 thresholds 应为「规则编号 = 数值」，如 {{"QLT-001": 0.5}}'
    if not isinstance(pairs, list | tuple):
        raise ValueError(shape)
    out: list[tuple[str, float]] = []
    for pair in pairs:
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise ValueError(shape)
        code, value = pair
        known = sorted(r.id for r in REGISTRY.values() if r.threshold is not None)
        if code not in known:
            raise ValueError(
                f"{where} 中的 thresholds：{code} 没有可设置的阈值（可设置：{'、'.join(known)}）"
            )
        low, high = REGISTRY[code].threshold_range
        if isinstance(value, bool) or not isinstance(value, int | float) or not low < value <= high:
            raise ValueError(
                f"{where} 中 {code} 的阈值「{value}」无效：应为大于 {low:g}、不大于 {high:g} 的数"
                f"（默认 {REGISTRY[code].threshold:g}）"
            )
        out.append((code, float(value)))
    return tuple(out)


@dataclass(frozen=True)
class Selection:
    """Which rules run and at what severity: ids or families, as on the command line.

    Codes are checked when it is made, as `--select` checks them: `Selection(select="T3,T4")`
    and `Selection(select=["T3"])` mean `select=("T3", "T4")` and `("T3",)`, and an unknown
    or retired code is a ValueError naming it. `severity` may also be a dict."""

    select: tuple[str, ...] = ()  # empty: every rule enabled by default
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()  # turn on rules that are off by default (e.g. QLT)
    severity: tuple[tuple[str, Severity], ...] = ()  # (id or family, new severity)
    thresholds: tuple[tuple[str, float], ...] = ()  # (rule id, value) for rules with a threshold

    def __post_init__(self) -> None:
        # frozen: the checked, normalised values replace what was given (a str, a list, a dict)
        for name in ("select", "ignore", "extend_select"):
            if getattr(self, name):
                object.__setattr__(self, name, rule_codes(getattr(self, name), f"Selection 的 {name}"))
        if self.severity:
            object.__setattr__(self, "severity", rule_severities(self.severity, "Selection"))
        if self.thresholds:
            object.__setattr__(self, "thresholds", rule_thresholds(self.thresholds, "Selection"))
        # each rule's answer, once: every report asks about every rule, several times
        object.__setattr__(self, "_enabled", {})

    def threshold(self, r: Rule) -> float | None:
        """The rule's threshold as this selection sets it, else its default."""
        return next((v for k, v in self.thresholds if k == r.id), r.threshold)

    def enabled(self, r: Rule) -> bool:
        known: dict[str, bool] = self.__dict__["_enabled"]
        answer = known.get(r.id)
        if answer is None:
            answer = known[r.id] = self._decide(r)
        return answer

    def _decide(self, r: Rule) -> bool:
        if _matches(r, self.ignore):
            return False
        if self.select:
            return _matches(r, self.select) or (
                r.scope == "extraction" and not _any_family(self.select, "EXT")
            )
        return r.enabled or _matches(r, self.extend_select)

    def regrade(self, f: Finding) -> Finding:
        for key, sev in self.severity:
            if f.rule == key or f.rule.rsplit("-", 1)[0] == key:
                return replace(f, severity=sev)
        return f


def _matches(r: Rule, keys: tuple[str, ...]) -> bool:
    return any(k in ("ALL", r.id, r.family) for k in keys)


def _any_family(keys: tuple[str, ...], family: str) -> bool:
    return any(k == family or k.startswith(family + "-") for k in keys)


def at_or_above(findings: Iterable[Finding], level: str) -> bool:
    if level == "never":
        return False
    return any(SEVERITY_ORDER[f.severity] >= SEVERITY_ORDER[level] for f in findings)
