"""Generated contracts for the demo, the tests and the benchmark: a Chinese sales contract with the clauses
asked for, a chosen payment term, some clauses left out, and filler articles up to a page count."""

from __future__ import annotations

import random

from .corpus import SLOTS, T

CN_ORDINALS = "一二三四五六七八九十"
PAGE_CHARS = 900   # about one A4 page of Chinese contract text


def _ordinal(n: int) -> str:
    if n > 99:
        return str(n)
    if n <= 10:
        return CN_ORDINALS[n - 1]
    tens, ones = divmod(n, 10)
    return (CN_ORDINALS[tens - 1] if tens > 1 else "") + "十" + (CN_ORDINALS[ones - 1] if ones else "")


def chinese_contract(*, seed: int = 1, payment_days: int = 60, missing: tuple[str, ...] = (), pages: int = 3,
                     buyer: str = "重庆渝丰商贸有限公司", seller: str = "四川蜀光电子股份有限公司") -> str:
    rng = random.Random(seed)  # demo text, not security  # nosec B311
    articles = [("合同当事人", f"买方（甲方）：{buyer}\n卖方（乙方）：{seller}"),
                ("产品及价格", "产品名称、规格、数量、单价详见附件一。合同总金额为人民币" + str(rng.choice([80, 120, 360])) + "万元（含税）。"),
                ("付款方式", f"甲方应于收到乙方开具的增值税专用发票后{payment_days}日内以电汇方式支付货款。"),
                ("逾期付款", "甲方逾期付款的，每逾期一日，应按逾期金额的万分之五向乙方支付滞纳金。"),
                ("所有权保留", "在甲方付清全部货款之前，货物的所有权仍属于乙方。"),
                ("交叉违约", "甲方在与乙方签订的其他任何合同项下发生违约的，视为在本合同项下违约，乙方有权宣布全部款项立即到期。"),
                ("担保", "重庆长江机械有限公司为甲方在本合同项下的付款义务提供连带责任保证。"),
                ("验收", "甲方应在货物到达后七日内完成验收，逾期未提出书面异议的，视为验收合格。"),
                ("违约责任", "任何一方违反本合同约定的，应承担违约责任，并赔偿对方因此遭受的全部损失。"),
                ("违约金", "任何一方违约的，应向守约方支付合同总价的20%作为违约金。"),
                ("合同解除", "甲方逾期付款超过六十日的，乙方有权书面通知甲方解除本合同。"),
                ("保密", "双方对在履行本合同过程中知悉的对方商业秘密负有保密义务。"),
                ("不可抗力", "因不可抗力导致不能履行合同的，根据不可抗力的影响，部分或者全部免除责任。"),
                ("法律适用", "本合同的订立、效力、解释、履行及争议的解决均适用中华人民共和国法律。"),
                ("争议解决", "因本合同引起的争议，双方应友好协商解决；协商不成的，任何一方均可向乙方所在地人民法院提起诉讼。")]
    keep = {"逾期付款": "late_payment_interest", "所有权保留": "retention_of_title", "交叉违约": "cross_default",
            "担保": "guarantee", "验收": "acceptance_period", "违约责任": "breach_liability", "违约金": "liquidated_damages",
            "合同解除": "termination", "保密": "confidentiality", "不可抗力": "force_majeure",
            "法律适用": "governing_law", "争议解决": "dispute_resolution", "付款方式": "payment_terms"}
    articles = [(h, b) for h, b in articles if keep.get(h) not in missing]
    filler = [t for t in T[""]["zh"] if "{co}" not in t]
    body = sum(len(b) for _, b in articles)
    while body < pages * PAGE_CHARS:
        lines = []
        for _ in range(20):
            line = rng.choice(filler)
            for slot, options in SLOTS.items():
                line = line.replace("{" + slot + "}", rng.choice(options))
            lines.append(line)
        text = "".join(lines)
        articles.insert(len(articles) - 2, ("其他约定", text))
        body += len(text)
    out = [f"{buyer}与{seller}\n产品购销合同\n合同编号：FK-{seed:06d}\n"]
    for number, (heading, text) in enumerate(articles, start=1):
        out.append(f"第{_ordinal(number)}条 {heading}\n{text}\n")
    out.append("甲方（盖章）：            乙方（盖章）：\n签订日期：2026年3月1日")
    return "\n".join(out)
