"""The labelled training clauses, generated: templates per clause type and language, with slots filled from
small lists (days, rates, parties, courts …) and a seeded generator, so the training set is the same on
every machine and nothing is fetched. The hold-out set the figures are measured on is written by hand and
lives in tests/data/contracts/holdout.jsonl; none of its sentences is produced here.
"""

from __future__ import annotations

import random

SLOTS = {
    "d": ["30", "45", "60", "90", "15", "七", "十五", "三十", "六十", "九十", "120"],
    "n": ["30", "45", "60", "90", "10", "15", "120"],
    "p": ["10", "20", "30", "40", "50", "5"],
    "r": ["万分之五", "千分之一", "万分之三", "千分之三", "每日0.05%", "百分之零点五"],
    "er": ["0.05% per day", "1.5% per month", "8% per annum", "0.03% per day", "2% per month"],
    "m": ["电汇", "银行转账", "银行承兑汇票", "商业承兑汇票", "现金", "支票"],
    "em": ["wire transfer", "bank transfer", "T/T", "letter of credit", "bank acceptance draft", "cheque"],
    "co": ["重庆长江机械有限公司", "四川蜀光电子股份有限公司", "上海申达贸易有限公司", "北京华信科技集团", "中国工商银行重庆分行"],
    "eco": ["Pacific Steel Ltd.", "Harbour Trading Co., Ltd.", "Northwind Holdings Limited", "Bank of China", "Atlas Components Inc."],
    "ct": ["甲方所在地人民法院", "乙方住所地有管辖权的人民法院", "合同签订地人民法院", "重庆市渝北区人民法院", "原告所在地人民法院"],
    "ar": ["中国国际经济贸易仲裁委员会", "重庆仲裁委员会", "上海国际仲裁中心", "深圳国际仲裁院", "北京仲裁委员会"],
    "ear": ["the China International Economic and Trade Arbitration Commission", "the Singapore International Arbitration Centre",
            "the Hong Kong International Arbitration Centre", "the Shanghai International Arbitration Centre"],
    "ect": ["Shanghai", "Chongqing", "England and Wales", "Hong Kong", "Singapore"],
    "g": ["甲方", "乙方", "买方", "卖方", "供方", "需方"],
    "eg": ["the Buyer", "the Seller", "the Supplier", "the Customer", "the Purchaser"],
    "amt": ["人民币10万元", "人民币50,000元", "5万元", "合同总价的20%", "合同总额的10%", "货款总额的30%"],
    "eamt": ["RMB 100,000", "USD 20,000", "20% of the contract price", "10% of the total contract value"],
}

T = {
    "payment_terms": {
        "zh": ["{g}应于收到发票后{d}日内以{m}方式支付全部货款。", "付款方式：{m}。账期为{d}天，自货物验收合格之日起计算。",
               "合同签订后{g}预付合同总价的{p}%，发货前支付{p}%，验收合格后支付剩余尾款。", "货款按月结算，月结{n}天，以{m}支付。",
               "第五条 结算方式 {g}在每月25日前对上月货款对账，对账无误后{d}个工作日内付清。",
               "本合同价款分三期支付：首付款{p}%，到货款{p}%，质保金{p}%于质保期满后支付。",
               "买方须在货到后{d}天内付款，付款方式为{m}。", "款项支付：{g}于每批次交货后{d}日内以{m}向对方支付该批货款。"],
        "en": ["{eg} shall pay each invoice within {n} days of the invoice date by {em}.", "Payment terms: net {n} days from delivery.",
               "{p}% of the contract price shall be paid in advance upon signing, {p}% upon delivery and the balance upon acceptance.",
               "All invoices are due and payable within {n} days after receipt, by {em} to the account designated by {eg}.",
               "Payment. The Purchase Price shall be paid by {em} no later than {n} days following shipment.",
               "{eg} will settle the monthly statement within {n} days of month end."],
    },
    "late_payment_interest": {
        "zh": ["{g}逾期付款的，每逾期一日，应按逾期金额的{r}向对方支付滞纳金。", "如买方迟延支付货款，应按照全国银行间同业拆借中心公布的一年期LPR的1.5倍支付逾期利息。",
               "逾期支付的款项，按日{r}计收资金占用费，直至付清之日止。", "延迟付款超过{n}日的，{g}除支付欠款外，还应按每日{r}支付逾期付款利息。"],
        "en": ["Overdue amounts shall bear interest at {er} from the due date until paid in full.",
               "If {eg} fails to pay any amount when due, interest on the overdue sum shall accrue at {er}.",
               "Late payment shall incur interest at a rate of {er}, calculated on a daily basis.",
               "Any sum not paid when due carries interest at {er} until the date of actual payment."],
    },
    "liquidated_damages": {
        "zh": ["任何一方违约的，应向守约方支付违约金{amt}。", "{g}逾期交货的，每逾期一日，应按逾期交货部分货款的{r}支付违约金，违约金总额不超过合同总价的{p}%。",
               "如{g}单方解除合同，应向对方支付相当于合同总价{p}%的违约金。", "违约金标准：{amt}；违约金不足以弥补损失的，违约方还应赔偿差额部分。"],
        "en": ["The defaulting party shall pay liquidated damages of {eamt} to the non-defaulting party.",
               "For each day of delay in delivery, {eg} shall pay liquidated damages at {er} of the value of the delayed goods.",
               "The parties agree that liquidated damages equal to {eamt} are a genuine pre-estimate of loss.",
               "Should {eg} cancel the order, it shall pay {eamt} as liquidated damages."],
    },
    "breach_liability": {
        "zh": ["第八条 违约责任 任何一方违反本合同约定的，应承担违约责任，并赔偿对方因此遭受的全部损失。",
               "{g}违反本合同约定的，应赔偿守约方由此产生的直接损失、诉讼费、律师费等全部费用。",
               "一方未履行合同义务或者履行合同义务不符合约定的，应当承担继续履行、采取补救措施或者赔偿损失等违约责任。",
               "因{g}原因造成合同不能履行的，{g}应承担相应的赔偿责任。"],
        "en": ["If either party is in breach of this Agreement, it shall compensate the other party for all losses arising therefrom.",
               "The defaulting party shall be liable for all damages, costs and reasonable attorney fees caused by its breach.",
               "Any breach of this Contract by {eg} shall entitle the other party to claim compensation for its losses.",
               "Remedies for breach. A party that fails to perform its obligations shall indemnify the other party against any loss."],
    },
    "retention_of_title": {
        "zh": ["在{g}付清全部货款之前，货物的所有权仍属于{g}。", "所有权保留：标的物所有权自买方支付完毕全部价款时起转移至买方。",
               "本合同项下货物的所有权在需方付清全部款项前归供方所有，需方不得转售、抵押或设定任何担保。",
               "买方未按约定支付价款的，卖方有权取回标的物，标的物所有权属于卖方。"],
        "en": ["Title to the Goods shall not pass to {eg} until full payment of the purchase price has been received.",
               "Retention of title: the Seller retains ownership of the Products until all sums due have been paid in full.",
               "Ownership of the goods shall remain with the Supplier until the Buyer has paid all amounts owing.",
               "Until payment in full, {eg} holds the goods as bailee and title remains with the Seller."],
    },
    "cross_default": {
        "zh": ["交叉违约：{g}在与{g}或其关联公司签订的其他任何合同项下发生违约的，视为在本合同项下违约。",
               "如买方在其他合同或债务项下发生违约，卖方有权宣布本合同项下全部款项立即到期。",
               "{g}对第三方的任何债务违约，构成本合同项下的违约事件。"],
        "en": ["Cross-default: a default by {eg} under any other agreement with the Seller or its affiliates shall constitute a default under this Agreement.",
               "If the Buyer defaults under any other contract or indebtedness, all amounts under this Agreement shall become immediately due.",
               "An event of default under any other agreement between the parties shall be deemed an event of default hereunder."],
    },
    "guarantee": {
        "zh": ["{co}为{g}在本合同项下的付款义务提供连带责任保证，保证期间为主债务履行期届满之日起两年。",
               "{g}应于合同签订后{d}日内向对方提交由{co}出具的银行保函，金额为合同总价的{p}%。",
               "为担保本合同的履行，{g}以其名下房产提供抵押担保，并办理抵押登记。", "{g}应支付合同总价{p}%的履约保证金。",
               "担保人：{co}。担保方式：连带责任保证。", "{g}以其持有的应收账款向对方提供质押担保。"],
        "en": ["{eco} hereby guarantees, as primary obligor, the due payment of all sums payable by {eg} under this Agreement.",
               "{eg} shall procure a bank guarantee issued by {eco} for {p}% of the contract price within {n} days.",
               "The obligations of the Buyer are secured by a pledge over its receivables in favour of the Seller.",
               "Guarantor: {eco}, jointly and severally liable with the Buyer for all payment obligations.",
               "{eg} shall provide a security deposit equal to {p}% of the contract value."],
    },
    "acceptance_period": {
        "zh": ["{g}应在货物到达后{d}日内完成验收，逾期未提出书面异议的，视为验收合格。", "验收期为{d}天。验收不合格的，{g}应在{n}日内更换。",
               "第六条 验收 需方收货后应及时检验，{d}个工作日内未书面提出质量异议的，视为货物符合合同约定。",
               "货物的质量验收标准按国家标准执行，验收期限为到货后{d}日。"],
        "en": ["{eg} shall inspect the Goods within {n} days of delivery; failing written notice of defects, the Goods shall be deemed accepted.",
               "Acceptance. The acceptance period is {n} days after installation.", "The Products shall be deemed accepted if no objection is raised within {n} days.",
               "Inspection of the goods shall be completed within {n} business days after arrival."],
    },
    "termination": {
        "zh": ["有下列情形之一的，守约方有权书面通知对方解除本合同。", "{g}逾期付款超过{n}日的，{g}有权解除合同并要求赔偿损失。",
               "本合同期满或双方协商一致，可以终止本合同。", "合同解除后，双方应在{d}日内完成结算。"],
        "en": ["Either party may terminate this Agreement by written notice if the other party commits a material breach.",
               "The Seller may terminate this Contract with immediate effect if the Buyer becomes insolvent.",
               "This Agreement may be terminated by either party upon {n} days' prior written notice.",
               "Upon termination of this Agreement, all outstanding invoices shall become immediately payable."],
    },
    "limitation_of_liability": {
        "zh": ["{g}在本合同项下的赔偿责任总额不超过合同总价的{p}%。", "任何一方均不对对方的间接损失、利润损失承担责任。",
               "卖方的责任上限为本合同项下已收取的价款。", "因本合同产生的赔偿责任以{amt}为限。"],
        "en": ["In no event shall either party be liable for indirect or consequential damages.",
               "The Supplier's aggregate liability under this Agreement shall not exceed {p}% of the contract price.",
               "Limitation of liability: each party's total liability is limited to the fees paid in the twelve months preceding the claim.",
               "Neither party shall be liable for loss of profit, revenue or goodwill."],
    },
    "governing_law": {
        "zh": ["本合同的订立、效力、解释、履行及争议的解决均适用中华人民共和国法律。", "本合同受中华人民共和国法律管辖。", "法律适用：中国大陆法律。"],
        "en": ["This Agreement shall be governed by and construed in accordance with the laws of the People's Republic of China.",
               "Governing law: the laws of {ect}.", "This Contract is governed by the laws of {ect}, without regard to its conflict of laws rules."],
    },
    "dispute_resolution": {
        "zh": ["因本合同引起的或与本合同有关的任何争议，双方应友好协商解决；协商不成的，任何一方均可向{ct}提起诉讼。",
               "凡因本合同发生的争议，均提交{ar}按照其仲裁规则进行仲裁，仲裁裁决是终局的。", "争议解决方式：向{ct}起诉。",
               "双方发生纠纷的，应先协商，协商不成的提交{ar}仲裁。"],
        "en": ["Any dispute arising out of or in connection with this Agreement shall be submitted to {ear} for arbitration.",
               "The parties submit to the exclusive jurisdiction of the courts of {ect}.",
               "Disputes shall first be resolved by negotiation; failing that, either party may refer the dispute to {ear}.",
               "Any claim arising hereunder shall be brought exclusively before the competent courts of {ect}."],
    },
    "set_off": {
        "zh": ["{g}有权从应付{g}的任何款项中抵销{g}应付的违约金及赔偿金。", "双方互负的到期债务可以相互抵销。",
               "{g}不得以任何理由扣减或抵扣应付货款。", "卖方可将买方应付的款项与卖方应付买方的款项冲抵。"],
        "en": ["{eg} may set off any amount owed to it by the other party against any amount payable under this Agreement.",
               "All payments shall be made without set-off, deduction or counterclaim.",
               "The Seller shall be entitled to deduct from any sums due to the Buyer any amounts owed by the Buyer."],
    },
    "assignment": {
        "zh": ["未经对方书面同意，任何一方不得转让本合同项下的权利和义务。", "{g}有权将本合同项下的应收账款转让给第三方或办理保理业务，{g}应予以配合。",
               "本合同项下债权的转让，应书面通知债务人。"],
        "en": ["Neither party may assign or transfer any of its rights or obligations without the prior written consent of the other.",
               "The Seller may assign its receivables under this Agreement to a factoring company.",
               "{eg} shall not assign this Contract in whole or in part."],
    },
    "confidentiality": {
        "zh": ["双方对在履行本合同过程中知悉的对方商业秘密负有保密义务，未经对方同意不得向第三方泄露。", "保密条款：本合同内容及价格信息属于保密信息，保密期限为{d}年。",
               "任何一方不得披露对方提供的技术资料和经营信息。"],
        "en": ["Each party shall keep confidential all information disclosed by the other party and shall not disclose it to any third party.",
               "Confidentiality. The terms of this Agreement and all pricing information are confidential.",
               "The receiving party shall protect the disclosing party's trade secrets with at least reasonable care."],
    },
    "force_majeure": {
        "zh": ["因不可抗力导致不能履行合同的，根据不可抗力的影响，部分或者全部免除责任，但应及时通知对方。",
               "不可抗力是指不能预见、不能避免且不能克服的客观情况，包括地震、台风、洪水、战争等。",
               "遭受不可抗力的一方应在{n}日内提供有关证明。"],
        "en": ["Neither party shall be liable for failure to perform caused by force majeure, including fire, flood, war or epidemic.",
               "Force Majeure. A party affected by events beyond its reasonable control shall notify the other party promptly.",
               "Acts of God, strikes and government actions shall excuse performance for the duration of the event."],
    },
    "": {  # clauses of no type the analysis reads
        "zh": ["甲方：{co}  乙方：{co}", "第一条 产品名称、规格、数量 详见附件一产品清单。", "交货地点：{g}指定仓库。运输费用由{g}承担。",
               "本合同一式两份，双方各执一份，具有同等法律效力。", "本合同自双方签字盖章之日起生效。", "包装标准：按照行业通用标准包装，包装物不回收。",
               "产品质量应符合国家标准及双方确认的技术协议。", "双方联系人及联系方式见合同首页。", "{g}应按约定时间、地点交付货物。",
               "价格：单价含13%增值税，合同总金额为人民币{n}万元。", "{g}应在发货前开具增值税专用发票。", "本合同未尽事宜，双方可另行签订补充协议。",
               "附件：技术规格书、报价单。", "质保期为{n}个月，自安装完成之日起计算。", "签订日期：2026年3月1日  签订地点：重庆市"],
        "en": ["This Agreement is made between {eco} and {eco}.", "Definitions. In this Agreement the following terms have the meanings set out below.",
               "Delivery shall be made DAP at the Buyer's warehouse.", "The Seller shall package the goods suitable for sea transport.",
               "This Agreement may be executed in counterparts.", "Notices shall be sent to the addresses set out on the first page.",
               "The unit prices are set out in Schedule 1 and include VAT.", "The Seller warrants that the Products conform to the Specifications for {n} months.",
               "Entire agreement. This Agreement supersedes all prior understandings.", "IN WITNESS WHEREOF the parties have signed this Agreement."],
    },
}
COMBOS = {  # clauses that carry two types at once, as real contracts do
    ("breach_liability", "liquidated_damages"): {
        "zh": ["违约责任：{g}逾期付款的，应按逾期金额每日{r}支付违约金；给对方造成损失的，还应赔偿损失。"],
        "en": ["If {eg} breaches this Agreement it shall pay liquidated damages of {eamt} and compensate any further loss."]},
    ("payment_terms", "late_payment_interest"): {
        "zh": ["{g}应于收货后{d}日内付款；逾期付款的，按每日{r}计付滞纳金。"],
        "en": ["Invoices are payable within {n} days; overdue amounts bear interest at {er}."]},
    ("governing_law", "dispute_resolution"): {
        "zh": ["本合同适用中华人民共和国法律。因本合同发生的争议，提交{ar}仲裁。"],
        "en": ["This Agreement is governed by the laws of {ect}, and any dispute shall be referred to {ear}."]},
    ("termination", "cross_default"): {
        "zh": ["买方在其他合同项下违约的，视为本合同违约，卖方有权解除本合同。"],
        "en": ["The Seller may terminate this Agreement if the Buyer defaults under any other agreement with the Seller."]},
}


def _fill(template: str, rng: random.Random) -> str:
    out = template
    for slot, options in SLOTS.items():
        while "{" + slot + "}" in out:
            out = out.replace("{" + slot + "}", rng.choice(options), 1)
    return out


def training_clauses(per_template: int = 6, seed: int = 20261207) -> list[tuple[str, str, tuple[str, ...]]]:
    """(language, text, types) triples; the same list on every call with the same arguments."""
    rng = random.Random(seed)  # a fixed seed for a reproducible corpus, not for security  # nosec B311
    out: list[tuple[str, str, tuple[str, ...]]] = []
    sources = [((kind,) if kind else (), by_lang) for kind, by_lang in T.items()] + list(COMBOS.items())
    for kinds, by_lang in sources:
        for language, templates in by_lang.items():
            for template in templates:
                seen: set[str] = set()
                for _ in range(per_template):
                    text = _fill(template, rng)
                    if text not in seen:
                        seen.add(text)
                        out.append((language, text, tuple(kinds)))
    return out
