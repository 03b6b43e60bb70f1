"""GB/T 2260 administrative division codes: every province, and the prefecture-level units of the
home market (Chongqing and Sichuan) plus the capitals elsewhere. A six-digit code is accepted when its
province is known; the name is resolved to the most precise level we hold (city, else province)."""

from __future__ import annotations

from django.utils.translation import get_language

PROVINCES: dict[str, tuple[str, str]] = {
    "11": ("北京市", "Beijing"), "12": ("天津市", "Tianjin"), "13": ("河北省", "Hebei"),
    "14": ("山西省", "Shanxi"), "15": ("内蒙古自治区", "Inner Mongolia"), "21": ("辽宁省", "Liaoning"),
    "22": ("吉林省", "Jilin"), "23": ("黑龙江省", "Heilongjiang"), "31": ("上海市", "Shanghai"),
    "32": ("江苏省", "Jiangsu"), "33": ("浙江省", "Zhejiang"), "34": ("安徽省", "Anhui"),
    "35": ("福建省", "Fujian"), "36": ("江西省", "Jiangxi"), "37": ("山东省", "Shandong"),
    "41": ("河南省", "Henan"), "42": ("湖北省", "Hubei"), "43": ("湖南省", "Hunan"),
    "44": ("广东省", "Guangdong"), "45": ("广西壮族自治区", "Guangxi"), "46": ("海南省", "Hainan"),
    "50": ("重庆市", "Chongqing"), "51": ("四川省", "Sichuan"), "52": ("贵州省", "Guizhou"),
    "53": ("云南省", "Yunnan"), "54": ("西藏自治区", "Tibet"), "61": ("陕西省", "Shaanxi"),
    "62": ("甘肃省", "Gansu"), "63": ("青海省", "Qinghai"), "64": ("宁夏回族自治区", "Ningxia"),
    "65": ("新疆维吾尔自治区", "Xinjiang"), "71": ("台湾省", "Taiwan"),
    "81": ("香港特别行政区", "Hong Kong"), "82": ("澳门特别行政区", "Macao"),
}

CITIES: dict[str, tuple[str, str]] = {
    # 重庆市 districts (the home market)
    "500101": ("万州区", "Wanzhou"), "500103": ("渝中区", "Yuzhong"), "500104": ("大渡口区", "Dadukou"),
    "500105": ("江北区", "Jiangbei"), "500106": ("沙坪坝区", "Shapingba"), "500107": ("九龙坡区", "Jiulongpo"),
    "500108": ("南岸区", "Nan'an"), "500109": ("北碚区", "Beibei"), "500112": ("渝北区", "Yubei"),
    "500113": ("巴南区", "Banan"), "500115": ("长寿区", "Changshou"), "500116": ("江津区", "Jiangjin"),
    "500117": ("合川区", "Hechuan"), "500118": ("永川区", "Yongchuan"), "500120": ("璧山区", "Bishan"),
    "500151": ("铜梁区", "Tongliang"), "500153": ("荣昌区", "Rongchang"), "500154": ("开州区", "Kaizhou"),
    "500102": ("涪陵区", "Fuling"),
    # 四川省 prefecture-level cities
    "510100": ("成都市", "Chengdu"), "510300": ("自贡市", "Zigong"), "510400": ("攀枝花市", "Panzhihua"),
    "510500": ("泸州市", "Luzhou"), "510600": ("德阳市", "Deyang"), "510700": ("绵阳市", "Mianyang"),
    "510800": ("广元市", "Guangyuan"), "510900": ("遂宁市", "Suining"), "511000": ("内江市", "Neijiang"),
    "511100": ("乐山市", "Leshan"), "511300": ("南充市", "Nanchong"), "511400": ("眉山市", "Meishan"),
    "511500": ("宜宾市", "Yibin"), "511600": ("广安市", "Guang'an"), "511700": ("达州市", "Dazhou"),
    "511800": ("雅安市", "Ya'an"), "511900": ("巴中市", "Bazhong"), "512000": ("资阳市", "Ziyang"),
    # capitals and large cities elsewhere
    "110000": ("北京市", "Beijing"), "310000": ("上海市", "Shanghai"), "440100": ("广州市", "Guangzhou"),
    "440300": ("深圳市", "Shenzhen"), "330100": ("杭州市", "Hangzhou"), "320100": ("南京市", "Nanjing"),
    "320500": ("苏州市", "Suzhou"), "420100": ("武汉市", "Wuhan"), "430100": ("长沙市", "Changsha"),
    "610100": ("西安市", "Xi'an"), "520100": ("贵阳市", "Guiyang"), "530100": ("昆明市", "Kunming"),
    "410100": ("郑州市", "Zhengzhou"), "370100": ("济南市", "Jinan"), "120000": ("天津市", "Tianjin"),
}


def province_of(code: str) -> str:
    return code[:2]


def problem(code: str) -> str | None:
    """Why `code` is not a GB/T 2260 code we accept, or None."""
    if len(code) != 6 or not code.isdigit():
        return "must be a 6-digit GB/T 2260 code"
    if code[:2] not in PROVINCES:
        return f"unknown province {code[:2]!r}"
    return None


def label(code: str, lang: str | None = None) -> str:
    """Province + city name in `lang` (default: the active language)."""
    zh = (lang or get_language() or "zh-hans").startswith("zh")
    i = 0 if zh else 1
    prov = PROVINCES.get(code[:2])
    city = CITIES.get(code) or CITIES.get(code[:4] + "00")
    names = [n[i] for n in (prov, city) if n]
    if len(names) == 2 and names[0] == names[1]:
        names = names[:1]
    return ("" if zh else " ").join(names) or code


def province_choices() -> list[tuple[str, str]]:
    return [(code, label(code + "0000")) for code in PROVINCES]
