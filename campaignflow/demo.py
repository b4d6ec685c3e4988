"""`make demo`: check every shipped campaign and show what each one declares.

Run with `python -m campaignflow.demo`.
"""

from __future__ import annotations

import sys

from rich.console import Console


def main() -> int:
    from .spec import SpecError, load
    from .spec.shipped import shipped_campaigns
    from .summary import describe, measure_lines

    console = Console(highlight=False, soft_wrap=True)
    campaigns = shipped_campaigns()
    if not campaigns:
        console.print("campaign_specs/ 中没有活动方案", markup=False)
        return 1
    failed = 0
    for name, folder in campaigns.items():
        spec_file = folder / "campaign.yaml"
        try:
            loaded = load(spec_file)
        except SpecError as exc:
            failed += 1
            console.print(exc.render(), markup=False)
            continue
        console.rule(f"[bold]{name}")
        console.print(describe(loaded), markup=False)
        for line in measure_lines(loaded):
            console.print(f"  · {line}", markup=False)
    console.rule()
    console.print(
        f"{len(campaigns) - failed}/{len(campaigns)} 个内置活动方案通过检查。"
        "下一步：campaignflow validate <你的 campaign.yaml>",
        markup=False,
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
