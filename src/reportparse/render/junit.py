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
    total_tests = total_failures = 0
    for r in results:
        path = display_path(r.path, options.root)
        by_rule: dict[str, list[Finding]] = {}
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
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", "0")
        total_tests += len(cases)
        total_failures += failures
    root.set("tests", str(total_tests))
    root.set("failures", str(total_failures))
    root.set("errors", "0")
    ET.indent(root, space=" ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
