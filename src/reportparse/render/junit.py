"""`check --format junit`: JUnit XML for CI test reports (GitLab, Jenkins, Azure, …).

One testsuite per file; in it one testcase per rule that reported something, named
`<file>::<rule>` (unique in the document) — failing for errors and warnings, passing with the
messages in system-out for info — or a single passing `<file>::全部规则` when nothing was found.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..findings import SEVERITY_CN, SEVERITY_ORDER, Finding
from ..rules import REGISTRY, load_rules
from . import DEFAULT_OPTIONS, RenderOptions
from .text import display_path, finding_location

if TYPE_CHECKING:
    from ..batch import FileResult

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    """Characters XML 1.0 cannot hold (form feeds from PDF text layers…) removed."""
    return _XML_INVALID.sub("", text)


def render_junit(results: Sequence[FileResult], options: RenderOptions = DEFAULT_OPTIONS) -> str:
    load_rules()
    root = ET.Element("testsuites", name="reportparse check")
    total_tests = total_failures = total_skipped = 0
    for r in results:
        path = display_path(r.path, options.root)
        by_rule: dict[str, list[Finding]] = {}
        again = dict(r.recurring)
        marked: dict[int, str] = {
            id(f): f"（重复出现：{again[i].year} 年已确认需整改）"
            for i, f in enumerate(r.findings)
            if i in again
        }
        for f in r.findings:
            by_rule.setdefault(f.rule, []).append(f)
        suite = ET.SubElement(root, "testsuite", name=xml_text(path))
        failures = 0
        cases = sorted(by_rule.items()) or [("", [])]
        for rule_id, found in cases:
            name = f"{path}::{rule_id}" if rule_id else f"{path}::全部规则"
            family = rule_id.rsplit("-", 1)[0] if rule_id else ""
            case = ET.SubElement(
                suite,
                "testcase",
                name=xml_text(name),
                classname=f"reportparse.{family}" if family else "reportparse",
                file=xml_text(path),
            )
            if not found:
                continue
            worst = max(found, key=lambda f: SEVERITY_ORDER[f.severity])
            lines = [
                f"{SEVERITY_CN[f.severity]} {f.rule} {f.message}"
                + (f"（{loc}）" if (loc := finding_location(r.head, f)) else "")
                + marked.get(id(f), "")
                for f in found
            ]
            title = REGISTRY[rule_id].title if rule_id in REGISTRY else rule_id
            if worst.severity in ("error", "warning"):
                failures += 1
                failure = ET.SubElement(
                    case,
                    "failure",
                    message=xml_text(f"{rule_id} {title}：{worst.message}"),
                    type=worst.severity,
                )
                failure.text = xml_text("\n".join(lines))
            else:
                ET.SubElement(case, "system-out").text = xml_text("\n".join(lines))
        for f, d in r.dismissed:  # reportparse review: shown as skipped, not counted as failures
            case = ET.SubElement(
                suite,
                "testcase",
                name=xml_text(f"{path}::{f.rule}::已排除::{f.fingerprint(path)[:10]}"),
                classname=f"reportparse.{f.rule.rsplit('-', 1)[0]}",
                file=xml_text(path),
            )
            ET.SubElement(
                case, "skipped", message=xml_text(f"复核排除：{d.reason}（{d.who}，{d.decided_at[:10]}）")
            ).text = xml_text(f"{SEVERITY_CN[f.severity]} {f.rule} {f.message}")
        suite.set("tests", str(len(cases) + len(r.dismissed)))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", str(len(r.dismissed)))
        total_skipped += len(r.dismissed)
        total_tests += len(cases) + len(r.dismissed)
        total_failures += failures
    if options.coverage is not None:
        tests, failures = _coverage_suite(root, options)
        total_tests, total_failures = total_tests + tests, total_failures + failures
    root.set("tests", str(total_tests))
    root.set("failures", str(total_failures))
    root.set("errors", "0")
    root.set("skipped", str(total_skipped))
    ET.indent(root, space=" ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _coverage_suite(root: ET.Element, options: RenderOptions) -> tuple[int, int]:
    """check --roster: a testsuite 覆盖情况 with a testcase per roster body (failing when the roster
    finding about it — PUB-006, no report — is at error or warning) and per file off the roster."""
    from .coverage import STATUS_CN

    cov = options.coverage
    assert cov is not None
    roster = display_path(cov.roster, options.root)
    suite = ET.SubElement(root, "testsuite", name=xml_text(f"覆盖情况（名册 {roster}，{cov.year} 年度）"))
    failures = 0
    for row in cov.rows:
        case = _coverage_case(suite, f"覆盖情况::{row.body}", roster)
        about = [f for f in cov.findings if f"「{row.body}」" in f.message]
        files = "、".join(display_path(p, options.root) for p in row.files)
        if about and about[0].severity in ("error", "warning"):
            failures += 1
            message = xml_text(f"{about[0].rule} {about[0].message}")
            ET.SubElement(case, "failure", message=message, type=about[0].severity)
        else:
            shown = STATUS_CN[row.status] + (f"：{files}" if files else "")
            ET.SubElement(case, "system-out").text = xml_text(shown)
    for path in cov.unlisted:
        case = _coverage_case(suite, f"覆盖情况::名册外::{display_path(path, options.root)}", roster)
        ET.SubElement(case, "system-out").text = "名册外的报告"
    ET.SubElement(suite, "system-out").text = xml_text(cov.line())  # after the testcases, as the XSD has it
    tests = len(cov.rows) + len(cov.unlisted)
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", "0")
    return tests, failures


def _coverage_case(suite: ET.Element, name: str, roster: str) -> ET.Element:
    return ET.SubElement(
        suite, "testcase", name=xml_text(name), classname="reportparse.PUB", file=xml_text(roster)
    )
