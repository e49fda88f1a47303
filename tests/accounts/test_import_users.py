import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from lms.accounts.models import Role, User
from tests.factories import StudentFactory

pytestmark = pytest.mark.django_db

VALID_CSV = """number,name,email,role
2024001,张三,zhangsan@example.edu,student
2024002,李四,,学生
T1001,王老师,wang@example.edu,teacher
R01,赵督导,,reviewer
"""


@pytest.fixture
def write(tmp_path):
    def _write(name: str, content: str) -> str:
        path = tmp_path / name
        path.write_text(content, encoding="utf-8")
        return str(path)

    return _write


def _run(path: str, *args: str) -> str:
    out = io.StringIO()
    call_command("import_users", path, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_a_valid_csv_creates_every_user_with_their_role(write):
    output = _run(write("users.csv", VALID_CSV))
    assert "created 4, updated 0, unchanged 0" in output
    zhang = User.objects.get(number="2024001")
    assert (zhang.display_name, zhang.email, zhang.roles) == (
        "张三",
        "zhangsan@example.edu",
        [Role.STUDENT],
    )
    assert User.objects.get(number="2024002").roles == [Role.STUDENT]
    assert User.objects.get(number="T1001").roles == [Role.TEACHER]
    assert User.objects.get(number="R01").roles == [Role.REVIEWER]
    assert not zhang.has_usable_password()


def test_a_valid_xlsx_with_numeric_cells_imports_numbers_as_text(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Number", "Name", "Email", "Role"])
    sheet.append([2024101, "陈五", None, "student"])
    sheet.append([2024102.0, "周六", "zhou@example.edu", "student"])
    path = tmp_path / "users.xlsx"
    workbook.save(path)
    _run(str(path))
    assert sorted(User.objects.values_list("number", flat=True)) == ["2024101", "2024102"]


def test_invalid_rows_are_reported_with_row_numbers_and_nothing_is_saved(write):
    path = write(
        "users.csv",
        "number,name,email,role\n"
        "2024001,张三,,student\n"
        ",没有学号,,student\n"
        "2024003,,,student\n"
        "2024004,孙七,not-an-email,student\n"
        "2024005,吴八,,janitor\n"
        "2024001,张三重复,,student\n",
    )
    errors = io.StringIO()
    with pytest.raises(CommandError, match="5 invalid row"):
        call_command("import_users", path, stdout=io.StringIO(), stderr=errors)
    report = errors.getvalue()
    assert "Row 3: the number is empty." in report
    assert "Row 4: the name is empty." in report
    assert "Row 5: “not-an-email” is not a valid email address." in report
    assert "Row 6: unknown role “janitor”" in report
    assert "Row 7: number 2024001 already appears in row 2." in report
    assert "Row 2" not in report
    assert User.objects.count() == 0


def test_running_the_same_file_again_creates_no_duplicates_and_keeps_passwords(write):
    path = write("users.csv", VALID_CSV)
    _run(path)
    zhang = User.objects.get(number="2024001")
    zhang.set_password("chosen by zhang")
    zhang.save()

    output = _run(path)
    assert "created 0, updated 0, unchanged 4" in output
    assert User.objects.count() == 4
    zhang.refresh_from_db()
    assert zhang.check_password("chosen by zhang")
    assert zhang.groups.count() == 1


def test_a_changed_name_is_updated_in_place(write):
    StudentFactory(number="2024001", display_name="Old Name", email="")
    output = _run(write("users.csv", "number,name,role\n2024001,张三,student\n"))
    assert "created 0, updated 1, unchanged 0" in output
    assert User.objects.get(number="2024001").display_name == "张三"
    assert User.objects.filter(number="2024001").count() == 1


def test_dry_run_reports_and_saves_nothing(write):
    output = _run(write("users.csv", VALID_CSV), "--dry-run")
    assert "Dry run, nothing saved" in output
    assert "created 4" in output
    assert User.objects.count() == 0


def test_a_file_missing_a_column_is_refused(write):
    with pytest.raises(CommandError, match="Missing column"):
        _run(write("users.csv", "number,name\n2024001,张三\n"))
    assert User.objects.count() == 0


def test_other_file_types_are_refused(write):
    with pytest.raises(CommandError, match=r"Only \.csv and \.xlsx"):
        _run(write("users.txt", VALID_CSV))
