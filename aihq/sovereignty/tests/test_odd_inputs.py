"""Odd query parameters and bodies on every regulation and sovereignty endpoint and page: 4xx, never a 500."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    "frameworks",
    "classifications",
    "requirements",
    "evidence",
    "risks",
    "incidents",
    "public-incidents",
    "suppliers",
    "components",
    "bom-entries",
    "agreements",
    "cutoff-scenarios",
]
PARAMS = [
    "?page=abc",
    "?page=99999999999999999999",
    "?organisation=%00",
    "?use_case=1e5",
    "?use_case=-0",
    "?category=..",
    "?domain=9.9",
    "?year=abc",
    "?status=zzz",
    "?overdue=maybe",
    "?jurisdiction=ABCDE",
    "?supplier=%20",
    "?ordering=-nonexistent",
    "?q=" + "x" * 5000,
    "?min_score=NaN",
    "?by=zzz",
    "?framework=%E2%80%8B",
    "?type=spaceship",
    "?code=' OR 1=1",
    "?current=yes",
    "?requirement=1.5",
    "?deployer=%25",
    "?year=99999999999999999999",
    "?use_case=9223372036854775808",
    '?developer=a"b',
    "?residual=1",
]


def test_odd_inputs_never_give_a_server_error(world, api_client_for, page_client_for):
    client = api_client_for("hq_admin")
    bad = []
    for e in ENDPOINTS:
        for p in PARAMS:
            r = client.get(f"/api/v1/{e}/{p}")
            if r.status_code >= 500:
                bad.append((e, p, r.status_code))
    for extra in ["requirements/summary/", "risks/heatmap/", "sovereignty/summary/", "sovereignty/settings/"]:
        for p in PARAMS:
            r = client.get(f"/api/v1/{extra}{p}")
            if r.status_code >= 500:
                bad.append((extra, p, r.status_code))
    page = page_client_for("hq_admin")
    for url in [
        "/regulation/",
        "/regulation/matrix/",
        "/regulation/requirements/",
        "/regulation/risks/",
        "/regulation/incidents/",
        "/regulation/library/",
        "/regulation/frameworks/",
        "/sovereignty/",
        "/sovereignty/suppliers/",
        "/sovereignty/components/",
        "/sovereignty/scenarios/",
        "/regulation/requirements.csv",
        "/regulation/risks.xlsx",
        "/regulation/incidents.csv",
    ]:
        for p in PARAMS:
            r = page.get(url + p)
            if r.status_code >= 500:
                bad.append((url, p, r.status_code))
    for url in [
        "/api/v1/classifications/",
        "/api/v1/risks/",
        "/api/v1/incidents/",
        "/api/v1/components/",
        "/api/v1/suppliers/",
        "/api/v1/agreements/",
        "/api/v1/cutoff-scenarios/",
        "/api/v1/evidence/",
        "/api/v1/frameworks/",
        f"/api/v1/use-cases/{world.uc_a.pk}/aibom/",
    ]:
        for body in [
            {},
            {"x": 1},
            [],
            "s",
            {"use_case": "abc", "answers": [1], "framework": None},
            {"use_case": world.uc_a.pk, "framework": "eu-ai-act", "answers": {"role": ["x"]}},
            {"title": "t" * 10000, "use_case": world.uc_a.pk, "category": "1", "likelihood": "x"},
            {"definition": {"schema": "x"}},
            {"definition": []},
            {"name": "\x00"},
            {"jurisdictions": "US"},
            {"jurisdictions": [1]},
            {"partner_country": 5, "title": "x", "kind": "research"},
        ]:
            r = client.post(url, body, format="json")
            if r.status_code >= 500:
                bad.append((url, str(body)[:60], r.status_code))
    assert not bad, bad
