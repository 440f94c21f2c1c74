"""The legal wording of the official documents: the articles of each version of the
regulation (2019: 国务院令第711号; 2008: 国务院令第492号), each outcome's basis and decision in the reply,
the notice of the applicant's remedies (their titles are webapp.domain.states.TITLES)."""

from __future__ import annotations

from dataclasses import dataclass

MAX_BODY = 20000


REG = "《中华人民共和国政府信息公开条例》"


OFFICE_2010 = "《国务院办公厅关于做好政府信息依申请公开工作的意见》（国办发〔2010〕5号）"


FEE_RULES = "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）"


@dataclass(frozen=True)
class Articles:
    """Where each rule stands in one version of the regulation."""

    reply: str  # the deadline, on-the-spot replies
    extension: str
    consultation: str
    consultation_time: str
    correction: str
    remedy: str


ARTICLES = {
    "2019": Articles(
        reply="第三十三条",
        extension="第三十三条第二款",
        consultation="第三十二条",
        consultation_time="第三十三条第三款",
        correction="第三十条",
        remedy="第五十一条",
    ),
    "2008": Articles(
        reply="第二十四条",
        extension="第二十四条第二款",
        consultation="第二十三条",
        consultation_time="第二十四条第三款",
        correction="第二十一条第（四）项",
        remedy="第三十三条",
    ),
}


# outcome -> (basis, the reply's decision) per rule set. The basis is an article of the regulation
# (or a named document); the decision text follows "经审查，" in the reply.
REPLY_TEXT: dict[str, dict[str, tuple[str, str]]] = {
    "2019": {
        "disclosed": (
            f"{REG}第三十六条第（一）项、第（二）项",
            "您申请公开的政府信息属于公开范围，本机关决定予以公开，现随本答复书提供（或告知获取的方式、途径和时间）。"
            "所申请信息已经主动公开的，可通过本机关门户网站政府信息公开专栏等途径获取。",
        ),
        "partially_disclosed": (
            f"{REG}第三十七条",
            "您申请公开的信息中含有不应当公开或者不属于政府信息的内容，但能够作区分处理。本机关向您提供可以公开的"
            "政府信息内容；对不予公开的内容，说明理由如下。",
        ),
        "withheld_state_secret": (
            f"{REG}第十四条、第三十六条第（三）项",
            "您申请公开的政府信息已依法确定为国家秘密，本机关决定不予公开。",
        ),
        "withheld_law_prohibits": (
            f"{REG}第十四条、第三十六条第（三）项",
            "您申请公开的政府信息属于法律、行政法规禁止公开的政府信息，本机关决定不予公开。",
        ),
        "withheld_security_stability": (
            f"{REG}第十四条、第三十六条第（三）项",
            "您申请公开的政府信息公开后可能危及国家安全、公共安全、经济安全、社会稳定，本机关决定不予公开。",
        ),
        "withheld_third_party": (
            f"{REG}第十五条、第三十二条",
            "您申请公开的政府信息涉及商业秘密、个人隐私等，公开会对第三方合法权益造成损害，本机关决定不予公开。",
        ),
        "withheld_internal_affairs": (
            f"{REG}第十六条第一款",
            "您申请公开的信息属于行政机关的内部事务信息（人事管理、后勤管理、内部工作流程等），本机关决定不予公开。",
        ),
        "withheld_deliberative": (
            f"{REG}第十六条第二款",
            "您申请公开的信息属于行政机关在履行行政管理职能过程中形成的讨论记录、过程稿、磋商信函、请示报告等"
            "过程性信息，本机关决定不予公开。",
        ),
        "withheld_enforcement_file": (
            f"{REG}第十六条第二款",
            "您申请公开的信息属于行政执法案卷信息，本机关决定不予公开。",
        ),
        "withheld_inquiry_matter": (
            f"{REG}第三十六条第（七）项",
            "您申请公开的信息属于工商、不动产登记资料等信息，有关法律、行政法规对信息的获取有特别规定，"
            "请依照有关法律、行政法规的规定办理。",
        ),
        "not_held": (
            f"{REG}第三十六条第（五）项",
            "您申请公开的信息不属于本机关负责公开的政府信息。",
        ),
        "not_exist": (
            f"{REG}第三十六条第（四）项",
            "本机关经检索，没有您所申请公开的信息，该政府信息不存在。",
        ),
        "requires_creation": (
            f"{REG}第三十八条",
            "本机关没有现成的您所申请的信息，提供该信息需要对现有政府信息进行加工、分析，本机关不予提供。",
        ),
        "unclear": (
            f"{REG}第三十条",
            "本机关已告知您作出补正，补正后的申请内容仍不明确，本机关无法确定您所申请的政府信息，不予处理。",
        ),
        "not_processed_petition": (
            f"{REG}第三十九条第一款",
            "您以政府信息公开申请的形式提出的是信访、投诉、举报等事项，本机关不作为政府信息公开申请处理，"
            "您可以通过信访、投诉、举报等相应渠道提出。",
        ),
        "not_processed_duplicate": (
            f"{REG}第三十六条第（六）项",
            "本机关已就您提出的政府信息公开申请作出答复，您重复申请公开相同的政府信息，本机关不予重复处理。",
        ),
        "not_processed_publication": (
            f"{REG}第三十九条第二款",
            "您申请获取的是政府公报、报刊、书籍等公开出版物，不作为政府信息公开申请处理，您可以通过出版发行、"
            "图书馆、本机关门户网站等途径获取。",
        ),
        "not_processed_excessive": (
            f"{REG}第三十五条",
            "您申请公开政府信息的数量、频次明显超过合理范围，本机关已要求您说明理由，经审查申请理由不合理，"
            "本机关不予处理。",
        ),
        "not_processed_reconfirm": (
            f"{REG}的有关规定",
            "您要求本机关确认或者重新出具您已获取的信息，不属于政府信息公开申请的范围，本机关不予处理。",
        ),
    },
    "2008": {
        "disclosed": (
            f"{REG}第二十一条第（一）项",
            "您申请公开的政府信息属于公开范围，本机关决定予以公开，现随本答复书提供（或告知获取该政府信息的方式和途径）。",
        ),
        "partially_disclosed": (
            f"{REG}第二十二条",
            "您申请公开的政府信息中含有不应当公开的内容，但能够作区分处理，本机关向您提供可以公开的信息内容。",
        ),
        "withheld_state_secret": (
            f"{REG}第十四条、第二十一条第（二）项",
            "您申请公开的政府信息涉及国家秘密，属于不予公开的范围。",
        ),
        "withheld_law_prohibits": (
            f"{REG}第二十一条第（二）项",
            "您申请公开的政府信息属于法律、行政法规禁止公开的范围，属于不予公开的范围。",
        ),
        "withheld_security_stability": (
            f"{REG}第八条、第二十一条第（二）项",
            "您申请公开的政府信息公开后可能危及国家安全、公共安全、经济安全和社会稳定，属于不予公开的范围。",
        ),
        "withheld_third_party": (
            f"{REG}第十四条、第二十三条",
            "您申请公开的政府信息涉及商业秘密、个人隐私，公开后可能损害第三方合法权益，属于不予公开的范围。",
        ),
        "withheld_internal_affairs": (
            f"{OFFICE_2010}、{REG}第二十一条第（二）项",
            "您申请公开的信息属于行政机关的内部管理信息，属于不予公开的范围。",
        ),
        "withheld_deliberative": (
            f"{OFFICE_2010}、{REG}第二十一条第（二）项",
            "您申请公开的信息属于处于讨论、研究或者审查中的过程性信息，属于不予公开的范围。",
        ),
        "withheld_enforcement_file": (
            f"{REG}第二十一条第（二）项",
            "您申请公开的信息属于行政执法案卷信息，属于不予公开的范围。",
        ),
        "withheld_inquiry_matter": (
            f"{OFFICE_2010}、{REG}第二十一条第（二）项",
            "您申请公开的信息属于法律、行政法规对获取有特别规定的查询事项，请依照有关法律、行政法规的规定办理。",
        ),
        "not_held": (
            f"{REG}第二十一条第（三）项",
            "您申请公开的信息依法不属于本机关公开。",
        ),
        "not_exist": (
            f"{REG}第二十一条第（三）项",
            "本机关经检索，没有您所申请公开的信息，该政府信息不存在。",
        ),
        "requires_creation": (
            OFFICE_2010,
            "行政机关向申请人提供的政府信息应当是现有的，一般不需要行政机关汇总、加工或者重新制作。您申请的信息"
            "需要另行制作，本机关不予提供。",
        ),
        "unclear": (
            f"{REG}第二十一条第（四）项",
            "本机关已告知您作出更改、补充，补正后的申请内容仍不明确，本机关无法确定您所申请的政府信息。",
        ),
        "not_processed_petition": (
            OFFICE_2010,
            "您以政府信息公开申请的形式提出的是信访、投诉、举报等事项，本机关不作为政府信息公开申请处理，"
            "您可以通过相应渠道提出。",
        ),
        "not_processed_duplicate": (
            OFFICE_2010,
            "您就同一内容反复提出政府信息公开申请，本机关已作出答复，不再重复答复。",
        ),
        "not_processed_publication": (
            f"{REG}第二十一条第（一）项",
            "您申请获取的是公开出版物，您可以通过出版发行、图书馆等途径获取。",
        ),
        "not_processed_excessive": (
            OFFICE_2010,
            "您申请公开政府信息的数量、频次明显超过合理范围，本机关不予处理。",
        ),
        "not_processed_reconfirm": (
            f"{REG}的有关规定",
            "您要求本机关确认或者重新出具您已获取的信息，不属于政府信息公开申请的范围，本机关不予处理。",
        ),
    },
}


def remedy_text(rules: str, review_body: str = "", court: str = "") -> str:
    """The applicant's remedies (2019 rules Art. 51, 2008 Art. 33): 行政复议 within 60 days, 行政诉讼 within
    6 months, naming the review body and the court the agency set (its document settings), when it did."""
    art = ARTICLES[rules].remedy
    review = f"向{review_body}申请行政复议" if review_body else "申请行政复议"
    litigation = f"向{court}提起行政诉讼" if court else "向人民法院提起行政诉讼"
    return (
        f"如对本机关的上述行政行为不服，依照{REG}{art}的规定，您可以自收到本文书之日起60日内依法{review}，"
        f"或者自收到本文书之日起6个月内依法{litigation}。"
    )


def withholding_basis(rules: str, basis: str) -> str:
    """The article a withheld part of a partial disclosure cites (docs/rules.md §Released information):
    the basis of the withholding outcome of the same reason, or Art. 2 (what government information is)."""
    if basis == "not_government_information":
        return f"{REG}第二条"
    return REPLY_TEXT[rules][basis][0]
