"""One-paragraph descriptions of a loaded campaign (for `validate` and the demo)."""

from __future__ import annotations

from collections import Counter

from .spec import LoadedCampaign


def describe(loaded: LoadedCampaign) -> str:
    """`“八破八立”解放思想大讨论（××局党组，2023）：3 个阶段，8 项措施，…`"""
    spec = loaded.spec
    meta = spec.campaign
    stages = "、".join(s.name for s in spec.stages)
    shape = (
        f"{len(spec.stages)} 个阶段（{stages}）"
        if spec.staged
        else f"{len(spec.stages)} 条工作线（{stages}）"
    )
    kinds = Counter(f.kind for f in spec.forms.values())
    forms = "、".join(f"{k}×{n}" for k, n in sorted(kinds.items()))
    return (
        f"{meta.title}（{meta.organisation}，{meta.year}）：{shape}，{len(spec.measures)} 项措施，"
        f"{len(spec.forms)} 张表单（{forms or '无'}），{len(spec.metrics)} 个指标，"
        f"{len(loaded.units)} 个组织，{len(loaded.people)} 名人员"
    )
