"""With REDIS_URL set, the cache (login throttling, import progress) and the task queue live in Redis,
so several web and worker machines share them. Tested against the real local Redis server."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest

REDIS_URL = os.environ.get("REDIS_URL_FOR_TESTS", "redis://127.0.0.1:6379/15")


def redis_or_skip():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    return client


def test_redis_url_switches_the_cache_and_the_queue_to_redis(tmp_path):
    env = {**os.environ, "FENGKONG_DATA_DIR": str(tmp_path), "REDIS_URL": REDIS_URL}
    code = "import fengkong.settings as s; print(s.HUEY['huey_class'], s.CACHES['default']['BACKEND'])"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["huey.RedisHuey", "django.core.cache.backends.redis.RedisCache"]


def test_a_task_queued_on_redis_is_picked_up_and_run_by_a_worker():
    from huey import RedisHuey

    redis_or_skip()
    queue = RedisHuey(f"fengkong-test-{uuid.uuid4().hex}", url=REDIS_URL)
    ran = []

    @queue.task()
    def add_up(a, b):
        ran.append(a + b)
        return a + b

    result = add_up(2, 3)  # enqueued in Redis, not run yet
    assert ran == [] and queue.pending_count() == 1
    task = queue.dequeue()  # what a worker on another machine does
    queue.execute(task)
    assert ran == [5] and result.get() == 5
    queue.storage.flush_all()


def test_the_django_redis_cache_round_trips_import_progress():
    from django.core.cache.backends.redis import RedisCache

    redis_or_skip()
    cache = RedisCache(REDIS_URL, {})
    key = f"import-progress:test-{uuid.uuid4().hex}"
    cache.set(key, {"stage": "写入", "done": 5, "total": 10}, 30)
    assert cache.get(key) == {"stage": "写入", "done": 5, "total": 10}
    cache.delete(key)
