"""Observability (issue 19, ADR 0091): a JSON log line per request and per job, `/readyz` asking every dependency,
and Prometheus `/metrics` (request latencies by route, jobs, queues, outbox, indexer, mint gas), added up over
gunicorn's worker processes."""

import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from dapp import logs, metrics, platform, probes
from dapp.jobs.worker import MeasuredWorker
from dapp.platform import Platform
from scripts.devstack import free_port
from tests.factories.accounts import make_org

ROOT = Path(__file__).resolve().parent.parent


def test_each_request_is_one_json_line_without_secrets(app, caplog: pytest.LogCaptureFixture) -> None:
    org = make_org("Logged")
    caplog.set_level(logging.INFO, logger="drec.request")
    response = app.test_client().get(
        "/api/v1/devices?off_taker=secret-filter", headers={**org.auth, "X-Request-Id": "gateway-42"}
    )
    assert response.status_code == 200
    assert response.headers["X-Request-Id"] == "gateway-42"
    [record] = [r for r in caplog.records if r.name == "drec.request"]
    line = json.loads(logs.JsonFormatter().format(record))
    assert {k: line[k] for k in ("request_id", "actor", "method", "route", "status")} == {
        "request_id": "gateway-42",
        "actor": "api_key",
        "method": "GET",
        "route": "/api/v1/devices",
        "status": 200,
    }
    assert line["duration_ms"] >= 0
    assert org.api_key not in str(line)
    assert "secret-filter" not in str(line)


def test_a_request_id_that_is_not_a_plain_token_is_replaced(app) -> None:
    response = app.test_client().get("/healthz", headers={"X-Request-Id": "bad id\twith spaces"})
    assert response.headers["X-Request-Id"] != "bad id\twith spaces"
    assert len(response.headers["X-Request-Id"]) == 32


def test_readyz_asks_every_dependency(app, settings) -> None:
    response = app.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.json == {"status": "ready", "checks": {"database": "ok", "redis": "ok", "chain": "ok"}}
    elsewhere = settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{free_port()}/0", "chain_id": 1})
    problems = probes.dependency_problems(Platform(elsewhere))
    assert problems["database"] is None
    assert problems["redis"].startswith("ConnectionError")
    assert "another chain id" in problems["chain"]


def test_metrics_expose_requests_queues_and_jobs(app, settings) -> None:
    client = app.test_client()
    client.get("/healthz")
    platform.enqueue("reads.prepare_partitions")
    platform.enqueue("notify.send_notification_emails")
    body = client.get("/metrics").get_data(as_text=True)
    assert 'drec_http_request_duration_seconds_count{method="GET",route="/healthz",status="200"}' in body
    assert 'drec_queue_depth{queue="default"} 1.0' in body
    assert 'drec_queue_depth{queue="email"} 1.0' in body
    assert 'drec_dependency_up{dependency="chain"} 1.0' in body
    assert "drec_mint_gas_used_total 0.0" in body
    assert "drec_indexer_lag_blocks" not in body  # the indexer has not started

    p = platform.current()
    MeasuredWorker([p.queue("default")], connection=p.redis).work(burst=True)
    assert metrics.job_figures(p.redis)[("reads.prepare_partitions", "finished")][0] == 1
    body = client.get("/metrics").get_data(as_text=True)
    assert 'drec_jobs_total{job="reads.prepare_partitions",outcome="finished"} 1.0' in body
    assert 'drec_queue_depth{queue="default"} 0.0' in body


def test_metrics_ask_for_the_token_when_one_is_set(app, settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(platform.current().settings, "metrics_token", "scrape-secret")
    client = app.test_client()
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer scrape-secret"}).status_code == 200


def test_gunicorn_workers_add_up_their_request_counts(services: dict[str, str], tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "DREC_DATABASE_URL": services["database_url"],
        "DREC_REDIS_URL": services["redis_url"],
        "DREC_CHAIN_RPC_URL": services["rpc_url"],
        "DREC_DEPLOYMENT_FILE": services["deployment_file"],
        "DREC_VAR_DIR": services["var_dir"],
        "DREC_WEB_WORKERS": "2",
        "DREC_WEB_THREADS": "1",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
    }
    command = [str(Path(sys.prefix) / "bin" / "gunicorn"), "-c", "python:dapp.gunicorn_conf", "-b", f"127.0.0.1:{port}"]
    log = (tmp_path / "web.log").open("wb")
    server = subprocess.Popen([*command, "dapp.app:create_app()"], env=env, cwd=ROOT, stderr=log)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(base)
        with requests.Session() as a, requests.Session() as b:  # keep-alive: each session stays with one worker
            for _ in range(10):
                a.get(f"{base}/healthz", timeout=60)
                b.get(f"{base}/healthz", timeout=60)
        body = requests.get(f"{base}/metrics", timeout=60).text
    finally:
        server.terminate()
        server.wait(30)
        log.close()
    [line] = [
        x for x in body.splitlines() if x.startswith("drec_http_request_duration_seconds_count") and "/healthz" in x
    ]
    assert line.endswith(" 21.0"), line  # 20 asked here, and the first answer's
    request_lines = [json.loads(x) for x in (tmp_path / "web.log").read_text().splitlines() if '"request"' in x]
    assert sum(1 for x in request_lines if x["route"] == "/healthz") >= 20


def _wait_for(base: str) -> None:
    deadline = time.monotonic() + 120
    while True:
        try:
            requests.get(f"{base}/healthz", timeout=90)
            return
        except requests.ConnectionError:
            assert time.monotonic() < deadline, "gunicorn did not answer"
            time.sleep(0.3)
