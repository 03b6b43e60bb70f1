"""Customer master data: GBK files with Chinese headers, credit codes, portfolios, contacts, audit."""

from __future__ import annotations

from fengkong.core import uscc
from fengkong.core.audit import verify
from fengkong.core.models import AuditEvent
from fengkong.customers.models import Contact, Customer, CustomerGroup

HEADER = "客户编码,客户名称,统一社会信用代码,行业,行政区划代码,所属集团编码,所属集团,合作开始日期,状态,业务员,联系人,联系电话,电子邮箱"


def customer_line(code: str, region: str = "500103", credit: str | None = None, **over) -> str:
    credit = credit if credit is not None else uscc.make("9", "1", region, f"{int(code[1:]):08d}")
    values = {"name": f"重庆测试{code}有限公司", "industry": "制造业", "group": "G01", "group_name": "渝中集团",
              "since": "2020/01/05", "status": "正常", "sales": "张三", "contact": "李四", "phone": "13800000000",
              "email": "li@example.cn"} | over
    return ",".join([code, values["name"], credit, values["industry"], region, values["group"],
                     values["group_name"], values["since"], values["status"], values["sales"], values["contact"],
                     values["phone"], values["email"]])


def customers_file(*lines: str) -> str:
    return "\n".join([HEADER, *lines]) + "\n"


def test_gbk_file_with_chinese_headers_imports_customers_groups_and_contacts(db, write, run, portfolios):
    path = write("customers.csv", customers_file(customer_line("C100001"), customer_line("C100002", "510100")), "gbk")
    batch = run("customers", path)
    assert batch.status == "done" and batch.encoding == "gb18030" and batch.rows_created == 2
    customer = Customer.objects.get(code="C100001")
    assert customer.industry == "C" and customer.status == "active" and str(customer.cooperation_start) == "2020-01-05"
    assert customer.group == CustomerGroup.objects.get(code="G01") and customer.group.name == "渝中集团"
    assert customer.portfolio == portfolios["CQ"]
    assert Customer.objects.get(code="C100002").portfolio == portfolios["SC"]
    contact = Contact.objects.get(customer=customer, is_primary=True)
    assert (contact.name, contact.phone, contact.email) == ("李四", "13800000000", "li@example.cn")


def test_invalid_credit_code_is_reported_with_the_reason(db, write, run, portfolios):
    good = uscc.make("9", "1", "500103", "00000001")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    batch = run("customers", write("c.csv", customers_file(customer_line("C100001", credit=bad)), "gbk"))
    [problem] = batch.errors
    assert problem["column"] == "统一社会信用代码" and problem["value"] == bad
    assert "check character should be" in problem["message"]


def test_credit_code_of_another_customer_is_refused(db, write, run, book):
    taken = book["customers"][0].credit_code
    batch = run("customers", write("c.csv", customers_file(customer_line("C100001", credit=taken))))
    assert "already belongs to customer C000001" in batch.errors[0]["message"]


def test_unknown_industry_region_and_status_are_reported(db, write, run, portfolios):
    line = customer_line("C100001", region="990000", industry="炼金术", status="休眠", credit="")
    batch = run("customers", write("c.csv", customers_file(line)))
    assert {p["column"] for p in batch.errors} == {"行业", "行政区划代码", "状态"}


def test_industry_accepts_section_letter_english_name_and_division_code(db, write, run, portfolios):
    lines = [customer_line("C100001", industry="E"), customer_line("C100002", industry="Construction"),
             customer_line("C100003", industry="C3511")]
    batch = run("customers", write("c.csv", customers_file(*lines)))
    assert batch.status == "done", batch.errors
    assert list(Customer.objects.order_by("code").values_list("industry", flat=True)) == ["E", "E", "C"]


def test_customer_import_is_audited_per_customer_and_the_chain_verifies(db, write, run, portfolios):
    path = write("c.csv", customers_file(customer_line("C100001")))
    run("customers", path)
    run("customers", write("c2.csv", customers_file(customer_line("C100001", sales="王五"))))
    created = AuditEvent.objects.get(action="customer.created")
    updated = AuditEvent.objects.get(action="customer.updated")
    assert created.before is None and created.after["code"] == "C100001"
    assert (updated.before["salesperson"], updated.after["salesperson"]) == ("张三", "王五")
    finished = AuditEvent.objects.filter(action="import.finished").order_by("seq")
    assert finished.count() == 2 and finished.last().after["updated"] == 1
    assert finished.last().after["sha256"] and finished.last().actor_name == "finance"
    assert verify().ok


def test_reimporting_customers_changes_nothing_and_keeps_updated_at(db, write, run, portfolios):
    path = write("c.csv", customers_file(customer_line("C100001"), customer_line("C100002")), "gbk")
    run("customers", path)
    stamps = dict(Customer.objects.values_list("code", "updated_at"))
    again = run("customers", path)
    assert (again.rows_created, again.rows_updated, again.rows_unchanged) == (0, 0, 2)
    assert dict(Customer.objects.values_list("code", "updated_at")) == stamps
    assert not AuditEvent.objects.filter(action="customer.updated").exists()


def test_file_without_a_column_keeps_the_stored_value(db, write, run, book, trusted_source):
    # a trusted source: the new legal name takes effect at once (otherwise it waits for review, tests/reviews)
    batch = run("customers", write("names.csv", "客户编码,客户名称\nC000001,重庆新名字有限公司\n"),
                source=trusted_source)
    customer = Customer.objects.get(code="C000001")
    assert batch.rows_updated == 1 and customer.name == "重庆新名字有限公司" and customer.region == "500103"


def test_duplicate_customer_codes_are_reported(db, write, run, portfolios):
    batch = run("customers", write("c.csv", customers_file(customer_line("C100001"), customer_line("C100001"))))
    assert batch.status == "rejected" and any("rows 2, 3" in p["message"] for p in batch.errors)
