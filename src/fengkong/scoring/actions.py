"""The model registry's actions: register a trained model (or train one on the ledger and register it), ask for
and decide its promotion, roll back, retire a challenger.

Design decisions:
- A registered model directory is copied to `DATA_DIR/models/<use>-v<version>/` and never changed
  again. The copy goes to a staging directory first and is renamed into place inside the transaction
  that creates the rows; if anything fails the copy is removed, so there is never a row without its
  directory nor a directory the registry does not know. A directory already at the target name without
  a row (left by a crash or a database reset) is set aside with a suffix, never deleted.
- A directory holding a scorecard and LightGBM becomes two versions (one per kind) sharing it.
- Versions are numbered per use; the (use, version) unique constraint backs the numbering when two
  registrations race, the loser gets a Conflict to retry.
- Promotion is maker-checker: whoever asked cannot decide. The approval runs with every model of the
  use locked (select_for_update), retires the champion and crowns the model in one transaction; the
  partial unique constraint "one champion per use" backs it. Other pending requests of the use stay
  pending: the approvers may still prefer another challenger later.
- After an approval or a rollback the book is re-scored for that use once the transaction commits, by
  the background worker (the task `scoring.rescore`), so the decision is not held up by scoring and a scoring
  failure cannot undo it.
- A rollback is one action by someone with `scoring.rollback_model`: the model it brings back was
  approved when it was first promoted.
- No model becomes champion (approval or rollback) unless its directory loads: a champion that cannot
  score would leave the use without predictions.
- `actor=None` is the system (an operator at the server's shell): allowed to register and train, never
  to take a maker-checker step, which needs a person.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import tempfile
from collections.abc import Callable
from datetime import date
from pathlib import Path

import polars as pl
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fengkong.core.audit import record
from fengkong.core.later import later
from fengkong.core.permissions import require
from fengkong.engine.modelling import ledger, model_dir
from fengkong.engine.modelling.exceptions import ModellingError
from fengkong.engine.modelling.train import TrainConfig, train_models
from fengkong.notifications.choices import Template
from fengkong.notifications.outbox import tell

from . import storage
from .choices import ModelKind, ModelStatus, ModelUse, PromotionStatus
from .dataset import build_dataset, last_date
from .delay import train_from_db
from .exceptions import Conflict, NotAllowed, ScoringError, SelfApproval
from .models import ModelVersion, PromotionRequest
from .registry import (
    MAX_TEXT,
    MODELS_DIR,
    SCORE_COLUMNS,
    Inspected,
    approvers,
    champion,
    check_fits,
    feature_bins,
    inspect_directory,
    load,
    model_link,
    models_root,
    observation_dates,
    previous_champion,
    references_from_report,
    risk_managers,
    score_bins,
    training_from_report,
)

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]


def _use(use: str) -> str:
    if use not in ModelUse.values:
        raise ScoringError(_("Unknown model use %(use)r; choose one of %(uses)s.")
                           % {"use": use, "uses": ", ".join(ModelUse.values)})
    return use


def _require(actor, perm: str, *, system_allowed: bool = False) -> None:
    if actor is None and system_allowed:
        return
    if actor is None:
        raise NotAllowed(_("This step needs a person (give a user)."))
    require(actor, perm)


def register(*, actor, directory: str | Path, use: str, note: str = "", reference: dict | None = None,
             training: dict | None = None) -> list[ModelVersion]:
    """Copy a trained model directory into the registry and create one challenger version per kind in it.

    `reference` maps each kind to its training distributions ({"score": bins, "features": {name: bins}});
    without it they are taken from the report where it has them (score only), else PSI is skipped.
    """
    _require(actor, "scoring.register_model", system_allowed=True)
    use, source = _use(use), Path(directory)
    found = inspect_directory(source)
    check_fits(use, found, source)
    references = reference if reference is not None else references_from_report(found)
    return _store(actor, source, use, found, note=note.strip()[:300], references=references,
                  training=training or training_from_report(found.report))


def _store(actor, source: Path, use: str, found: Inspected, *, note: str, references: dict,
           training: dict) -> list[ModelVersion]:
    root = models_root()
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".incoming-", dir=root))
    final: Path | None = None
    try:
        shutil.copytree(source, staging / "model")
        with transaction.atomic():
            first = _next_version(use)
            final = root / f"{use}-v{first}"
            _set_aside(final)
            (staging / "model").rename(final)
            versions = [ModelVersion.objects.create(
                use=use, kind=kind, version=first + i, directory=f"{MODELS_DIR}/{final.name}",
                data_sha256=found.fingerprint, parameters=found.metadata.get("parameters") or {},
                metrics=found.metrics.get(kind, {}), features=found.features.get(kind, []),
                reference=references.get(kind) or {}, training=training, note=note, registered_by=_person(actor))
                for i, kind in enumerate(found.kinds)]
            record(actor, "model.registered", "modelversion", ",".join(str(v.pk) for v in versions),
                   after={"use": use, "versions": [v.version for v in versions], "kinds": found.kinds,
                          "directory": versions[0].directory, "data_sha256": found.fingerprint, "note": note,
                          "source": str(source)})
    except IntegrityError:
        _remove(final)
        raise Conflict(_("Another model of this use was registered at the same moment; try again.")) from None
    except BaseException:
        _remove(final)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return versions


def _next_version(use: str) -> int:
    taken = list(ModelVersion.objects.select_for_update().filter(use=use).values_list("version", flat=True))
    return max(taken, default=0) + 1


def _set_aside(target: Path) -> None:
    """A directory at the registry's next name without a row is an orphan: keep it, out of the way."""
    if target.exists():
        aside = target.with_name(f"{target.name}.orphan-{timezone.now():%Y%m%d%H%M%S%f}")
        log.warning("model directory %s has no registry row; moved to %s", target, aside)
        target.rename(aside)


def _remove(path: Path | None) -> None:
    if path is not None and path.exists() and not ModelVersion.objects.filter(
            directory=f"{MODELS_DIR}/{path.name}").exists():
        shutil.rmtree(path, ignore_errors=True)


def _person(actor):
    return actor if getattr(actor, "pk", None) else None


# --- training on the ledger ----------------------------------------------------------------------

def train_and_register(*, actor, use: str, as_of: date | None = None, progress: Progress | None = None,
                       config=None) -> list[ModelVersion]:
    """Train a model for `use` on the ledger as of `as_of` (default: the ledger's last date) and register it.

    customer_risk: the ledger dataset over observation dates every 3 months whose 12-month outcome is
    complete, both models with a time split on the observation date. payment_delay: the delay model.
    `config` (a TrainConfig) overrides the training settings of customer_risk.
    """
    _require(actor, "scoring.register_model", system_allowed=True)
    use = _use(use)
    with tempfile.TemporaryDirectory(prefix="fengkong-train-") as tmp:
        if use == ModelUse.CUSTOMER_RISK:
            reference, training = train_customer_risk(Path(tmp), as_of, progress, config)
        else:
            reference, training = train_payment_delay(Path(tmp), as_of, progress)
        return register(actor=actor, directory=tmp, use=use, reference=reference, training=training,
                        note=_("trained on the ledger as of %(day)s") % {"day": training.get("as_of")})


def train_customer_risk(directory: Path, as_of: date | None, progress, config) -> tuple[dict, dict]:
    """Train the scorecard and LightGBM on the ledger dataset into `directory`; (PSI reference, training)."""
    as_of = as_of or last_date()
    if as_of is None:
        raise ScoringError(_("The ledger has no invoices, receipts or credit notes to train on."))
    built = build_dataset(observation_dates(as_of), progress=progress)
    if built.frame.height == 0:
        raise ScoringError(_("No training rows: %(summary)s") % {"summary": built.summary()})
    config = config or TrainConfig(time_column="observation_date", exclude=("customer_code",))
    fingerprint = hashlib.sha256(built.frame.write_csv().encode()).hexdigest()
    try:
        trained = train_models(built.frame, "bad", config, created_at=timezone.now(), fingerprint=fingerprint,
                               source=f"ledger as of {as_of}", progress=progress)
    except ModellingError as exc:
        raise ScoringError(_("Training on the ledger failed: %(error)s (%(summary)s)")
                           % {"error": exc, "summary": built.summary()}) from None
    storage.save_model(trained, directory)
    # The PSI reference is the book on the latest observation date: the population most like the one the
    # cycle scores. The pooled training rows would flag drift every day, because the earliest dates have
    # little payment history behind them.
    latest = built.frame.filter(pl.col("observation_date") == pl.col("observation_date").max())
    scored = model_dir.predict(storage.load_model(directory), latest, reasons=False)
    features = feature_bins(latest, list(ledger.FEATURES))
    found = inspect_directory(directory)
    reference = {kind: {"score": {"column": SCORE_COLUMNS[kind][1], **score_bins(scored[SCORE_COLUMNS[kind][1]])},
                        "features": {f: features[f] for f in found.features[kind] if f in features},
                        "source": f"training rows of {latest['observation_date'][0]}"} for kind in found.kinds}
    training = {"as_of": as_of.isoformat(), "rows": built.frame.height, "positives": int(built.frame["bad"].sum()),
                "observation_dates": [d.isoformat() for d in built.dates],
                "skipped_dates": [d.isoformat() for d in built.incomplete], "split": trained.report.get("split")}
    return reference, training


def train_payment_delay(directory: Path, as_of: date | None, progress) -> tuple[dict, dict]:
    """Train the payment-delay model on the ledger into `directory`; (PSI reference, training)."""
    try:
        trained = train_from_db(as_of, progress=progress)
    except ModellingError as exc:
        raise ScoringError(_("Training the payment-delay model failed: %(error)s") % {"error": exc}) from None
    storage.save_delay(trained, directory)
    report = trained.report or {}
    day = report.get("as_of") or as_of   # the ledger's last date when `as_of` is later (delay.train_delay)
    training = {"as_of": str(day) if day else None, "rows": int(getattr(trained, "rows", 0) or 0),
                **({"split": report["split"]} if report.get("split") else {})}
    return ({ModelKind.DELAY: report["reference"]} if report.get("reference") else {}), training


# --- promotion (maker-checker) -------------------------------------------------------------------

def _reason(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ScoringError(_("Say why (%(what)s).") % {"what": what})
    if len(text) > MAX_TEXT:
        raise ScoringError(_("Keep the %(what)s under %(n)s characters.") % {"what": what, "n": MAX_TEXT})
    return text


def request_promotion(*, actor, model: ModelVersion, reason: str) -> PromotionRequest:
    """Ask for `model` to become its use's champion; someone else decides (decide_promotion)."""
    _require(actor, "scoring.request_promotion")
    reason = _reason(reason, _("the reason"))
    with transaction.atomic():
        model = ModelVersion.objects.select_for_update().get(pk=model.pk)
        if model.status == ModelStatus.CHAMPION:
            raise Conflict(_("%(model)s is already the champion.") % {"model": model.label})
        if model.promotions.filter(status=PromotionStatus.PENDING).exists():
            raise Conflict(_("A promotion of %(model)s is already waiting for a decision.") % {"model": model.label})
        promotion = PromotionRequest.objects.create(model=model, reason=reason, requested_by=actor)
        record(actor, "model.promotion_requested", "promotionrequest", promotion.pk,
               after={"model": model.pk, "use": model.use, "version": model.version, "reason": reason})
        tell(approvers(exclude=actor), template=Template.APPROVAL_REQUEST, link=model_link(model),
             title=_("Approve a model: %(model)s") % {"model": model.label},
             body=_("%(user)s asks for %(model)s to become the champion: %(reason)s")
             % {"user": actor.get_username(), "model": model.label, "reason": reason})
    return promotion


def _pending(request: PromotionRequest) -> PromotionRequest:
    locked = PromotionRequest.objects.select_for_update().select_related("model").get(pk=request.pk)
    if locked.status != PromotionStatus.PENDING:
        raise Conflict(_("This promotion request is already %(status)s.") % {"status": locked.get_status_display()})
    return locked


def decide_promotion(*, actor, request: PromotionRequest, approve: bool, comment: str = "") -> PromotionRequest:
    """Approve (the model becomes champion, the old champion retires) or reject with a comment."""
    _require(actor, "scoring.approve_promotion")
    comment = (comment or "").strip()[:MAX_TEXT]
    if not approve and not comment:
        raise ScoringError(_("Say why you reject this promotion (comment)."))
    with transaction.atomic():
        request = _pending(request)
        if request.requested_by_id == actor.pk:
            raise SelfApproval(_("You asked for this promotion; someone else must decide it."))
        if approve:
            crown_champion(actor, request.model, reason=_("promotion %(id)s approved") % {"id": request.pk})
        request.status = PromotionStatus.APPROVED if approve else PromotionStatus.REJECTED
        request.decided_by, request.decided_at, request.comment = actor, timezone.now(), comment
        request.save(update_fields=["status", "decided_by", "decided_at", "comment"])
        record(actor, f"model.promotion_{request.status}", "promotionrequest", request.pk,
               after={"model": request.model_id, "comment": comment})
        tell([request.requested_by], template=Template.APPROVAL_DECIDED, link=model_link(request.model),
             title=_("%(model)s: promotion %(status)s") % {"model": request.model.label,
                                                          "status": request.get_status_display()},
             body=comment or _("%(user)s approved it; it is now the champion.") % {"user": actor.get_username()})
    return request


def crown_champion(actor, model: ModelVersion, *, reason: str) -> ModelVersion:
    """Inside a transaction: retire the use's champion and make `model` the champion, all rows locked.

    The step an approved promotion and a rollback end with; called directly it skips the maker-checker, so
    only set-ups (the demo, benchmarks, tests) do that."""
    locked = {m.pk: m for m in ModelVersion.objects.select_for_update().filter(use=model.use).order_by("pk")}
    model = locked[model.pk]
    if model.status == ModelStatus.CHAMPION:
        raise Conflict(_("%(model)s is already the champion.") % {"model": model.label})
    load(model)   # a champion must score: a deleted or damaged directory is refused here, not in the cycle
    now = timezone.now()
    old = next((m for m in locked.values() if m.status == ModelStatus.CHAMPION), None)
    if old is not None:
        old.status, old.retired_at = ModelStatus.RETIRED, now
        old.save(update_fields=["status", "retired_at"])
    model.status, model.promoted_at, model.retired_at, model.rolled_back_at = ModelStatus.CHAMPION, now, None, None
    model.save(update_fields=["status", "promoted_at", "retired_at", "rolled_back_at"])
    record(actor, "model.champion", "modelversion", model.pk,
           before={"champion": old.pk if old else None}, after={"champion": model.pk, "use": model.use,
                                                                 "version": model.version, "reason": reason})
    rescore_later(model.use, actor)
    return model


def withdraw_promotion(*, actor, request: PromotionRequest) -> PromotionRequest:
    """The person who asked takes the request back."""
    _require(actor, "scoring.request_promotion")
    with transaction.atomic():
        request = _pending(request)
        if request.requested_by_id != actor.pk:
            raise NotAllowed(_("Only the person who asked can withdraw a promotion request."))
        request.status, request.decided_at = PromotionStatus.WITHDRAWN, timezone.now()
        request.save(update_fields=["status", "decided_at"])
        record(actor, "model.promotion_withdrawn", "promotionrequest", request.pk, after={"model": request.model_id})
    return request


def rollback(*, actor, use: str, reason: str, expected: int | None = None) -> ModelVersion:
    """Bring back the previous champion of `use` (the current one retires, marked rolled back); announced
    to the risk managers. `expected`: the champion the user saw (its id); when another has been crowned
    since, or a first click already rolled back, nothing happens (Conflict) rather than a second step back."""
    _require(actor, "scoring.rollback_model")
    use, reason = _use(use), _reason(reason, _("the reason"))
    with transaction.atomic():
        list(ModelVersion.objects.select_for_update().filter(use=use).order_by("pk"))
        current = champion(use)
        if expected is not None and (current is None or current.pk != expected):
            raise Conflict(_("The champion has changed since you looked: reload the page and check again."))
        previous = previous_champion(use)
        if previous is None:
            raise Conflict(_("No earlier champion of %(use)s to roll back to.") % {"use": ModelUse(use).label})
        restored = crown_champion(actor, previous, reason=_("rollback: %(reason)s") % {"reason": reason})
        if current is not None:
            ModelVersion.objects.filter(pk=current.pk).update(rolled_back_at=timezone.now())
        record(actor, "model.rolled_back", "modelversion", restored.pk,
               before={"champion": current.pk if current else None}, after={"champion": restored.pk, "reason": reason})
        tell(risk_managers(), template=Template.APPROVAL_DECIDED, link=model_link(restored), level="warning",
             title=_("Rolled back: %(model)s is the champion again") % {"model": restored.label},
             body=_("%(user)s rolled %(use)s back from %(old)s: %(reason)s") % {
                 "user": actor.get_username(), "use": ModelUse(use).label,
                 "old": current.label if current else "-", "reason": reason})
    return restored


def retire(*, actor, model: ModelVersion, reason: str) -> ModelVersion:
    """Take a challenger out of the shadow scoring (a weak or broken one); the champion is retired only by
    crowning another or by a rollback. Needs scoring.rollback_model (risk managers)."""
    _require(actor, "scoring.rollback_model")
    reason = _reason(reason, _("the reason"))
    with transaction.atomic():
        model = ModelVersion.objects.select_for_update().get(pk=model.pk)
        if model.status != ModelStatus.CHALLENGER:
            raise Conflict(_("Only a challenger can be retired; %(model)s is %(status)s.")
                           % {"model": model.label, "status": model.get_status_display()})
        model.status, model.retired_at = ModelStatus.RETIRED, timezone.now()
        model.save(update_fields=["status", "retired_at"])
        model.promotions.filter(status=PromotionStatus.PENDING).update(
            status=PromotionStatus.WITHDRAWN, decided_at=model.retired_at)
        model.customer_scores.all().delete()
        record(actor, "model.retired", "modelversion", model.pk, after={"use": model.use, "reason": reason})
    return model


def rescore_later(use: str, actor=None) -> None:
    """Re-score the book for `use` in the background once the current transaction commits."""
    later("scoring.rescore", use, getattr(actor, "pk", None))

