"""Creating, editing, listing and viewing programmes through the pages an officer uses."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import login
from tests.factories import OfficeFactory, ProgramFactory, UserFactory
from tunas.core.choices import TargetCategory
from tunas.programs.models import BudgetLine, FundingSource, Program, Stage

from .helpers import edit_data, english, lines_data, new_program_data

pytestmark = pytest.mark.django_db


def test_the_funding_sources_are_the_documented_keys():
    assert FundingSource.values == ["tp", "dekon", "apbn_bantuan", "apbd_kab", "apbd_prov", "other"]


def test_an_officer_creates_a_programme_with_rupiah_typed_as_people_write_it(officer):
    response = login(officer).post(reverse("programs:create"), new_program_data())
    assert response.status_code == 302
    program = Program.objects.get(code="KLK-TKM-2027")
    assert response["Location"] == reverse("programs:detail", args=[program.code])
    assert program.office == officer.office
    assert program.budget_total == 50_000_000
    assert program.aid_per_group == 10_000_000
    assert program.aid_form == "money"
    assert program.funding_source == "apbd_kab"
    assert (program.group_size_min, program.group_size_max) == (5, 10)
    assert program.allowed_categories == ["penganggur", "lansia"]
    assert program.domicile_in_jurisdiction is True
    assert program.status == Stage.PLANNING
    assert program.version == 1
    assert [(line.name, line.planned) for line in program.budget_lines.all()] == [
        ("Bantuan uang usaha (4 kelompok)", 40_000_000),
        ("Pelatihan", 8_000_000),
    ]


def test_the_form_offers_one_checkbox_per_target_category(officer):
    html = login(officer).get(reverse("programs:create")).content.decode()
    values = re.findall(r'<input type="checkbox" name="allowed_categories" value="(\w+)"', html)
    assert values == list(TargetCategory.values)


def test_the_edit_form_ticks_the_allowed_categories(officer, program):
    program.allowed_categories = ["lansia", "disabilitas"]
    program.save()
    html = login(officer).get(reverse("programs:edit", args=[program.code])).content.decode()
    ticked = re.findall(r'<input type="checkbox" name="allowed_categories" value="(\w+)"[^>]*checked', html)
    assert ticked == ["lansia", "disabilitas"]


def test_a_programme_code_is_unique(officer, program):
    before = Program.objects.count()
    response = english(login(officer)).post(reverse("programs:create"), new_program_data(code=program.code))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_code-error"' in html
    assert "already exists" in html
    assert Program.objects.count() == before


def test_a_programme_code_is_capitals_digits_and_dashes(officer):
    response = login(officer).post(reverse("programs:create"), new_program_data(code="klk tkm 2027"))
    assert response.status_code == 200
    assert 'id="id_code-error"' in response.content.decode()
    assert not Program.objects.filter(name__startswith="Pelatihan Wirausaha Baru").exists()


def test_a_minimum_group_size_above_the_maximum_is_refused_beside_the_field(officer):
    response = english(login(officer)).post(
        reverse("programs:create"), new_program_data(group_size_min="12", group_size_max="10")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(
        r'id="id_group_size_min-error">The minimum group size cannot be larger than the maximum', html
    )
    assert 'id="form-errors"' in html  # and summarised at the top
    assert not Program.objects.filter(code="KLK-TKM-2027").exists()
    assert not BudgetLine.objects.filter(name="Pelatihan").exists()


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("registration_start", "registration_end"),
        ("verification_start", "verification_end"),
        ("training_start", "training_end"),
    ],
)
def test_a_stage_ending_before_it_starts_is_refused(officer, start, end):
    response = english(login(officer)).post(
        reverse("programs:create"), new_program_data(**{start: "2027-04-10", end: "2027-04-09"})
    )
    assert response.status_code == 200
    assert re.search(
        rf'id="id_{end}-error">The end date cannot be before the start date', response.content.decode()
    )
    assert not Program.objects.filter(code="KLK-TKM-2027").exists()


def test_a_one_day_stage_is_accepted(officer):
    response = login(officer).post(
        reverse("programs:create"), new_program_data(training_start="2027-05-04", training_end="2027-05-04")
    )
    assert response.status_code == 302


def test_budget_lines_above_the_total_are_refused(officer):
    data = new_program_data(
        budget_total="Rp 45.000.000", **lines_data([("Bantuan", "40.000.000"), ("Pelatihan", "6.000.000")])
    )
    response = english(login(officer)).post(reverse("programs:create"), data)
    assert response.status_code == 200
    assert 'id="id_budget_total-error">The budget lines add up to more than the total budget' in (
        response.content.decode()
    )
    assert not Program.objects.filter(code="KLK-TKM-2027").exists()
    assert not BudgetLine.objects.filter(name="Bantuan").exists()


def test_budget_lines_exactly_at_the_total_are_accepted(officer):
    data = new_program_data(
        budget_total="46.000.000", **lines_data([("Bantuan", "40.000.000"), ("Pelatihan", "6.000.000")])
    )
    assert login(officer).post(reverse("programs:create"), data).status_code == 302
    assert Program.objects.get(code="KLK-TKM-2027").budget_planned == 46_000_000


def test_a_budget_line_needs_both_a_name_and_an_amount(officer):
    data = new_program_data(**lines_data([("Bantuan", ""), ("", "5.000.000")]))
    response = login(officer).post(reverse("programs:create"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_lines-0-planned-error"' in html
    assert 'id="id_lines-1-name-error"' in html
    assert not Program.objects.filter(code="KLK-TKM-2027").exists()


@pytest.mark.parametrize("amount", ["Rp 1,5 juta", "12,5", "-1.000", "seribu"])
def test_amounts_that_are_not_whole_rupiah_are_refused_beside_the_field(officer, amount):
    response = login(officer).post(reverse("programs:create"), new_program_data(aid_per_group=amount))
    assert response.status_code == 200
    assert 'id="id_aid_per_group-error"' in response.content.decode()
    assert not Program.objects.filter(code="KLK-TKM-2027").exists()


def test_a_maximum_age_below_the_minimum_is_refused(officer):
    response = login(officer).post(reverse("programs:create"), new_program_data(min_age="30", max_age="25"))
    assert response.status_code == 200
    assert 'id="id_max_age-error"' in response.content.decode()


def test_an_officer_edits_a_programme_and_its_budget_lines(officer, program):
    BudgetLine.objects.create(program=program, name="Lama", planned=1_000_000)
    data = edit_data(program, name="Nama baru", budget_total="Rp 90.000.000")
    data.update(lines_data([("Bantuan alat", "Rp 80.000.000"), ("Lama", "")], initial=1))
    data["lines-1-name"] = ""  # an emptied line is removed
    response = login(officer).post(reverse("programs:edit", args=[program.code]), data)
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.name == "Nama baru"
    assert program.budget_total == 90_000_000
    assert program.version == 2
    assert [(line.name, line.planned) for line in program.budget_lines.all()] == [
        ("Bantuan alat", 80_000_000)
    ]


def test_the_edit_form_shows_amounts_with_thousand_dots(officer, program):
    html = login(officer).get(reverse("programs:edit", args=[program.code])).content.decode()
    assert 'value="100.000.000"' in html
    assert f'name="version" value="{program.version}"' in html


def test_the_code_of_an_existing_programme_cannot_be_changed(officer, program):
    data = edit_data(program, code="HIJACK-1", name="Tetap")
    assert login(officer).post(reverse("programs:edit", args=[program.code]), data).status_code == 302
    assert Program.objects.filter(code=program.code, name="Tetap").exists()
    assert not Program.objects.filter(code="HIJACK-1").exists()


def test_the_edit_form_cannot_change_the_stage(officer, program):
    data = edit_data(program, status=Stage.CLOSED)
    assert login(officer).post(reverse("programs:edit", args=[program.code]), data).status_code == 302
    program.refresh_from_db()
    assert program.status == Stage.REGISTRATION


def test_the_list_shows_the_offices_programmes_with_their_figures(officer, program):
    response = login(officer).get(reverse("programs:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert program.code in html
    assert "Rp 100.000.000" in html


def test_the_list_filters_by_text_year_stage_and_funding(officer, klungkung):
    ProgramFactory(
        office=klungkung,
        code="KLK-A-2018",
        name="Lontar",
        fiscal_year=2018,
        status=Stage.CLOSED,
        funding_source="tp",
    )
    ProgramFactory(
        office=klungkung,
        code="KLK-B-2026",
        name="Jajan Bali",
        fiscal_year=2026,
        status=Stage.REGISTRATION,
        funding_source="apbd_kab",
    )
    client = login(officer)

    def codes(**params) -> list[str]:
        return [p.code for p in client.get(reverse("programs:list"), params).context["page"]]

    assert codes() == ["KLK-B-2026", "KLK-A-2018"]
    assert codes(q="jajan") == ["KLK-B-2026"]
    assert codes(q="klk-a") == ["KLK-A-2018"]
    assert codes(year=2018) == ["KLK-A-2018"]
    assert codes(status="closed") == ["KLK-A-2018"]
    assert codes(funding="apbd_kab") == ["KLK-B-2026"]
    assert codes(sort="code") == ["KLK-A-2018", "KLK-B-2026"]
    assert codes(sort="-code") == ["KLK-B-2026", "KLK-A-2018"]
    assert codes(sort="password") == ["KLK-B-2026", "KLK-A-2018"]  # unknown sort keys are ignored


def test_the_list_says_what_to_do_first_when_empty(officer):
    response = english(login(officer)).get(reverse("programs:list"))
    assert "No programmes yet" in response.content.decode()


def test_the_detail_page_shows_the_plan_and_the_lifecycle(officer, program):
    response = english(login(officer)).get(reverse("programs:detail", args=[program.code]))
    assert response.status_code == 200
    html = response.content.decode()
    assert program.name in html
    assert 'aria-current="step">Registration<' in html
    assert "Rp 100.000.000" in html
    assert "1 November 2026" in html


def test_the_detail_page_names_what_is_missing_to_move_on(officer, klungkung):
    planning = ProgramFactory(office=klungkung, status=Stage.PLANNING, registration_start=None)
    html = english(login(officer)).get(reverse("programs:detail", args=[planning.code])).content.decode()
    assert "Before moving to the next stage" in html
    assert "Add at least one budget line." in html
    assert "Set the registration dates." in html


@pytest.mark.parametrize("tab", ["overview", "budget", "no-such-tab"])
def test_the_overview_and_budget_tabs_open_and_an_unknown_tab_shows_the_overview(officer, program, tab):
    BudgetLine.objects.create(program=program, name="Honorarium instruktur", planned=7_200_000)
    response = english(login(officer)).get(reverse("programs:detail", args=[program.code]), {"tab": tab})
    assert response.status_code == 200
    html = response.content.decode()
    if tab == "budget":
        assert "Honorarium instruktur" in html and "Rp 7.200.000" in html
    else:
        assert "Eligibility" in html and "Honorarium instruktur" not in html


# ---- Who may do what --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["viewer", "verifier", "mentor", "instructor"])
def test_only_programme_managers_may_create_or_edit(request, who, program):
    client = login(request.getfixturevalue(who))
    assert client.get(reverse("programs:create")).status_code == 403
    assert client.post(reverse("programs:create"), new_program_data()).status_code == 403
    assert client.get(reverse("programs:edit", args=[program.code])).status_code == 403
    assert (
        client.post(reverse("programs:edit", args=[program.code]), edit_data(program, name="X")).status_code
        == 403
    )
    assert client.post(reverse("programs:advance", args=[program.code]), {"version": 1}).status_code == 403
    assert not Program.objects.filter(code="KLK-TKM-2027").exists()
    program.refresh_from_db()
    assert program.name != "X"


def test_a_viewer_reads_the_list_and_the_programme(viewer, program):
    client = login(viewer)
    listing = client.get(reverse("programs:list")).content.decode()
    assert program.code in listing
    assert reverse("programs:create") not in listing
    response = client.get(reverse("programs:detail", args=[program.code]))
    assert response.status_code == 200
    assert reverse("programs:edit", args=[program.code]) not in response.content.decode()


def test_the_programme_pages_send_anonymous_visitors_to_sign_in(program):
    client = Client()
    for url in [
        reverse("programs:list"),
        reverse("programs:create"),
        reverse("programs:detail", args=[program.code]),
        reverse("programs:edit", args=[program.code]),
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:login")), url
    assert client.post(reverse("programs:advance", args=[program.code])).status_code == 302


def test_an_outsider_sees_nothing_of_another_regency(outsider, program):
    client = login(outsider)
    response = client.get(reverse("programs:list"))
    assert response.status_code == 200
    assert list(response.context["page"]) == []
    assert program.code not in response.content.decode()
    assert client.get(reverse("programs:list"), {"q": program.code}).context["page"].total.value == 0


def test_an_outsider_gets_404_on_another_regencys_programme(outsider, program):
    client = login(outsider)
    assert client.get(reverse("programs:detail", args=[program.code])).status_code == 404
    assert client.get(reverse("programs:edit", args=[program.code])).status_code == 404
    data = edit_data(program, name="Diubah dari Gianyar")
    assert client.post(reverse("programs:edit", args=[program.code]), data).status_code == 404
    assert client.post(reverse("programs:advance", args=[program.code]), {"version": 1}).status_code == 404
    program.refresh_from_db()
    assert program.name != "Diubah dari Gianyar"
    assert program.version == 1


def test_a_new_programme_belongs_to_the_creators_office_and_stays_there(outsider, officer):
    response = login(outsider).post(reverse("programs:create"), new_program_data(code="GNR-TKM-2027"))
    assert response.status_code == 302
    assert Program.objects.get(code="GNR-TKM-2027").office == outsider.office
    assert [p.code for p in login(officer).get(reverse("programs:list")).context["page"]] == []


def test_a_province_office_sees_the_programmes_of_its_regencies(bali_province, program, gianyar):
    gianyar_program = ProgramFactory(office=gianyar, code="GNR-TST-2026")
    lombok_barat = OfficeFactory(name="Dinas Tenaga Kerja Kabupaten Lombok Barat", region_code="52.01")
    lombok = ProgramFactory(office=lombok_barat, code="LBR-TST-2026")
    province_viewer = UserFactory(username="pimpinan.bali", office=bali_province, roles=["viewer"])
    client = login(province_viewer)
    codes = {p.code for p in client.get(reverse("programs:list")).context["page"]}
    assert codes == {program.code, gianyar_program.code}
    assert client.get(reverse("programs:detail", args=[program.code])).status_code == 200
    assert client.get(reverse("programs:detail", args=[lombok.code])).status_code == 404


def test_the_programme_list_asks_the_same_number_of_queries_for_3_or_30_programmes(
    officer, klungkung, django_assert_max_num_queries
):
    client = login(officer)
    for i in range(3):
        ProgramFactory(office=klungkung, code=f"KLK-FEW-{i:02d}")
    with django_assert_max_num_queries(12) as few:
        assert len(client.get(reverse("programs:list")).context["page"]) == 3
    for i in range(27):
        ProgramFactory(office=klungkung, code=f"KLK-MANY-{i:02d}")
    with django_assert_max_num_queries(12) as many:
        response = client.get(reverse("programs:list"))
    assert response.context["page"].total.value == 30
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_home_page_shows_the_offices_programmes_by_stage_and_not_another_offices(
    officer, program, gianyar
):
    other = ProgramFactory(office=gianyar, code="GIA-TST-2026")
    page = login(officer).get(reverse("core:home")).content.decode()
    assert program.code in page
    assert other.code not in page


def test_a_group_size_beyond_the_limit_is_refused_by_the_form_and_by_the_database(as_officer, program):
    from django.db import IntegrityError, transaction

    response = as_officer.post(
        reverse("programs:edit", args=[program.code]),
        {**edit_data(program), "group_size_max": "70000", "version": program.version},
    )
    assert response.status_code == 200
    program.refresh_from_db()
    assert program.group_size_max != 70000
    with pytest.raises(IntegrityError), transaction.atomic():
        Program.objects.filter(pk=program.pk).update(group_size_max=101)


# ---- Visible routes: budget lines, groups and members; the group size said plainly -------------------------


def test_the_budget_tab_leads_a_manager_to_the_edit_pages_budget_lines(officer, viewer, program):
    url = reverse("programs:detail", args=[program.code])
    html = english(login(officer)).get(url, {"tab": "budget"}).content.decode()
    assert f'href="{reverse("programs:edit", args=[program.code])}#lines">Add budget line</a>' in html
    assert "#lines" not in english(login(viewer)).get(url, {"tab": "budget"}).content.decode()


def test_the_budget_tab_loaded_by_htmx_keeps_the_add_line_link(officer, program):
    response = english(login(officer)).get(
        reverse("programs:detail", args=[program.code]),
        {"tab": "budget"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="program-tab",
    )
    assert "Add budget line" in response.content.decode()


def test_the_edit_page_adds_budget_lines_without_inline_scripts(officer, program):
    html = english(login(officer)).get(reverse("programs:edit", args=[program.code])).content.decode()
    assert 'id="lines"' in html
    assert '<template id="lines-empty-form">' in html
    assert 'name="lines-__prefix__-name"' in html and 'name="lines-__prefix__-planned"' in html
    assert re.search(r'<button[^>]*data-formset-add="lines"[^>]*hidden>Add line</button>', html)
    assert "onclick" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # every script is a file


def test_a_line_added_in_the_browser_is_saved(officer, program):
    # What the "Add line" button posts: a third row numbered after the two empty ones, TOTAL_FORMS raised.
    data = edit_data(program)
    data.update(lines_data([("Bantuan alat", "30.000.000"), ("", ""), ("Pelatihan", "5.000.000")], extra=0))
    response = login(officer).post(reverse("programs:edit", args=[program.code]), data)
    assert response.status_code == 302
    assert [line.name for line in program.budget_lines.all()] == ["Bantuan alat", "Pelatihan"]


def test_a_fixed_group_size_reads_as_one_number(officer, klungkung):
    fixed = ProgramFactory(office=klungkung, code="KLK-TEN-2026", group_size_min=10, group_size_max=10)
    html = english(login(officer)).get(reverse("programs:detail", args=[fixed.code])).content.decode()
    assert "10 members" in html
    assert "10 to 10 members" not in html


def test_a_group_size_range_reads_as_a_range(officer, klungkung):
    ranged = ProgramFactory(office=klungkung, code="KLK-RNG-2026", group_size_min=5, group_size_max=10)
    html = english(login(officer)).get(reverse("programs:detail", args=[ranged.code])).content.decode()
    assert "5 to 10 members" in html


def test_the_overview_tab_label_is_marked_for_translation():
    from django.utils import translation
    from django.utils.functional import Promise

    from tunas.programs.extensions import program_tabs

    overview = next(tab for tab in program_tabs if tab.key == "overview")
    assert isinstance(overview.label, Promise)  # translated when the page is drawn, in the reader's language
    with translation.override("en"):
        assert str(overview.label) == "Overview"


def test_the_group_list_offers_a_manager_to_add_a_group_in_a_programme_in_registration(officer, viewer):
    html = english(login(officer)).get(reverse("registry:group_list")).content.decode()
    menu = reverse("programs:in_stage", args=["registration"])
    assert f'hx-get="{menu}?next=' in html
    assert re.search(r'<a class="btn btn-primary dropdown-toggle"[^>]*>Add group</a>', html)
    # Without scripts the same button opens the programme list at the registration stage.
    assert f'href="{reverse("programs:list")}?status=registration"' in html
    assert "Add group" not in english(login(viewer)).get(reverse("registry:group_list")).content.decode()


def test_the_member_list_leads_a_manager_to_the_forming_groups(officer, viewer):
    html = english(login(officer)).get(reverse("registry:member_list")).content.decode()
    assert f'href="{reverse("registry:group_list")}?status=forming">Add member</a>' in html
    assert "Add member" not in english(login(viewer)).get(reverse("registry:member_list")).content.decode()


def _in_stage(client: Client, stage: str, next_url: str) -> str:
    response = client.get(
        reverse("programs:in_stage", args=[stage]), {"next": next_url}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    return response.content.decode()


def test_the_programmes_in_registration_link_to_the_next_page_with_their_code(officer, klungkung, gianyar):
    ProgramFactory(office=klungkung, code="KLK-REG-2026", status=Stage.REGISTRATION)
    ProgramFactory(office=klungkung, code="KLK-OLD-2018", status=Stage.CLOSED)
    ProgramFactory(office=gianyar, code="GIA-REG-2026", status=Stage.REGISTRATION)
    html = _in_stage(english(login(officer)), "registration", "/registry/kelompok/baru/CODE/")
    assert 'href="/registry/kelompok/baru/KLK-REG-2026/"' in html
    assert "KLK-OLD-2018" not in html
    assert "GIA-REG-2026" not in html
    assert "Programmes at the stage “Registration”" in html


def test_the_programmes_in_a_stage_say_when_there_is_none(officer):
    html = _in_stage(english(login(officer)), "registration", "/x/CODE/")
    assert "None of your programmes is at the stage “Registration”." in html


@pytest.mark.parametrize("next_url", ["https://evil.example/CODE/", "//evil.example/CODE/", "/no-code/", ""])
def test_the_programmes_in_a_stage_never_link_outside_tunas(officer, program, next_url):
    html = _in_stage(login(officer), "registration", next_url)
    assert "evil.example" not in html
    assert f'href="{reverse("programs:detail", args=[program.code])}"' in html


def test_the_programmes_in_a_stage_without_scripts_is_the_filtered_programme_list(officer):
    response = login(officer).get(reverse("programs:in_stage", args=["registration"]))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('programs:list')}?status=registration"


def test_the_programmes_in_a_stage_are_for_managers_of_known_stages(viewer, officer):
    assert login(viewer).get(reverse("programs:in_stage", args=["registration"])).status_code == 403
    assert (
        login(officer).get(reverse("programs:in_stage", args=["nope"]), HTTP_HX_REQUEST="true").status_code
        == 404
    )
    assert Client().get(reverse("programs:in_stage", args=["registration"])).status_code == 302


def test_the_summary_at_the_top_lists_the_budget_line_errors_too(officer):
    data = new_program_data(**lines_data([("Bantuan", ""), ("", "5.000.000")]))
    html = english(login(officer)).post(reverse("programs:create"), data).content.decode()
    summary = html.split('id="form-errors"')[1].split("</div>")[0]
    assert 'href="#id_lines-0-planned"' in summary and "Line 1" in summary
    assert 'href="#id_lines-1-name"' in summary and "Line 2" in summary
