"""The credit policy: a config (defaults.DEFAULT_CONFIG filled in) checked into a frozen spec.

`parse` reports every problem it finds, each naming the setting; unknown settings are refused so a
typo never silently falls back to a default. `current()` is the approved version in force (the
article's defaults as version 0 until one is approved).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from fengkong.core import config as config_module
from fengkong.core.config import money_fen
from fengkong.core.config import whole as _whole
from fengkong.industry.choices import Outlook

from .choices import ApprovalLevel, Dimension, Grade, GuaranteeRequirement, PolicyStatus
from .defaults import DEFAULT_CONFIG, default_config
from .exceptions import PolicyInvalid
from .models import CreditPolicy

MISSING_RULES = ("worst", "neutral", "exclude")
DIMENSION_MISSING_RULES = ("reweight", "metrics")
KNOCKOUTS = ("danger_zone", "stop_supply", "litigation", "blacklist")
MERGE_DEPTH = 4  # policy > dimensions > a dimension > its metrics > a metric's settings
METRICS: dict[str, tuple[str, bool | None]] = {  # metric -> (dimension, categorical?)
    "current_ratio": (Dimension.FINANCIAL, False), "debt_to_asset": (Dimension.FINANCIAL, False),
    "overdue_count_12m": (Dimension.PAYMENT, False), "avg_days_to_pay": (Dimension.PAYMENT, False),
    "max_days_overdue_12m": (Dimension.PAYMENT, False), "industry_outlook": (Dimension.INDUSTRY, True),
    "guarantee_coverage": (Dimension.GUARANTEE, False), "cooperation_years": (Dimension.COOPERATION, False),
}


@dataclass(frozen=True)
class Metric:
    name: str
    weight: float               # within its dimension, as given (normalised by the engine)
    higher: bool                # higher values are better
    bands: tuple[tuple[float | None, float], ...]   # (threshold or None for "the rest", points)
    points: MappingProxyType    # categorical metrics: category -> points
    missing: str                # worst | neutral | exclude
    neutral_points: float


@dataclass(frozen=True)
class DimensionSpec:
    name: str
    weight: float
    metrics: tuple[Metric, ...]


@dataclass(frozen=True)
class GradeTerms:
    revenue_share: float
    equity_share: float
    sales_share: float
    cap_fen: int
    collateral_share: float
    term_days: int
    guarantee: str              # GuaranteeRequirement value


@dataclass(frozen=True)
class ApprovalStep:
    up_to_fen: int | None       # None: no upper bound
    level: str                  # ApprovalLevel value
    votes: int


@dataclass(frozen=True)
class CreditPolicySpec:
    version: int
    config: MappingProxyType
    dimensions: tuple[DimensionSpec, ...]
    grade_cutoffs: MappingProxyType   # {"A": 80.0, "B": 60.0}
    industry_alarm_cap: str | None
    terms: MappingProxyType           # grade -> GradeTerms
    round_to_fen: int
    review_interval_days: int
    large_order_fen: int
    propose_change_percent: int
    approval_levels: tuple[ApprovalStep, ...]
    hold_overdue_days: int
    hold_when_review_expired: bool
    block_grade_c_unsecured: bool
    missing_dimensions: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))  # dim -> (rule, cap)
    min_known_share: float = 0.0
    little_known_cap: str | None = None
    knockout_cap: str | None = "C"
    knockouts: tuple[str, ...] = KNOCKOUTS   # the knock-outs turned on
    round_digits: int = 0

    def grade_for(self, total: float) -> str:
        if total >= self.grade_cutoffs[Grade.A]:
            return Grade.A
        return Grade.B if total >= self.grade_cutoffs[Grade.B] else Grade.C

    def approval_for(self, proposed_fen: int, current_fen: int) -> ApprovalStep:
        """The approval a limit change needs: by the proposed limit; a decrease needs the first level."""
        if proposed_fen <= current_fen:
            return self.approval_levels[0]
        for step in self.approval_levels:
            if step.up_to_fen is None or proposed_fen <= step.up_to_fen:
                return step
        return self.approval_levels[-1]


def defaults() -> dict[str, Any]:
    return default_config()


def merged(config: dict[str, Any] | None) -> dict[str, Any]:
    """The config with left-out settings taken from the defaults, down to a metric's own settings
    (dimensions and metrics by name, terms by grade; a metric's bands or points are replaced whole)."""
    return config_module.merged(DEFAULT_CONFIG, config, depth=MERGE_DEPTH)


def parse(config: dict[str, Any] | None, version: int = 0) -> CreditPolicySpec:
    """Check a config (defaults filled in); return the spec, or raise PolicyInvalid with every problem."""
    full, problems = config_module.with_defaults(config, DEFAULT_CONFIG, depth=MERGE_DEPTH, what="credit policy",
                                                 invalid=PolicyInvalid)
    dimensions = _dimensions(full["dimensions"], problems)
    cutoffs = _cutoffs(full["grades"], problems)
    cap = full["industry_alarm_cap"]
    if cap is not None and cap not in Grade.values:
        problems.append(f"industry_alarm_cap must be A, B, C or null, not {cap!r}")
    terms = _terms(full["terms"], problems)
    round_to = _money(full["round_to_cny"], "round_to_cny", problems, positive=True)
    review = _section(full, "review", problems)
    interval = _whole(review.get("interval_days"), "review.interval_days", problems, 1, 3660)
    large = _money(review.get("large_order_cny"), "review.large_order_cny", problems, positive=True)
    change = _whole(review.get("propose_when_limit_changes_percent"), "review.propose_when_limit_changes_percent",
                    problems, 0, 1000)
    levels = _levels(full["approval_levels"], problems)
    check = _section(full, "credit_check", problems)
    hold_days = _whole(check.get("hold_when_overdue_days_over"), "credit_check.hold_when_overdue_days_over",
                       problems, 0, 3650)
    flags = []
    for name in ("hold_when_review_expired", "block_grade_c_unsecured"):
        if not isinstance(check.get(name), bool):
            problems.append(f"credit_check.{name} must be true or false, not {check.get(name)!r}")
        flags.append(bool(check.get(name)))
    missing, share, little = _missing_dimensions(full["missing_dimensions"], problems)
    knockout_cap, knockouts = _knockouts(full["knockouts"], problems)
    digits = _whole(full["round_significant_digits"], "round_significant_digits", problems, 0, 15)
    if problems:
        raise PolicyInvalid(problems)
    return CreditPolicySpec(version, MappingProxyType(full), dimensions, MappingProxyType(cutoffs), cap,
                            MappingProxyType(terms), round_to, interval, large, change, levels, hold_days, *flags,
                            missing_dimensions=MappingProxyType(missing), min_known_share=share,
                            little_known_cap=little, knockout_cap=knockout_cap, knockouts=knockouts,
                            round_digits=digits)


def _grade_or_null(value: Any, name: str, problems: list[str]) -> str | None:
    if value is not None and value not in Grade.values:
        problems.append(f"{name} must be A, B, C or null, not {value!r}")
        return None
    return value


def _missing_dimensions(section: Any, problems: list[str]) -> tuple[dict, float, str | None]:
    """missing_dimensions: per dimension {rule, cap}; min_known_share and little_known_cap."""
    if not isinstance(section, dict):
        problems.append("missing_dimensions must be an object keyed by dimension")
        return {}, 0.0, None
    plain = ("min_known_share", "little_known_cap")
    problems += [f"unknown setting 'missing_dimensions.{k}'" for k in section
                 if k not in Dimension.values and k not in plain]
    out = {}
    for name in Dimension.values:
        where = f"missing_dimensions.{name}"
        spec = section.get(name)
        if not isinstance(spec, dict):
            problems.append(f"{where} must be an object with rule and cap")
            continue
        problems += [f"unknown setting '{where}.{k}'" for k in spec if k not in ("rule", "cap")]
        rule = spec.get("rule")
        if rule not in DIMENSION_MISSING_RULES:
            problems.append(f"{where}.rule must be one of {', '.join(DIMENSION_MISSING_RULES)}, not {rule!r}")
            rule = "metrics"
        out[name] = (rule, _grade_or_null(spec.get("cap"), f"{where}.cap", problems))
    share = _share(section.get("min_known_share"), "missing_dimensions.min_known_share", problems, high=1)
    little = _grade_or_null(section.get("little_known_cap"), "missing_dimensions.little_known_cap", problems)
    return out, share, little


def _knockouts(section: Any, problems: list[str]) -> tuple[str | None, tuple[str, ...]]:
    """knockouts: grade_cap (A, B, C or null) and each knock-out on or off."""
    if not isinstance(section, dict):
        problems.append("knockouts must be an object")
        return "C", KNOCKOUTS
    problems += [f"unknown setting 'knockouts.{k}'" for k in section if k != "grade_cap" and k not in KNOCKOUTS]
    cap = _grade_or_null(section.get("grade_cap"), "knockouts.grade_cap", problems)
    on = []
    for name in KNOCKOUTS:
        if not isinstance(section.get(name), bool):
            problems.append(f"knockouts.{name} must be true or false, not {section.get(name)!r}")
        elif section[name]:
            on.append(name)
    return cap, tuple(on)


# Approved versions are immutable: each is parsed once per process. The key holds the proposal time too,
# so a version number reused (a database rebuilt, a test rolled back) is never served from the cache.
_parsed: dict[tuple, CreditPolicySpec] = {}


def current() -> CreditPolicySpec:
    """The approved policy with the highest version; the article's defaults (version 0) before any.

    Reads only the version number when that version was parsed before (the credit check calls this on
    every sales order)."""
    approved = CreditPolicy.objects.filter(status=PolicyStatus.APPROVED).order_by("-version")
    key = approved.values_list("version", "proposed_at").first() or (0, None)
    spec = _parsed.get(key)
    if spec is None:
        version = key[0]
        config = approved.filter(version=version).values_list("config", flat=True).first() if version else None
        spec = _parsed.setdefault(key, parse(config, version))
    return spec


def _section(full: dict[str, Any], name: str, problems: list[str]) -> dict[str, Any]:
    """A section of plain settings (`review`, `credit_check`): an object whose settings the defaults know."""
    section = full[name]
    if not isinstance(section, dict):
        problems.append(f"{name} must be an object")
        return {}
    problems += [f"unknown setting '{name}.{k}'" for k in section if k not in DEFAULT_CONFIG[name]]
    return section


def _money(value: Any, name: str, problems: list[str], positive: bool = False) -> int:
    return money_fen(value, name, problems, positive, example="100000.00")


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _share(value: Any, name: str, problems: list[str], high: float = 10.0) -> float:
    number = _number(value)
    if number is None or not 0 <= number <= high:
        problems.append(f"{name} must be a number between 0 and {high:g}, not {value!r}")
        return 0.0
    return number


def _dimensions(dims: Any, problems: list[str]) -> tuple[DimensionSpec, ...]:
    if not isinstance(dims, dict):
        problems.append("dimensions must be an object keyed by dimension")
        return ()
    out = []
    problems += [f"unknown dimension '{name}' (dimensions are {', '.join(Dimension.values)})"
                 for name in dims if name not in Dimension.values]
    for name in Dimension.values:
        dim = dims.get(name)
        if not isinstance(dim, dict):
            problems.append(f"dimensions.{name} must be an object with weight and metrics")
            continue
        problems += [f"unknown setting 'dimensions.{name}.{k}'" for k in dim if k not in ("weight", "metrics")]
        weight = _share(dim.get("weight"), f"dimensions.{name}.weight", problems, high=100)
        metrics = dim.get("metrics")
        if not isinstance(metrics, dict) or not metrics:
            problems.append(f"dimensions.{name}.metrics must be an object with at least one metric")
            metrics = {}
        specs = [_metric(name, m, spec, problems) for m, spec in metrics.items()]
        if specs and all(s is not None for s in specs) and sum(s.weight for s in specs) <= 0:
            problems.append(f"dimensions.{name} metric weights must not all be 0")
        out.append(DimensionSpec(name, weight, tuple(s for s in specs if s is not None)))
    if out and sum(d.weight for d in out) <= 0:
        problems.append("the dimension weights must not all be 0")
    return tuple(out)


def _metric(dimension: str, name: str, spec: Any, problems: list[str]) -> Metric | None:
    where = f"dimensions.{dimension}.metrics.{name}"
    known = METRICS.get(name)
    if known is None:
        problems.append(f"unknown metric '{name}' (metrics are {', '.join(METRICS)})")
        return None
    if known[0] != dimension:
        problems.append(f"metric '{name}' belongs to dimension '{known[0]}', not '{dimension}'")
    if not isinstance(spec, dict):
        problems.append(f"{where} must be an object")
        return None
    categorical = known[1]
    allowed = {"weight", "missing", "neutral_points"} | ({"points"} if categorical else {"bands", "higher"})
    problems += [f"unknown setting '{where}.{k}'" for k in spec if k not in allowed]
    weight = _share(spec.get("weight"), f"{where}.weight", problems, high=100)
    missing = spec.get("missing", "worst")
    if missing not in MISSING_RULES:
        problems.append(f"{where}.missing must be one of {', '.join(MISSING_RULES)}, not {missing!r}")
    neutral = spec.get("neutral_points", 50)
    neutral = _share(neutral, f"{where}.neutral_points", problems, high=100)
    bands: tuple = ()
    points: dict[str, float] = {}
    higher = True
    if categorical:
        raw = spec.get("points")
        if not isinstance(raw, dict) or set(raw) != set(Outlook.values):
            problems.append(f"{where}.points must give points for each of {', '.join(Outlook.values)}")
        else:
            points = {k: _share(v, f"{where}.points.{k}", problems, high=100) for k, v in raw.items()}
    else:
        higher = spec.get("higher")
        if not isinstance(higher, bool):
            problems.append(f"{where}.higher must be true or false, not {higher!r}")
            higher = True
        bands = _bands(spec.get("bands"), where, higher, problems)
    return Metric(name, weight, higher, bands, MappingProxyType(points), missing, neutral)


def _bands(raw: Any, where: str, higher: bool, problems: list[str]) -> tuple:
    if not isinstance(raw, list) or not raw:
        problems.append(f"{where}.bands must be a list of [threshold, points] pairs")
        return ()
    out = []
    for i, band in enumerate(raw):
        if not (isinstance(band, list) and len(band) == 2):
            problems.append(f"{where}.bands[{i}] must be a [threshold, points] pair, not {band!r}")
            continue
        threshold = None if band[0] is None else _number(band[0])
        if band[0] is not None and threshold is None:
            problems.append(f"{where}.bands[{i}] threshold must be a number or null, not {band[0]!r}")
        out.append((threshold, _share(band[1], f"{where}.bands[{i}] points", problems, high=100)))
    thresholds = [t for t, _p in out if t is not None]
    ordered = sorted(thresholds, reverse=higher)
    if thresholds != ordered or len(set(thresholds)) != len(thresholds):
        problems.append(f"{where}.bands thresholds must be strictly {'decreasing' if higher else 'increasing'}")
    if not out or out[-1][0] is not None:
        problems.append(f"{where}.bands must end with a [null, points] band for the rest")
    if any(t is None for t, _p in out[:-1]):
        problems.append(f"{where}.bands: only the last band may have a null threshold")
    return tuple(out)


def _cutoffs(grades: Any, problems: list[str]) -> dict[str, float]:
    if not isinstance(grades, dict) or set(grades) != {"A", "B"}:
        problems.append("grades must give the cut-off score of A and of B, e.g. {\"A\": 80, \"B\": 60}")
        return {"A": 80.0, "B": 60.0}
    a = _share(grades["A"], "grades.A", problems, high=100)
    b = _share(grades["B"], "grades.B", problems, high=100)
    if not b < a:
        problems.append(f"grades.B ({grades['B']}) must be below grades.A ({grades['A']})")
    return {"A": a, "B": b}


def _terms(terms: Any, problems: list[str]) -> dict[str, GradeTerms]:
    if not isinstance(terms, dict):
        problems.append("terms must be an object keyed by grade")
        return {}
    problems += [f"unknown grade '{g}' in terms (grades are A, B, C)" for g in terms if g not in Grade.values]
    out = {}
    for grade in Grade.values:
        spec = terms.get(grade)
        where = f"terms.{grade}"
        if not isinstance(spec, dict):
            problems.append(f"{where} must be an object")
            continue
        problems += [f"unknown setting '{where}.{k}'" for k in spec if k not in DEFAULT_CONFIG["terms"]["A"]]
        guarantee = spec.get("guarantee")
        if guarantee not in GuaranteeRequirement.values:
            problems.append(f"{where}.guarantee must be one of {', '.join(GuaranteeRequirement.values)}, "
                            f"not {guarantee!r}")
        out[grade] = GradeTerms(
            _share(spec.get("revenue_share"), f"{where}.revenue_share", problems, high=1),
            _share(spec.get("equity_share"), f"{where}.equity_share", problems, high=5),
            _share(spec.get("sales_share"), f"{where}.sales_share", problems, high=5),
            _money(spec.get("cap_cny"), f"{where}.cap_cny", problems),
            _share(spec.get("collateral_share"), f"{where}.collateral_share", problems, high=1),
            _whole(spec.get("term_days"), f"{where}.term_days", problems, 0, 720),
            guarantee if guarantee in GuaranteeRequirement.values else GuaranteeRequirement.AS_POLICY,
        )
    return out


def _levels(levels: Any, problems: list[str]) -> tuple[ApprovalStep, ...]:
    if not isinstance(levels, list) or not levels:
        problems.append("approval_levels must be a non-empty list of {up_to_cny, level, votes}")
        return (ApprovalStep(None, ApprovalLevel.MANAGER, 1),)
    out = []
    for i, step in enumerate(levels):
        where = f"approval_levels[{i}]"
        if not isinstance(step, dict):
            problems.append(f"{where} must be an object")
            continue
        problems += [f"unknown setting '{where}.{k}'" for k in step if k not in ("up_to_cny", "level", "votes")]
        up_to = None if step.get("up_to_cny") is None else _money(step.get("up_to_cny"), f"{where}.up_to_cny",
                                                                   problems, positive=True)
        level = step.get("level")
        if level not in ApprovalLevel.values:
            problems.append(f"{where}.level must be one of {', '.join(ApprovalLevel.values)}, not {level!r}")
        votes = _whole(step.get("votes"), f"{where}.votes", problems, 1, 20)
        out.append(ApprovalStep(up_to, level, votes))
    bounds = [s.up_to_fen for s in out]
    if bounds and bounds[-1] is not None:
        problems.append("the last approval level must have up_to_cny null (no upper bound)")
    finite = [b for b in bounds[:-1]]
    if any(b is None for b in finite) or finite != sorted(set(finite), key=lambda b: b or 0):
        problems.append("approval_levels up_to_cny must increase, and only the last may be null")
    return tuple(out)
