"""Who may open what: every route of `app.url_map` × {anonymous, participant, provider A,
provider B, office}, against the rule written for it below.

Every endpoint is named in RULES; a route added without a rule fails the suite
(`test_every_route_has_a_rule`). Path variables are filled from the seeded demo
(tests/support/demo_world.py): its rows belong to the demo participant (peserta@) and to
the demo provider, provider A (lembaga@); provider B is a member of staff of another
lembaga, so every id of provider A's that provider B opens must be a 404, never a 200 or a
403 that would confirm it exists. Routes that take only POST are sent an empty POST (the
tests run without CSRF): the rule is checked on who is refused, not on what a valid form
does (the pages' own tests do that).

The rules:
- PUBLIC: the same answer for every role (the public pages, certificates, sign-in forms).
- GUEST: anonymous gets the page (200); a signed-in role is sent on (the sign-in form).
- SIGNED_IN: anonymous is sent to sign in; every signed-in role gets the same answer.
- PARTICIPANT: anonymous is sent to sign in; providers and the office are refused (403).
- PARTICIPANT_HOME: /account: as PARTICIPANT, but the office is sent on to its own pages.
- PROVIDER: anonymous to sign in; the participant and the office 403; both providers in.
- PROVIDER_OWN: as PROVIDER, but provider B gets a 404 for provider A's row.
- OFFICE: anonymous to sign in; participant and providers 403; the office in.
A role let in is never refused (403); it may find nothing (404) where the demo has no such
row, or be refused a form sent empty (400, 409): the pages' own tests cover those.
"""

import pytest
import sqlalchemy as sa
from support.demo_world import DEMO_ACCOUNTS, fill, path_template, signed_in, world
from support.factories import PASSWORD

from marketplace.catalogue.models import Provider
from marketplace.extensions import db
from marketplace.people import accounts
from marketplace.people.models import Role, User

PUBLIC, GUEST, SIGNED_IN, PARTICIPANT, PARTICIPANT_HOME, PROVIDER, PROVIDER_OWN, OFFICE = (
    "public",
    "guest",
    "signed in",
    "participant",
    "participant's home",
    "provider",
    "provider's own",
    "office",
)
ROLES = ("anonymous", "participant", "provider_a", "provider_b", "office")

RULES = {
    "account.batches": PARTICIPANT,
    "account.cancel_email_change": PARTICIPANT,
    "account.confirm_email_change": PUBLIC,
    "account.demonstration": PARTICIPANT,
    "account.demonstration_file": SIGNED_IN,
    "account.email": PARTICIPANT,
    "account.incentives": PARTICIPANT,
    "account.index": PARTICIPANT_HOME,
    "account.join_batch": PARTICIPANT,
    "account.payout": PARTICIPANT,
    "account.payout_confirm": PARTICIPANT,
    "account.payout_resend": PARTICIPANT,
    "account.profile": PARTICIPANT,
    "account.profile_confirm": PARTICIPANT,
    "account.review": PARTICIPANT,
    "account.statement": PARTICIPANT,
    "account.survey": PARTICIPANT,
    "account.test": PARTICIPANT,
    "account.test_question": PARTICIPANT,
    "account.test_result": PARTICIPANT,
    "account.test_submit": PARTICIPANT,
    "admin.batch": OFFICE,
    "admin.batches": OFFICE,
    "admin.certificates": OFFICE,
    "admin.course_history": OFFICE,
    "admin.curation": OFFICE,
    "admin.curation_draft": OFFICE,
    "admin.decide_draft": OFFICE,
    "admin.delete_search_synonym": OFFICE,
    "admin.disbursement_cancel": OFFICE,
    "admin.disbursement_flag_resolve": OFFICE,
    "admin.disbursement_payment": OFFICE,
    "admin.disbursement_retry": OFFICE,
    "admin.disbursements": OFFICE,
    "admin.hide_review": OFFICE,
    "admin.invite_staff": OFFICE,
    "admin.ledger": OFFICE,
    "admin.ledger_account": OFFICE,
    "admin.ledger_check": OFFICE,
    "admin.order": OFFICE,
    "admin.orders": OFFICE,
    "admin.provider": OFFICE,
    "admin.providers": OFFICE,
    "admin.refund_order": OFFICE,
    "admin.review": OFFICE,
    "admin.reviews_list": OFFICE,
    "admin.revoke_certificate": OFFICE,
    "admin.search_synonym": OFFICE,
    "admin.search_synonyms": OFFICE,
    "admin.select_batch": OFFICE,
    "admin.settlement": OFFICE,
    "admin.settlement_csv": OFFICE,
    "admin.settlement_provider": OFFICE,
    "admin.settlement_provider_csv": OFFICE,
    "admin.submissions": OFFICE,
    "admin.test_time": OFFICE,
    "admin.test_time_grant": OFFICE,
    "admin.test_time_participant": OFFICE,
    "admin.unhide_review": OFFICE,
    "admin.void_invitation": OFFICE,
    "auth.change_password": SIGNED_IN,
    "auth.check_email": GUEST,
    "auth.correct_email": PUBLIC,
    "auth.forgot_password": PUBLIC,
    "auth.invitation": PUBLIC,
    "auth.login": GUEST,
    "auth.logout": PUBLIC,
    "auth.logout_page": PUBLIC,
    "auth.register": GUEST,
    "auth.resend_verification": GUEST,
    "auth.reset_password": PUBLIC,
    "auth.verify_email": PUBLIC,
    "catalogue.course": PUBLIC,
    "catalogue.index": PUBLIC,
    "certificates.credential_json": PUBLIC,
    "certificates.issuer": PUBLIC,
    "certificates.pdf": PUBLIC,
    "certificates.show": PUBLIC,
    "certificates.status_list": PUBLIC,
    "certificates.verify": PUBLIC,
    "checkout.confirm": PARTICIPANT,
    "checkout.course": PARTICIPANT,
    "checkout.order": PARTICIPANT,
    "checkout.resend": PARTICIPANT,
    "learning.complete": PARTICIPANT,
    "learning.course": PARTICIPANT,
    "learning.courses": PARTICIPANT,
    "learning.module": PARTICIPANT,
    "learning.post_test": PARTICIPANT,
    "learning.pre_test": PARTICIPANT,
    "learning.quiz": PARTICIPANT,
    "learning.start": PARTICIPANT,
    "learning.start_post_test": PARTICIPANT,
    "learning.start_pre_test": PARTICIPANT,
    "learning.start_quiz": PARTICIPANT,
    "provider.attendance_sheet": PROVIDER_OWN,
    "provider.cancel_session": PROVIDER_OWN,
    "provider.certificates": PROVIDER,
    "provider.course": PROVIDER_OWN,
    "provider.course_archive": PROVIDER_OWN,
    "provider.course_delete": PROVIDER_OWN,
    "provider.course_details": PROVIDER_OWN,
    "provider.course_import": PROVIDER,
    "provider.course_import_report": PROVIDER,
    "provider.course_import_template": PROVIDER,
    "provider.course_module": PROVIDER_OWN,
    "provider.course_module_move": PROVIDER_OWN,
    "provider.course_module_new": PROVIDER_OWN,
    "provider.course_module_remove": PROVIDER_OWN,
    "provider.course_new": PROVIDER,
    "provider.course_question": PROVIDER_OWN,
    "provider.course_question_new": PROVIDER_OWN,
    "provider.course_question_remove": PROVIDER_OWN,
    "provider.course_quiz_question": PROVIDER_OWN,
    "provider.course_quiz_question_new": PROVIDER_OWN,
    "provider.course_quiz_question_remove": PROVIDER_OWN,
    "provider.course_session_edit": PROVIDER_OWN,
    "provider.course_session_new": PROVIDER_OWN,
    "provider.course_submit": PROVIDER_OWN,
    "provider.course_text_fixes": PROVIDER_OWN,
    "provider.course_withdraw": PROVIDER_OWN,
    "provider.courses": PROVIDER,
    "provider.index": PROVIDER,
    "provider.redeem": PROVIDER,
    "provider.reply_to_review": PROVIDER_OWN,
    "provider.reviews_list": PROVIDER,
    "provider.revoke_certificate": PROVIDER_OWN,
    "provider.session": PROVIDER_OWN,
    "provider.settlement": PROVIDER,
    "provider.settlement_csv": PROVIDER,
    "provider.submission": PROVIDER_OWN,
    "provider.submissions": PROVIDER,
    # The payout gateway's webhook: the same 401 (no signature) for every role.
    "payouts.webhook": PUBLIC,
    "public.accessibility": PUBLIC,
    "public.contact": PUBLIC,
    "public.glossary": PUBLIC,
    "public.healthz": PUBLIC,
    "public.index": PUBLIC,
    "public.language": PUBLIC,
    "public.privacy": PUBLIC,
    "public.terms": PUBLIC,
    "static": PUBLIC,
}


@pytest.fixture
def clients(demo):
    """A client per role; provider B is staff of another lembaga than the demo provider's."""
    with demo.app_context():
        provider_a = db.session.scalar(
            sa.select(User.provider_id).where(User.email == DEMO_ACCOUNTS["provider"])
        )
        other = db.session.scalar(
            sa.select(Provider).where(Provider.id != provider_a).order_by(Provider.id).limit(1)
        )
        accounts.create_user(
            email="staf.lain@example.com",
            name="Staf Lembaga Lain",
            password=PASSWORD,
            role=Role.PROVIDER,
            provider=other,
            verified=True,
        )
        db.session.commit()
    return {
        "anonymous": demo.test_client(),
        "participant": signed_in(demo, DEMO_ACCOUNTS["participant"]),
        "provider_a": signed_in(demo, DEMO_ACCOUNTS["provider"]),
        "provider_b": signed_in(demo, "staf.lain@example.com", PASSWORD),
        "office": signed_in(demo, DEMO_ACCOUNTS["admin"]),
    }


def _routes(app):
    """(rule, method) of every route: the pages first, then the routes that take only a POST
    (some change what later pages show), signing out last."""
    routes = []
    for rule in app.url_map.iter_rules():
        methods = rule.methods - {"HEAD", "OPTIONS"}
        method = "GET" if "GET" in methods else sorted(methods)[0]
        routes.append((rule.endpoint == "auth.logout", method != "GET", rule.rule, rule, method))
    for *_order, rule, method in sorted(routes, key=lambda route: route[:3]):
        yield rule, method


def _answers(app, clients, values) -> dict:
    """{endpoint: (path, method, {role: status})} for every route."""
    found = {}
    for rule, method in _routes(app):
        template, names = path_template(rule)
        path = fill(template, {name: values[name] for name in names})
        if rule.endpoint == "static":
            path = "/static/css/site.css"
        statuses = {}
        for role in ROLES:
            response = clients[role].open(path, method=method)
            statuses[role] = (response.status_code, response.headers.get("Location", ""))
        found[rule.endpoint] = (path, method, statuses)
    return found


def _breaks(rule: str, statuses: dict) -> str | None:
    """What in `statuses` breaks `rule`, or None."""
    code = {role: status for role, (status, _where) in statuses.items()}
    to_sign_in = statuses["anonymous"][0] in (302, 303) and "/login" in statuses["anonymous"][1]
    if any(status >= 500 for status in code.values()):
        return "a 5xx"
    if rule == PUBLIC:
        return None if len(set(code.values())) == 1 else "not the same for every role"
    if rule == GUEST:
        signed = {code[role] for role in ROLES[1:]}
        return None if code["anonymous"] == 200 and signed <= {302, 303} else "not a guest page"
    if not to_sign_in:
        return "anonymous is not sent to sign in"
    if rule == SIGNED_IN:
        signed = {code[role] for role in ROLES[1:]}
        return None if len(signed) == 1 and 403 not in signed else "signed-in roles differ"
    if rule == PARTICIPANT_HOME:
        if code["office"] not in (302, 303):
            return "the office is not sent on"
        rule, code = PARTICIPANT, {**code, "office": 403}
    let_in = {
        PARTICIPANT: {"participant"},
        PROVIDER: {"provider_a", "provider_b"},
        PROVIDER_OWN: {"provider_a"},
        OFFICE: {"office"},
    }[rule]
    for role in ROLES[1:]:
        if role in let_in:
            if code[role] == 403:
                return f"{role} is refused (403)"
        elif rule == PROVIDER_OWN and role == "provider_b":
            if code[role] != 404:
                return f"provider B gets {code[role]}, not 404"
        elif code[role] != 403:
            return f"{role} gets {code[role]}, not 403"
    return None


def test_every_route_has_a_rule(demo):
    endpoints = {rule.endpoint for rule in demo.url_map.iter_rules()}
    assert sorted(endpoints - set(RULES)) == [], "routes without an access rule"
    assert sorted(set(RULES) - endpoints) == [], "rules for routes that are gone"


def test_every_route_answers_each_role_as_its_rule_says(demo, clients):
    with demo.app_context():
        values = world(demo)
    broken = []
    for endpoint, (path, method, statuses) in _answers(demo, clients, values).items():
        rule = RULES.get(endpoint)
        if rule is None:
            continue
        reason = _breaks(rule, statuses)
        if reason:
            seen = ", ".join(f"{role} {status}" for role, (status, _w) in statuses.items())
            broken.append(f"{endpoint} ({method} {path}) [{rule}]: {reason}: {seen}")
    assert broken == [], "\n".join(broken)
