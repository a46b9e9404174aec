"""`reportparse diff OLD NEW` (history/yearly.py): section similarity, changed sentences, cells."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from generator.make_county import write

import reportparse
from reportparse.cli import main
from reportparse.history.yearly import SentencePair, _jump, pair_sentences, sentences, year_on_year


@pytest.fixture
def county(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_diff_of_two_files(county: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "2024年审核/卫健委-2023.txt", "2025年审核/卫健委-2024.txt"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:5] == [
        "示例县卫健委：2023年报告（2024年审核/卫健委-2023.txt） → 2024年报告（2025年审核/卫健委-2024.txt）",
        "",
        "第一部分 总体情况：相似度 90.1%",
        "  ~ 全年主动公开政府信息284条。 ⇒ 全年主动公开政府信息761条。（相似度 80%）",
        "  ~ 全年共收到政府信息公开申请7件，均在法定期限内答复。 ⇒ 全年共收到政府信息公开申请31件，均在法定期限内答复。（相似度 94%）",
    ]
    assert "第六部分 其他需要报告的事项：相似度 88.5%" in out
    assert "  ~ 示例县卫生健康委员会 ⇒ 示例县卫健委（相似度 75%）" in out
    assert "表格：78 个单元格有变化，其中大幅变化 10 个" in out
    assert "  表三/二、上年结转政府信息公开申请数量/自然人：3 → 4" in out
    assert "  表三/一、本年新收政府信息公开申请数量/自然人：1 → 30  大幅变化" in out


def test_diff_from_the_store_and_as_json(county: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for spring in ("2024年审核", "2025年审核"):
        reportparse.audit([Path(spring)], jobs=1, history="h.sqlite", roster="名册.csv").collect()
    args = [
        "diff",
        "--history",
        "h.sqlite",
        "--body",
        "示例县卫生健康委员会",
        "2023",
        "2024",
        "--format",
        "json",
    ]
    assert main(args) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["old"] == {
        "path": "2024年审核/卫健委-2023.txt",
        "organization": "示例县卫生健康委员会",
        "year": 2023,
    }
    assert doc["new"]["path"] == "2025年审核/卫健委-2024.txt"
    assert [(s["number"], s["similarity"]) for s in doc["sections"]] == [
        (1, 0.901), (2, 1.0), (3, 1.0), (4, 1.0), (5, 1.0), (6, 0.885)
    ]  # fmt: skip
    assert doc["sections"][0]["changes"][0] == {
        "old": "全年主动公开政府信息284条。", "new": "全年主动公开政府信息761条。", "similarity": 0.8
    }  # fmt: skip
    assert doc["jumps"] == 10
    carried = next(c for c in doc["cells"] if c["cell"] == "applications.carried_over.natural_person")
    assert carried == {"cell": "applications.carried_over.natural_person", "old": 3, "new": 4, "old_raw": "3",
                       "new_raw": "4", "jump": False}  # fmt: skip


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["diff", "无.txt", "2025年审核/卫健委-2024.txt"], "reportparse diff：无.txt："),
        (
            ["diff", "--history", "h.sqlite", "2023", "2024"],
            "reportparse diff：从历史库取报告须用 --body 指定机关\n",
        ),
        (
            ["diff", "--history", "无.sqlite", "--body", "甲", "2023", "2024"],
            "reportparse diff：历史库不存在：无.sqlite\n",
        ),
    ],
)
def test_diff_refuses(
    county: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(args) == 2
    assert capsys.readouterr().err.startswith(message)


def test_sentences_and_jumps() -> None:
    assert sentences("一。二；三\n\n四") == ["一。", "二；", "三", "四"]
    assert [_jump(2, 30), _jump(30, 2), _jump(5, 12), _jump(100, 150), _jump(0, 10), _jump(None, 10)] == [
        True, True, False, False, True, False
    ]  # fmt: skip


def test_year_on_year_of_a_report_with_itself(county: Path) -> None:
    r = reportparse.parse("2024年审核/统计局-2023.txt")
    same = year_on_year(r, r)
    assert same.cells == () and all(
        s.similarity == 1.0 and not s.removed and not s.added for s in same.sections
    )


def test_changed_sentences_are_paired_in_order_by_similarity() -> None:
    old = ["全年受理申请7件。", "本年度未收取费用。", "加强培训。"]
    new = ["网站改版上线。", "全年受理申请31件。", "加强业务培训。"]
    assert pair_sentences(old, new, old, new) == [
        SentencePair(None, "网站改版上线。", None),
        SentencePair("全年受理申请7件。", "全年受理申请31件。", pytest.approx(0.842, abs=1e-3)),
        SentencePair("本年度未收取费用。", None, None),
        SentencePair("加强培训。", "加强业务培训。", pytest.approx(0.833, abs=1e-3)),
    ]
    assert pair_sentences(["甲。"], [], ["甲。"], []) == [SentencePair("甲。", None, None)]
