"""Importing in a real browser: upload, preview with row problems, confirm, find the rows, export."""

from __future__ import annotations

import re

import pytest

from tests.e2e.test_registry_flow import sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CSV = (
    "reference,name,organisation,stage,sectors\n"
    "TX-1,Tax letter classifier,FNS,production,finance\n"
    "TX-2,Receipt OCR,FNS,pilot,finance\n"
    "TX-3,Broken row,FNS,shipping,finance\n"
)


@pytest.fixture
def tax_editor(transactional_db):
    from aihq.accounts.models import Membership, User
    from aihq.registry.models import Organisation, Sector

    Sector.objects.create(code="finance", name_en="Finance and taxation", name_ru="Финансы и налоги")
    org = Organisation.objects.create(code="FNS", name_en="Federal Tax Service", kind="agency")
    user = User.objects.create_user(username="ivan", password="browser-pass-2024")
    Membership.objects.create(user=user, organisation=org, role="editor")
    return user


def test_upload_preview_confirm_and_export(page, live_server, tax_editor, tmp_path):
    path = tmp_path / "fns.csv"
    path.write_text(CSV, encoding="utf-8")
    sign_in(page, live_server, "ivan", "browser-pass-2024")
    page.click("nav.mainnav >> text=Imports")
    page.click("[data-testid=import-new]")
    page.set_input_files("#id_file", str(path))
    page.click("[data-testid=preview]")
    page.wait_for_url(re.compile(r".*/imports/\d+/$"))
    assert "Preview" in page.locator("[data-testid=status]").inner_text()
    assert "2 new" in page.locator("[data-testid=summary]").inner_text()
    assert "shipping" in page.locator("table").inner_text()  # the rejected row, with its value
    page.click("[data-testid=confirm]")
    page.wait_for_load_state("networkidle")
    assert "Imported" in page.locator("[data-testid=status]").inner_text()

    page.click("nav.mainnav >> text=Use cases")
    assert page.locator("[data-testid=result-count]").inner_text().startswith("2 ")
    with page.expect_download() as download_info:
        page.click("[data-testid=export-csv]")
    exported = download_info.value.path().read_text(encoding="utf-8-sig")
    assert "Tax letter classifier" in exported
    assert "Receipt OCR" in exported
