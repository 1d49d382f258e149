"""Demo departments and one member of staff per role, for `manage.py seed_demo`."""

from .models import Department, User
from .roles import Role
from .services import department_ensure, staff_member_ensure

DEMO_PASSWORD = "klachtenladder-demo"

DEPARTMENTS = [
    # code, name, parent code
    ("kcc", "Klantcontactcentrum", None),
    ("bz", "Burgerzaken", None),
    ("bel", "Belastingen", None),
    ("sd", "Sociaal Domein", None),
    ("wi", "Werk en Inkomen", "sd"),
    ("jeugd", "Jeugd en Gezin", "sd"),
    ("or", "Openbare Ruimte", None),
]

DEMO_STAFF = [
    # e-mail, name, role, department code, admin site
    ("medewerker@example.nl", "Mila de Vries", Role.EMPLOYEE, "kcc", False),
    ("behandelaar@example.nl", "Hamza El Amrani", Role.HANDLER, "bz", False),
    ("coordinator@example.nl", "Cor Jansen", Role.COORDINATOR, "kcc", False),
    ("leidinggevende@example.nl", "Lotte Bakker", Role.MANAGER, "bz", False),
    ("bestuurder@example.nl", "Bert Visser", Role.BOARD, None, False),
    ("beheerder@example.nl", "Fatima Yilmaz", Role.FUNCTIONAL_ADMIN, None, True),
]


def seed_accounts() -> tuple[dict[str, Department], dict[Role, User]]:
    departments: dict[str, Department] = {}
    for code, name, parent_code in DEPARTMENTS:
        departments[code] = department_ensure(
            code=code, name=name, parent=departments.get(parent_code)
        )
    staff: dict[Role, User] = {}
    for email, name, role, department_code, admin_site in DEMO_STAFF:
        staff[role] = staff_member_ensure(
            email=email,
            full_name=name,
            roles=[role],
            department=departments.get(department_code),
            password=DEMO_PASSWORD,
            admin_site=admin_site,
        )
    return departments, staff
