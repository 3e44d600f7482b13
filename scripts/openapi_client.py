"""A client generated from Kassa's OpenAPI document by openapi-python-client, used as written:
with the demo's test key it creates a customer and an invoice for it, reads both back (by id,
by number and in a list) and checks that every field sent comes back as sent. Bodies are
built only from the generated models, never by hand, so a document the generator misreads
(a model missing fields, an operation left out) fails here.

    python3 scripts/openapi_client.py CLIENT_DIR BASE_URL API_KEY

CLIENT_DIR holds the generated package `kassa_client` (scripts/lib.sh, check_openapi);
BASE_URL is the API's root (http://127.0.0.1:PORT/api/v1). Exits 1 with every mismatch.
"""

import enum
import secrets
import sys
import typing
from datetime import date, timedelta

client_dir, base_url, api_key = sys.argv[1:4]
sys.path.insert(0, client_dir)

import attrs  # noqa: E402  (the generated client's own dependency)

problems: list[str] = []


def fail(message: str) -> typing.NoReturn:
    problems.append(message)
    report()
    raise AssertionError  # unreachable: report() exits


def report() -> None:
    if problems:
        print("openapi-python-client round trip FAILED:", file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
        sys.exit(1)


def check(what: str, got, want) -> None:
    if got != want:
        problems.append(f"{what}: got {got!r}, want {want!r}")


try:
    from kassa_client import AuthenticatedClient
    from kassa_client.api.customers import by_number_customers, create_customers, get_customers
    from kassa_client.api.invoices import (
        by_number_invoices,
        create_invoices,
        get_invoices,
        list_invoices,
    )
    from kassa_client.models import ContactJson, CreateCustomer, CreateLine, CustomerJson, InvoiceJson
    from kassa_client.types import UNSET
except ImportError as e:
    fail(f"the generated client lacks what customers and invoices need: {e}")


def body_model(operation, needs: set[str]):
    """The generated model `operation` takes as its body that has every field in `needs` and
    requires no other (one class, or one member of a union when the document gives several
    shapes)."""
    hint = typing.get_type_hints(operation.sync_detailed)["body"]
    candidates = typing.get_args(hint) or (hint,)
    for cls in candidates:
        if not attrs.has(cls):
            continue
        fields = {f.name for f in attrs.fields(cls)}
        required = {f.name for f in attrs.fields(cls) if f.default is attrs.NOTHING}
        if needs <= fields and required <= needs:
            return cls
    shapes = {c.__name__: sorted(f.name for f in attrs.fields(c)) for c in candidates if attrs.has(c)}
    fail(
        f"{operation.__name__}: no generated body model has the fields {sorted(needs)}; "
        f"the generator made {shapes} (it dropped the schema's properties)"
    )


def typed(model, name: str, value):
    """`value` as the generated `model` takes its field `name`: a member of the generated enum
    where the document lists the values (currency codes), a `date` where it states the date
    format, else as it is."""
    names = {**vars(sys.modules["kassa_client.models"]), **vars(sys.modules[model.__module__])}
    hint = typing.get_type_hints(model, globalns=names)[name]
    for t in typing.get_args(hint) or (hint,):
        if isinstance(t, type) and issubclass(t, enum.Enum):
            return t(value)
        if t is date:
            return date.fromisoformat(value)
    return value


def call(what: str, operation, status: int, model, **kwargs):
    response = operation.sync_detailed(client=client, **kwargs)
    if response.status_code != status or not isinstance(response.parsed, model):
        fail(f"{what}: HTTP {int(response.status_code)} {response.content[:400]!r}, want {status} with {model.__name__}")
    return response.parsed


def money(what: str, m, amount: str, minor: int, currency: str = "EUR") -> None:
    check(f"{what}.amount", m.amount, amount)
    check(f"{what}.minor", m.minor, minor)
    check(f"{what}.currency", m.currency, currency)


client = AuthenticatedClient(base_url=base_url, token=api_key, raise_on_unexpected_status=True)
run = secrets.token_hex(4)

# A customer, as docs/api.md pushes one.
customer_number = f"OAC-{run}"
contact = ContactJson(name="Anna Jansen", email="anna@jansen.example", role="accounts_payable")
sent_customer = CreateCustomer(
    number=customer_number,
    name="Zuivelhoeve Jansen",
    email="boekhouding@jansen.example",
    language="nl",
    segment="smb",
    payment_terms_days=14,
    contacts=[contact],
)
created = call(
    "POST /customers", create_customers, 201, CustomerJson,
    body=sent_customer, idempotency_key=f"customer-{run}",
)


def check_customer(where: str, c) -> None:
    check(f"{where}.id", c.id, created.id)
    check(f"{where}.object", c.object_, "customer")
    check(f"{where}.number", c.number, customer_number)
    check(f"{where}.name", c.name, "Zuivelhoeve Jansen")
    check(f"{where}.email", c.email, "boekhouding@jansen.example")
    check(f"{where}.language", c.language, "nl")
    check(f"{where}.segment", c.segment, "smb")
    check(f"{where}.payment_terms_days", c.payment_terms_days, 14)
    check(f"{where}.mode", c.mode, "test")
    got = [(x.name, x.email, x.role, x.phone) for x in c.contacts]
    check(f"{where}.contacts", got, [("Anna Jansen", "anna@jansen.example", "accounts_payable", None)])


check_customer("POST /customers", created)
check_customer("GET /customers/{id}", call("GET /customers/{id}", get_customers, 200, CustomerJson, id=created.id))
check_customer(
    "GET /customers/by-number/{number}",
    call("GET /customers/by-number/{number}", by_number_customers, 200, CustomerJson, number=customer_number),
)

# An invoice for it, named by the customer's number; a `/` in its number is read back by
# number (percent-encoded by the client). No due date: the customer's 14 days apply.
invoice_number = f"OAC/{run}/001"
issue = date(2026, 11, 2)
CreateInvoice = body_model(create_invoices, {"customer_number", "number", "currency", "issue_date", "lines"})
sent_invoice = CreateInvoice(
    customer_number=customer_number,
    number=invoice_number,
    currency=typed(CreateInvoice, "currency", "EUR"),
    issue_date=typed(CreateInvoice, "issue_date", issue.isoformat()),
    lines=[
        CreateLine(description="Gouda, whole wheel", quantity="3", unit_price="84.50"),
        CreateLine(description="Delivery", quantity="1.5", unit_price="12.50"),
    ],
)
invoice = call(
    "POST /invoices", create_invoices, 201, InvoiceJson,
    body=sent_invoice, idempotency_key=f"invoice-{run}",
)


def check_invoice(where: str, i, with_lines: bool = True) -> None:
    check(f"{where}.id", i.id, invoice.id)
    check(f"{where}.object", i.object_, "invoice")
    check(f"{where}.number", i.number, invoice_number)
    check(f"{where}.customer", i.customer, created.id)
    check(f"{where}.customer_number", i.customer_number, customer_number)
    check(f"{where}.currency", i.currency, "EUR")
    check(f"{where}.issue_date", i.issue_date, issue.isoformat())
    check(f"{where}.due_date", i.due_date, (issue + timedelta(days=14)).isoformat())
    check(f"{where}.mode", i.mode, "test")
    # 3 x 84.50 + 1.5 x 12.50 = 253.50 + 18.75
    money(f"{where}.total", i.total, "272.25", 27225)
    money(f"{where}.open", i.open_, "272.25", 27225)
    for field in ("paid", "credited", "written_off"):
        money(f"{where}.{field}", getattr(i, field), "0.00", 0)
    if not with_lines:
        return
    if i.lines in (None, UNSET) or len(i.lines) != 2:
        problems.append(f"{where}.lines: got {i.lines!r}, want 2 lines")
        return
    want = [
        (1, "Gouda, whole wheel", "3", "84.50", 8450, "253.50", 25350),
        (2, "Delivery", "1.5", "12.50", 1250, "18.75", 1875),
    ]
    for line, (pos, desc, qty, price, price_minor, amount, amount_minor) in zip(i.lines, want):
        w = f"{where}.lines[{pos - 1}]"
        check(f"{w}.position", line.position, pos)
        check(f"{w}.description", line.description, desc)
        check(f"{w}.quantity", line.quantity, qty)
        money(f"{w}.unit_price", line.unit_price, price, price_minor)
        money(f"{w}.amount", line.amount, amount, amount_minor)


check_invoice("POST /invoices", invoice)
check_invoice("GET /invoices/{id}", call("GET /invoices/{id}", get_invoices, 200, InvoiceJson, id=invoice.id))
check_invoice(
    "GET /invoices/by-number/{number}",
    call("GET /invoices/by-number/{number}", by_number_invoices, 200, InvoiceJson, number=invoice_number),
)
page = list_invoices.sync_detailed(client=client, customer=created.id).parsed
if not hasattr(page, "data"):
    fail(f"GET /invoices?customer=: got {page!r}, want a page")
check("GET /invoices?customer=.data (numbers)", [i.number for i in page.data], [invoice_number])
if page.data:
    check_invoice("GET /invoices?customer=.data[0]", page.data[0], with_lines=False)

report()
print(f"openapi-python-client round trip passed: customer {customer_number}, invoice {invoice_number}")
