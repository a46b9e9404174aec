"""Try the pre-commit and CI snippets of docs/ci.md as a new user would, in a temporary git
repository of reports; exit 0 when every verdict is the documented one.

    python scripts/try_snippets.py                 # the hook as `repo: local` (no network)
    python scripts/try_snippets.py --hook clone    # the hook from a file:// URL pinned to HEAD
    python scripts/try_snippets.py --keep          # leave the repository for a look

What is tested:

1. **The hook of `.pre-commit-hooks.yaml`**, installed with `pre-commit install` in a new
   repository. By default as a `repo: local` hook with this repository's `entry`, `files` and
   `require_serial` (language `system`, so that pre-commit installs nothing and the code under
   test is the reportparse this Python imports — the checkout, with `PYTHONPATH=src`). With
   `--hook clone` exactly as docs/ci.md says — `repo:` a URL and `rev:` a commit SHA — with a
   `file://` URL of this repository and its HEAD commit: pre-commit clones it and pip-installs it
   and its dependencies into its own environment (needs PyPI, takes a minute; commit first, the
   working tree's changes are not in HEAD). Then: committing a clean report, a README and
   a to-do list passes (the README and the list are not passed to the hook); committing a
   report with an arithmetic error is refused with T3-001 in the output; a bad report in a
   folder the configuration excludes (`extend-exclude`) is committed (`--force-exclude`).
2. **The CI command lines**: every `reportparse check …` line of docs/ci.md's YAML blocks runs
   in that repository, and its exit code is the documented one (1 with an error in 年报/, 0 with
   `--fail-on never` or a baseline that records it); SARIF, JUnit and HTML outputs are read
   back. `reportparse` there is `python -m reportparse.cli` of this Python.

The test suite runs the default mode (tests/test_snippets.py), skipped when git or pre-commit is
missing. Requires: git, pre-commit (`pip install pre-commit`).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "fixtures"))

from generator import text_writer  # noqa: E402  (the fixture generator, tests/fixtures)
from generator.spec import ReportSpec, make_spec  # noqa: E402

REPORTPARSE = [sys.executable, "-m", "reportparse.cli"]
HOOK_NAME = "reportparse check（政府信息公开工作年度报告）"


class Failed(AssertionError):
    pass


def check(condition: bool, what: str, output: str = "") -> None:
    if not condition:
        raise Failed(f"{what}\n{output}")
    print(f"  ok: {what}")


def sh(cmd: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)


def report(organization: str, broken: bool = False) -> str:
    spec: ReportSpec = make_spec("s", year=2024, seed=4, organization=organization)
    if broken:  # 自然人 new applications one too many: T3-001, T3-003 errors
        cells = dict(spec.cells["applications"])
        cells["new_received.natural_person"] = str(int(cells["new_received.natural_person"]) + 1)
        spec = replace(spec, cells={**spec.cells, "applications": cells})
    return text_writer.tika(spec)


def hook_definition() -> dict[str, Any]:
    """The one hook of .pre-commit-hooks.yaml (read without a YAML library: key: value lines)."""
    hook: dict[str, Any] = {}
    for line in (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8").splitlines():
        m = re.match(r"^(?:- )?\s*([a-z_]+): (.*)$", line)
        if m and not line.lstrip().startswith("#"):
            value = m.group(2).strip()
            if value.startswith("'") and value.endswith("'"):
                value = value[1:-1].replace("''", "'")
            elif value.startswith('"') and value.endswith('"'):
                value = json.loads(value)
            hook[m.group(1)] = value
    return hook


def pre_commit_config(mode: str) -> str:
    hook = hook_definition()
    if mode == "clone":
        sha = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        return f"repos:\n  - repo: {ROOT.as_uri()}\n    rev: {sha}\n    hooks:\n      - id: {hook['id']}\n"
    entry = hook["entry"].replace("reportparse", " ".join(shlex.quote(a) for a in REPORTPARSE), 1)
    return (
        "repos:\n"
        "  - repo: local\n"
        "    hooks:\n"
        f"      - id: {hook['id']}\n"
        f"        name: {json.dumps(hook['name'], ensure_ascii=False)}\n"
        f"        entry: {json.dumps(entry)}\n"
        "        language: system\n"
        f"        files: {json.dumps(hook['files'], ensure_ascii=False)}\n"
        f"        require_serial: {hook['require_serial']}\n"
    )


def ci_commands() -> list[str]:
    """Every `reportparse check …` line in the YAML blocks of docs/ci.md, in order."""
    text = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    out: list[str] = []
    for block in re.findall(r"```yaml\n(.*?)```", text, re.S):
        for line in block.splitlines():
            m = re.match(r"^\s*(?:- )?(?:run: )?(reportparse check .*?)\s*(?:#.*)?$", line)
            if m:
                out.append(m.group(1))
    return out


def try_hook(repo: Path, env: dict[str, str], mode: str) -> None:
    print(f"pre-commit hook ({'repo: local' if mode == 'local' else 'file:// clone at HEAD'}):")
    (repo / ".pre-commit-config.yaml").write_text(pre_commit_config(mode), encoding="utf-8")
    done = sh(["pre-commit", "install"], repo, env)
    check(done.returncode == 0, "pre-commit install", done.stdout + done.stderr)
    (repo / "年报").mkdir()
    (repo / "年报" / "档案局2024年政府信息公开工作年度报告.txt").write_text(
        report("示例市档案局"), encoding="utf-8"
    )
    (repo / "README.md").write_text("# 年报草稿\n\n各科室在此修改本局的年度报告。\n", encoding="utf-8")
    (repo / "年报" / "待办.txt").write_text("1. 核对表三\n2. 盖章\n", encoding="utf-8")
    sh(["git", "add", "-A"], repo, env)
    done = sh(["git", "commit", "-q", "-m", "clean report"], repo, env)
    log = done.stdout + done.stderr
    check(done.returncode == 0, "a clean report, a README and a to-do list are committed", log)
    check(re.search(re.escape(HOOK_NAME) + r"\.*Passed", log) is not None, "the hook ran and passed", log)

    bad = repo / "年报" / "审计局2024年政府信息公开工作年度报告.txt"
    bad.write_text(report("示例市审计局", broken=True), encoding="utf-8")
    sh(["git", "add", "-A"], repo, env)
    done = sh(["git", "commit", "-q", "-m", "broken report"], repo, env)
    log = done.stdout + done.stderr
    check(done.returncode != 0, "a report with an arithmetic error is refused", log)
    check(
        "Failed" in log and "T3-001" in log and "审计局2024年" in log,
        "the hook says which file and rule",
        log,
    )
    sh(["git", "reset", "-q"], repo, env)
    bad.unlink()

    (repo / "reportparse.toml").write_text('extend-exclude = ["草稿"]\n', encoding="utf-8")
    (repo / "草稿").mkdir()
    (repo / "草稿" / "审计局2024年报-初稿.txt").write_text(
        report("示例市审计局", broken=True), encoding="utf-8"
    )
    sh(["git", "add", "-A"], repo, env)
    done = sh(["git", "commit", "-q", "-m", "draft"], repo, env)
    log = done.stdout + done.stderr
    check(done.returncode == 0, "a broken draft in an excluded folder is committed (--force-exclude)", log)


def try_ci(repo: Path, env: dict[str, str]) -> None:
    print("CI command lines of docs/ci.md:")
    (repo / "年报" / "审计局-2024.txt").write_text(report("示例市审计局", broken=True), encoding="utf-8")
    commands = ci_commands()
    check(len(commands) >= 4, f"docs/ci.md has {len(commands)} reportparse check lines")
    for line in commands:
        argv = shlex.split(line)
        if "--baseline" in argv and "--write-baseline" not in argv:
            name = argv[argv.index("--baseline") + 1]
            if not (repo / name).exists():  # as the docs say: recorded once, then committed
                sh([*REPORTPARSE, *argv[1:], "--write-baseline"], repo, env)
        done = sh([*REPORTPARSE, *argv[1:]], repo, env)
        never = "--fail-on never" in line or "--write-baseline" in line or "--baseline" in argv
        expected = 0 if never else 1
        check(done.returncode == expected, f"exit {expected}: {line}", done.stdout + done.stderr)
        if "-o" in argv:
            out = repo / argv[argv.index("-o") + 1]
            data = out.read_text(encoding="utf-8")
            if "sarif" in argv:
                doc = json.loads(data)
                results = doc["runs"][0]["results"]
                check(any(r["ruleId"] == "T3-001" for r in results), f"{out.name}: T3-001 is a SARIF result")
                rules = doc["runs"][0]["tool"]["driver"]["rules"]
                check(
                    all(r.get("helpUri", "https://").startswith("https://") for r in rules)
                    and "reportparse.invalid" not in data,
                    f"{out.name}: no placeholder help links",
                )
            elif "junit" in argv:
                check(ET.fromstring(data).tag == "testsuites", f"{out.name}: JUnit XML")
            elif "html" in argv:
                check("审计局-2024.txt" in data, f"{out.name}: the page lists the reports")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hook", choices=("local", "clone"), default="local")
    ap.add_argument("--keep", action="store_true", help="leave the temporary repository")
    args = ap.parse_args(argv)
    for tool in ("git", "pre-commit"):
        if shutil.which(tool) is None:
            print(f"{tool} is not installed", file=sys.stderr)
            return 2
    top = Path(tempfile.mkdtemp(prefix="reportparse-snippets-"))
    repo = top / "reports"
    repo.mkdir()
    (top / "gitconfig").write_text("", encoding="utf-8")  # no user settings of this machine
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(top / "pre-commit-cache"),
        "GIT_CONFIG_GLOBAL": str(top / "gitconfig"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "NO_COLOR": "1",
    }
    if (ROOT / "src" / "reportparse").is_dir():  # this checkout's code, in every process
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), env.get("PYTHONPATH")) if p)
    # a cloned hook runs the reportparse pre-commit installed, and nothing else
    hook_env = {k: v for k, v in env.items() if k != "PYTHONPATH"} if args.hook == "clone" else env
    try:
        sh(["git", "init", "-q", "-b", "main"], repo, env)
        try_hook(repo, hook_env, args.hook)
        try_ci(repo, env)
    except Failed as err:
        print(f"FAILED: {err}", file=sys.stderr)
        return 1
    finally:
        if args.keep:
            print(f"kept: {repo}")
        else:
            shutil.rmtree(top, ignore_errors=True)
    print("all snippets behave as documented")
    return 0


if __name__ == "__main__":
    sys.exit(main())
