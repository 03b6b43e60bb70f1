"""Chinese names for the demo company's customers, groups and people.

Names are built from small pools by index arrays, so half a million of them cost a few polars string
concatenations. Every character here is in GBK, because customers.csv is written in GBK like a
Kingdee/Yonyou export.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from fengkong.core.regions import CITIES

# 字号 (trade-name) characters: pleasant, auspicious, common in registered company names.
TRADE_NAME_CHARS = "".join(dict.fromkeys(
    "华盛兴隆泰恒嘉鑫鼎宏瑞祥通达安康永顺和信诚德丰源利众新宇天海金博创航远腾飞凯锦锐晟昊晨辉光明佳美优卓"
    "越品智慧正中成富润汇聚合力强益广展亿万方圆东川渝蜀巴江山峰岭林森松柏竹梅兰荣昌盈泽沣洲星月阳春秋雅韵"
    "骏驰龙凤麟鹏豪杰英威伟磊岳峻崇尚志高精联协同心友邻义仁礼勤俭朴实真立领先锋进拓蓝图景泓霖浩渊清澜涵淼"
    "沛洪滨汉湘黔滇秦晋齐鲁燕赣闽粤桂云霞彩虹晖煜炜烨灿耀熠琪瑜璟琦珑瑶玖璞钰铭钧铮淳厚朗逸俊迈宸轩宁静致邦"
    "定国民乐福禄寿喜吉祺祯禧庆贺运旺发亨裕茂蓉绣鸿雁鹰翔振启弘扬馨大元纳百象千禾穗稻香麦田桑榆杏桃楠桦樟"
    "枫杉槐榕宝丽健绿环玉旋时代世纪巨能坚固磐石基业本初诺铄骐骥骁跃攀登际域垣城都府郡邑睿哲思维誉翰墨书文彬"
    "斌钦敬恪谨坤乾"
))

# What a company in each GB/T 4754 section calls itself after its 字号.
INDUSTRY_WORDS: dict[str, tuple[str, ...]] = {
    "A": ("农业", "生态农业", "农牧", "种养殖"),
    "B": ("矿业", "砂石", "能源开发"),
    "C": ("机械", "机电", "电子", "建材", "化工", "汽车零部件", "食品", "医药", "钢铁", "塑胶", "包装",
          "电器", "纺织", "模具", "精密制造", "新材料", "摩托车配件", "五金"),
    "D": ("能源", "电力", "燃气", "水务"),
    "E": ("建筑工程", "建设", "路桥工程", "装饰工程", "安装工程", "市政工程", "土石方工程"),
    "F": ("商贸", "贸易", "物资", "实业", "供应链", "医药贸易", "建材贸易", "五金交电"),
    "G": ("物流", "运输", "仓储", "货运", "供应链管理"),
    "I": ("信息技术", "软件", "网络科技", "数据科技"),
    "K": ("房地产开发", "置业", "地产", "房地产"),
    "L": ("商务服务", "租赁", "企业管理咨询"),
    "M": ("科技", "工程技术", "检测技术", "环保科技"),
}
LEGAL_FORMS = ("有限公司", "有限责任公司", "股份有限公司")
LEGAL_FORM_WEIGHTS = (0.70, 0.15, 0.15)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔向汤"
)
GIVEN_NAME_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞斌宇浩凯健俊帆帅旭宁龙林欣佳雪婷琳晨阳"
    "波辉建国峰亮成志文博雨梦倩颖慧洁莉楠鑫诚毅川渝蓉海燕春梅晓东丹云"
)


def region_prefix(code: str) -> str:
    """How a company registered in `code` starts its name: 重庆 for Chongqing districts, else the city."""
    if code.startswith("50"):
        return "重庆"
    return CITIES[code][0].removesuffix("市")


def pick(pool: tuple[str, ...] | str, idx: np.ndarray) -> pl.Series:
    """The pool entries at `idx`, as a string column."""
    return pl.Series(list(pool), dtype=pl.String).gather(idx)


def concat(*parts: pl.Series | str) -> pl.Series:
    """Row-wise concatenation of string columns and constants; a null part is skipped."""
    exprs = [pl.lit(p) if isinstance(p, pl.Series) else pl.lit(p, dtype=pl.String) for p in parts]
    return pl.select(pl.concat_str(exprs, ignore_nulls=True)).to_series()


def trade_names(rng: np.random.Generator, n: int, length: int = 2) -> np.ndarray:
    """Index rows into TRADE_NAME_CHARS, shape (n, length), no character repeated in a name."""
    size = len(TRADE_NAME_CHARS)
    first = rng.integers(0, size, n)
    second = (first + rng.integers(1, size, n)) % size
    if length == 2:
        return np.column_stack([first, second])
    third = (first + rng.integers(1, size, n)) % size
    third = np.where(third == second, (third + 1) % size, third)
    third = np.where(third == first, (third + 1) % size, third)
    return np.column_stack([first, second, third])


def trade_name_text(chars: np.ndarray) -> pl.Series:
    return concat(*(pick(TRADE_NAME_CHARS, chars[:, i]) for i in range(chars.shape[1])))


def company_names(
    rng: np.random.Generator, prefixes: pl.Series, sections: np.ndarray, trade: np.ndarray
) -> pl.Series:
    """Unique names: prefix + 字号 + industry word + legal form. A duplicate gets a fresh 字号 until
    none is left (three characters after a few rounds, so it always ends)."""
    words = industry_words(rng, sections)
    forms = pick(LEGAL_FORMS, rng.choice(len(LEGAL_FORMS), len(sections), p=LEGAL_FORM_WEIGHTS))
    names = concat(prefixes, trade_name_text(trade), words, forms)
    for attempt in range(100):
        clash = duplicates(names)
        if clash.size == 0:
            return names
        fresh = trade_name_text(trade_names(rng, clash.size, length=2 if attempt < 3 else 3))
        names = names.scatter(clash, concat(prefixes.gather(clash), fresh, words.gather(clash),
                                            forms.gather(clash)))
    raise RuntimeError("could not make company names unique")


def duplicates(names: pl.Series) -> np.ndarray:
    """Positions of every repeat of a name seen earlier in the column."""
    return np.flatnonzero(~names.is_first_distinct().to_numpy())


def industry_words(rng: np.random.Generator, sections: np.ndarray) -> pl.Series:
    words = np.empty(len(sections), dtype=object)
    for section, choices in INDUSTRY_WORDS.items():
        mine = np.flatnonzero(sections == section)
        words[mine] = np.asarray(choices, dtype=object)[rng.integers(0, len(choices), mine.size)]
    return pl.Series(words.tolist(), dtype=pl.String)


def group_names(rng: np.random.Generator, prefixes: pl.Series, trade: np.ndarray) -> pl.Series:
    """Parent-group names like 重庆鼎盛集团有限公司, unique."""
    names = concat(prefixes, trade_name_text(trade), "集团有限公司")
    while (clash := duplicates(names)).size:
        fresh = trade_name_text(trade_names(rng, clash.size, length=3))
        names = names.scatter(clash, concat(prefixes.gather(clash), fresh, "集团有限公司"))
    return names


def person_names(rng: np.random.Generator, n: int) -> pl.Series:
    """Chinese personal names: one surname and one or two given-name characters."""
    surname = pick(SURNAMES, rng.integers(0, len(SURNAMES), n))
    given1 = pick(GIVEN_NAME_CHARS, rng.integers(0, len(GIVEN_NAME_CHARS), n))
    given2 = pick(GIVEN_NAME_CHARS, rng.integers(0, len(GIVEN_NAME_CHARS), n))
    given2 = given2.zip_with(pl.Series(rng.random(n) < 0.7), pl.Series([None] * n, dtype=pl.String))
    return concat(surname, given1, given2)


def salespeople(rng: np.random.Generator, count: int = 40) -> pl.Series:
    """A sales team of `count` distinct people."""
    return person_names(rng, count * 3).unique(maintain_order=True).head(count)
