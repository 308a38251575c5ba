"""The wire format without a database: body, signature and its check, headers, retry schedule, allowed URLs."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json

import pytest
from django.core.exceptions import ValidationError

from aihq.webhooks import protocol

SECRET = "s3cr3t-for-tests"


def test_the_signature_is_hmac_sha256_of_the_timestamp_a_dot_and_the_body():
    body = b'{"id":"x","type":"ping"}'
    expected = hmac.new(SECRET.encode(), b"1764494100." + body, hashlib.sha256).hexdigest()
    assert protocol.sign(SECRET, 1764494100, body) == expected
    assert protocol.sign(SECRET, "1764494100", body) == expected
    assert protocol.sign("other", 1764494100, body) != expected
    assert protocol.sign(SECRET, 1764494101, body) != expected


def test_verify_accepts_a_fresh_signature_and_refuses_tampering_old_times_and_other_secrets():
    body = "Сбой".encode()
    now = 1_764_494_100
    header = "sha256=" + protocol.sign(SECRET, now, body)
    assert protocol.verify(SECRET, str(now), body, header, now=now + 10)
    assert not protocol.verify(SECRET, now, body + b" ", header, now=now)
    assert not protocol.verify("other", now, body, header, now=now)
    assert not protocol.verify(SECRET, now + 1, body, header, now=now)
    assert not protocol.verify(SECRET, now, body, header, now=now + protocol.DEFAULT_TOLERANCE + 1)
    assert protocol.verify(SECRET, now, body, header, tolerance=0, now=now + 10**6)  # 0: no clock check
    assert not protocol.verify(SECRET, now, body, header.removeprefix("sha256="), now=now)
    assert not protocol.verify(SECRET, "yesterday", body, header, now=now)


def test_headers_name_the_event_the_delivery_the_time_and_the_signature():
    headers = protocol.headers(event_type="rag_red", delivery="d-1", timestamp=12, signature="ab")
    assert headers == {
        "Content-Type": "application/json",
        "User-Agent": "AIHQ-Webhooks/1",
        "X-AIHQ-Event": "rag_red",
        "X-AIHQ-Delivery": "d-1",
        "X-AIHQ-Timestamp": "12",
        "X-AIHQ-Signature": "sha256=ab",
    }


def test_the_body_is_compact_utf8_json_with_the_documented_keys():
    text = protocol.build_body(
        event_id="incident:7",
        event_type="incident_serious",
        occurred_at=dt.datetime(2026, 11, 30, 12, 15, tzinfo=dt.timezone(dt.timedelta(hours=3))),
        organisation="MINZDRAV",
        data={"title": "Сбой", "n": 1},
        delivery="0b5f",
    )
    assert json.loads(text) == {
        "id": "incident:7",
        "type": "incident_serious",
        "occurred_at": "2026-11-30T09:15:00Z",
        "organisation": "MINZDRAV",
        "data": {"title": "Сбой", "n": 1},
        "delivery": "0b5f",
    }
    assert "Сбой" in text  # not \u-escaped
    assert ": " not in text


def test_retries_back_off_then_give_up_after_the_eighth_attempt():
    delays = [protocol.retry_delay(n) for n in range(1, 9)]
    assert delays[:7] == [dt.timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32, 60)]
    assert delays[7] is None
    assert protocol.retry_delay(1, max_attempts=1) is None
    assert protocol.retry_delay(20, max_attempts=50) == dt.timedelta(minutes=120)  # the last step repeats


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.org/aihq",
        "https://hooks.example.org:8443/aihq?team=1",
        "HTTPS://Hooks.Example.org/x",
        "http://127.0.0.1:8000/hook",
        "http://receiver/hook",
    ],
)
def test_allowed_urls(url):
    protocol.validate_url(url, ["127.0.0.1", "receiver"])


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("", "Give the URL"),
        ("http://hooks.example.org/x", "https"),
        ("http://localhost/x", "https"),
        ("ftp://hooks.example.org/x", "https"),
        ("file:///etc/passwd", "https"),
        ("javascript:alert(1)", "https"),
        ("https://user:pw@hooks.example.org/x", "password"),
        ("https://token@hooks.example.org/x", "password"),
        ("https://hooks.example.org/x y", "spaces"),
        ("https://hooks.example.org/x\n", "spaces"),
        ("https:///nohost", "not a valid URL"),
        ("https://hooks.example.org:99999/x", "not a valid URL"),
        ("https://hooks.example.org/x#frag", "fragment"),
        ("https://hooks.example.org/" + "x" * 600, "at most"),
    ],
)
def test_refused_urls_say_why(url, words):
    with pytest.raises(ValidationError) as exc:
        protocol.validate_url(url, ["127.0.0.1"])
    assert words in " ".join(exc.value.message_dict["url"])


def test_plain_http_needs_the_exact_host_listed():
    with pytest.raises(ValidationError):
        protocol.validate_url("http://127.0.0.2/x", ["127.0.0.1"])
    with pytest.raises(ValidationError):
        protocol.validate_url("http://127.0.0.1.example.org/x", ["127.0.0.1"])
    protocol.validate_url("http://[::1]:9000/x", ["::1"])
