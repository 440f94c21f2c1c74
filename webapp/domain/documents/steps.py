"""The wording of the steps the 2019 rules give the agency beyond the plain reply (docs/rules.md
§Agency steps): the agency that holds the information named with its contact (Art. 36(5)); the texts of
the notices of Art. 35 (reasons asked, a later reasonable date), Art. 34 (the co-making agency consulted)
and Art. 32 (the third party told of a disclosure over its objection)."""

from __future__ import annotations

from webapp.models import Request


def referral(req: Request, outcome: str) -> list[str]:
    """The reply's paragraph naming the agency that holds the information and how to reach it, printed
    once (2019 rules Art. 36(5), 2008 Art. 21(3)); for another outcome, where else to ask, if known."""
    name = req.referred_agency
    if not name:
        return ["本机关无法确定负责公开该政府信息的行政机关。"] if outcome == "not_held" else []
    contact = "；".join(
        part
        for part in (
            f"地址：{req.referred_agency_address}" if req.referred_agency_address else "",
            f"电话：{req.referred_agency_phone}" if req.referred_agency_phone else "",
        )
        if part
    )
    named = f"{name}（{contact}）" if contact else name
    if outcome == "not_held":
        return [f"经了解，负责公开该政府信息的行政机关为{named}，您可以向该机关提出申请或者咨询。"]
    return [f"您可以向{named}咨询。"]
