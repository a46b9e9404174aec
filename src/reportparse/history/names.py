"""Which body a report belongs to, across years: a normalised name and the store's alias table.

The normalised name is the batch rules' grouping key (`rules.batch.body_key`: white space,
full/half width and bracketed additions folded) with the usual short forms spelt out, so that
示例区经济开发区管委会 and 示例区经济开发区管理委员会 are one body. What no rule can know — a
bureau renamed in an institutional reform — goes in the alias table (`reportparse history
alias`), which maps one normalised name onto another.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..rules.batch import body_key

# short form -> full form, as printed in reports; no short form occurs inside a full form, so
# folding a name twice changes nothing
SHORT_FORMS: tuple[tuple[str, str], ...] = (
    ("管委会", "管理委员会"),
    ("卫健委", "卫生健康委员会"),
    ("发改委", "发展和改革委员会"),
    ("发改局", "发展和改革局"),
    ("住建局", "住房和城乡建设局"),
    ("人社局", "人力资源和社会保障局"),
    ("市监局", "市场监督管理局"),
)


def body_name(organization: str | None) -> str | None:
    """The normalised name of a body as printed; None when there is none."""
    key = body_key(organization)
    if key is None:
        return None
    for short, full in SHORT_FORMS:
        key = key.replace(short, full)
    return key


def resolve(name: str | None, aliases: Mapping[str, str]) -> str | None:
    """The body a normalised name stands for, following the alias table (A → B → C); a loop in
    the table stops where it would repeat."""
    seen: set[str] = set()
    while name is not None and name in aliases and name not in seen:
        seen.add(name)
        name = aliases[name]
    return name
