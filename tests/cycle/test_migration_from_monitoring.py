"""The night's record moved from monitoring to the cycle app: an existing database keeps its runs, its done
days become monitored days, and the permissions granted on runs stay granted."""

from __future__ import annotations

from datetime import date

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("monitoring", "0003_utilisation_label"), ("contenttypes", "0002_remove_content_type_name"),
          ("auth", "0012_alter_user_first_name_max_length")]


def test_an_upgraded_database_keeps_its_runs_and_their_done_days_become_monitored_days(flushable_audit_trail):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    run_model = old.get_model("monitoring", "CycleRun")
    run_model.objects.create(as_of=date(2026, 11, 1), status="done", policy_version=3,
                             edges=[0, 30, 60, 90, 180, 365], counts={"alerts_raised": 7})
    run_model.objects.create(as_of=date(2026, 11, 2), status="failed", error="killed")
    content_type = old.get_model("contenttypes", "ContentType").objects.create(app_label="monitoring",
                                                                                model="cyclerun")
    permission = old.get_model("auth", "Permission").objects.create(codename="run_cycle", name="Can run",
                                                                    content_type=content_type)
    group = old.get_model("auth", "Group").objects.create(name="night operators")
    group.permissions.add(permission)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    new = executor.loader.project_state(executor.loader.graph.leaf_nodes()).apps

    runs = new.get_model("cycle", "CycleRun").objects.order_by("as_of")
    assert [(r.as_of, r.status, r.counts) for r in runs] == [
        (date(2026, 11, 1), "done", {"alerts_raised": 7}), (date(2026, 11, 2), "failed", {})]
    days = new.get_model("monitoring", "MonitoringDay").objects.all()
    assert [(d.as_of, d.policy_version, d.edges) for d in days] == [(date(2026, 11, 1), 3, [0, 30, 60, 90, 180, 365])]
    granted = new.get_model("auth", "Group").objects.get(name="night operators").permissions.get()
    assert (granted.content_type.app_label, granted.codename) == ("cycle", "run_cycle")
