"""The expectation table of check 1, from API.md ("who"), DOMAIN.md and the
README, and valid request bodies for the write operations (a refusal must
come from the rule, not from a body that would be refused anyway).

A rule: `allow`, the roles that may succeed ("*": any signed-in user);
`maybe`, roles the documents leave open (not checked); `public`, anonymous
callers may succeed; `cross`, a record of another municipality may be
read (public data); `upsert`, an unknown id may be created. Roles neither
allowed nor "maybe" must be refused; so must anonymous callers of
non-public routes, every caller given another municipality's id (but the
deployment's administrator, who has none), an NGO given another
organization's record, a resident given another resident's, and everybody
given a random UUID. Operations the table does not know (the document grows)
get DEFAULT: signed-in only, never across municipalities, never a random id;
they are listed in the summary as unclassified."""

import fixtures as fx

STAFF = {"desk", "organizer", "coordinator", "social_worker", "benefits", "community_organizer",
         "commission", "council"}
CASE = {"desk", "organizer", "coordinator", "social_worker", "benefits"}
ALL = STAFF | {"admin", "ngo", "resident", "iod"}
MEMBERS = STAFF - {"council", "commission"} | {"ngo"}

# The accepted refusals, per reason (documented in RELIABILITY.md).
WANT = {
    "anonymous": {401},
    "role": {401, 403, 404},
    "other municipality": {403, 404},
    "other organization": {403, 404},
    "other resident": {403, 404},
    "random id": {403, 404},
}


def R(allow=(), maybe=(), public=False, cross=False, upsert=False, skip=False, anon=None):
    allow = ALL if allow == "*" else set(allow)
    return {"allow": allow, "maybe": set(maybe), "public": public, "cross": cross, "upsert": upsert,
            "skip": skip, "anon": anon}


DEFAULT = R(allow="*")

RULES = {
    "GET /api/v1/agreements": R({"organizer", "ngo"}, {"coordinator", "council", "commission", "admin"}),
    "POST /api/v1/agreements": R({"organizer"}),
    "GET /api/v1/agreements/{id}": R({"organizer", "ngo"}, {"coordinator", "council", "commission"}),
    "POST /api/v1/agreements/{id}/annexes": R({"organizer"}),
    "GET /api/v1/agreements/{id}/assessment": R({"organizer", "ngo"}, {"coordinator", "council", "commission"}),
    "POST /api/v1/agreements/{id}/reports": R({"ngo"}),
    "POST /api/v1/agreements/{id}/terminate": R({"organizer"}),
    "GET /api/v1/audit": R({"admin", "organizer", "iod"}),
    "GET /api/v1/community/activities": R(STAFF, {"admin"}),
    "POST /api/v1/community/activities": R({"community_organizer"}, {"organizer"}),
    "GET /api/v1/community/communities": R(STAFF, {"admin"}),
    "POST /api/v1/community/communities": R({"community_organizer"}, {"organizer"}),
    "PUT /api/v1/community/communities/{id}": R({"community_organizer"}, {"organizer"}),
    "GET /api/v1/community/continuity": R(STAFF, {"admin"}),
    # Benchmarking groups (API.md "Benchmarking groups"): staff of a member
    # municipality read; organizers write (a non-member's: 404 on every id).
    "GET /api/v1/benchmark-groups": R(STAFF, {"admin"}),
    "POST /api/v1/benchmark-groups": R({"organizer"}),
    "GET /api/v1/benchmark-groups/{id}": R(STAFF, {"admin"}),
    "PUT /api/v1/benchmark-groups/{id}/profile": R({"organizer"}),
    "POST /api/v1/benchmark-groups/{id}/meetings": R({"organizer"}),
    "POST /api/v1/benchmark-groups/{id}/rounds": R({"organizer"}),
    "GET /api/v1/benchmark-rounds/{id}": R(STAFF, {"admin"}),
    "POST /api/v1/benchmark-rounds/{id}/values": R({"organizer"}),
    "POST /api/v1/benchmark-rounds/{id}/close": R({"organizer"}),
    "GET /api/v1/competitions": R("*"),
    "POST /api/v1/competitions": R({"organizer"}),
    # Published competitions are public (anonymous readers too): a draft is 404.
    "GET /api/v1/competitions/{id}": R("*", anon={401, 404}),
    "POST /api/v1/competitions/{id}/cancel": R({"organizer"}),
    "GET /api/v1/competitions/{id}/commission": R({"organizer"}, {"commission"}),
    "POST /api/v1/competitions/{id}/commission": R({"organizer"}),
    "POST /api/v1/competitions/{id}/declarations": R({"commission"}),
    "GET /api/v1/competitions/{id}/offers": R({"organizer", "commission", "ngo"}),
    "POST /api/v1/competitions/{id}/offers": R({"ngo"}),
    "POST /api/v1/competitions/{id}/publish": R({"organizer"}),
    "GET /api/v1/competitions/{id}/ranking": R({"organizer", "commission"}, {"council"}),
    "POST /api/v1/competitions/{id}/resolve": R({"organizer"}),
    "GET /api/v1/competitions/{id}/results": R("*", public=True, cross=True),
    "POST /api/v1/confirm": R("*", public=True),
    "PUT /api/v1/forum/me": R(MEMBERS, {"council", "commission", "admin"}),
    "POST /api/v1/forum/members": R({"organizer"}),
    "PUT /api/v1/forum/posts/{id}": R({"organizer"}),  # its author
    "POST /api/v1/forum/posts/{id}/hide": R({"organizer"}, {"community_organizer"}),
    "GET /api/v1/forum/posts/{id}/revisions": R(MEMBERS, {"council", "commission"}),
    "GET /api/v1/forum/search": R(MEMBERS, {"council", "commission"}),
    "GET /api/v1/forum/threads": R(MEMBERS, {"council", "commission"}),
    "POST /api/v1/forum/threads": R(MEMBERS, {"council", "commission"}),
    "GET /api/v1/forum/threads/{id}": R(MEMBERS, {"council", "commission"}),
    "PUT /api/v1/forum/threads/{id}": R({"organizer"}),
    "POST /api/v1/forum/threads/{id}/posts": R(MEMBERS, {"council", "commission"}),
    "GET /api/v1/health": R("*", public=True),
    "GET /api/v1/ready": R("*", public=True),
    "GET /api/v1/jobs": R({"admin"}),
    "GET /api/v1/me": R("*"),
    "GET /api/v1/me/calendar": R("*"),
    "POST /api/v1/me/password": R("*"),
    "GET /api/v1/municipalities": R("*", public=True, cross=True),
    "POST /api/v1/municipalities": R({"admin"}),
    "GET /api/v1/ocds/releases": R("*", public=True, cross=True),
    "GET /api/v1/offers/{id}": R({"organizer", "commission", "ngo"}),
    "PUT /api/v1/offers/{id}": R({"ngo"}),
    "POST /api/v1/offers/{id}/formal": R({"organizer"}),
    "POST /api/v1/offers/{id}/scores": R({"commission"}),
    "GET /api/v1/openapi.json": R("*", public=True, cross=True),
    "GET /api/v1/organizations": R({"organizer"}, {"admin", "commission", "council"}),
    "POST /api/v1/organizations": R("*", public=True),
    "GET /api/v1/organizations/{id}": R({"organizer", "ngo"}, {"commission", "admin", "council"}),
    "PUT /api/v1/organizations/{id}": R({"organizer", "ngo"}),
    "POST /api/v1/organizations/{id}/users": R({"organizer", "ngo"}),
    "POST /api/v1/password-reset": R("*", public=True, skip=True),
    "POST /api/v1/password-reset/{token}": R("*", public=True),
    "GET /api/v1/plans": R({"coordinator", "organizer", "resident"}, {"social_worker", "benefits", "admin"}),
    "POST /api/v1/plans": R({"coordinator"}),
    "GET /api/v1/plans/{id}": R({"coordinator", "organizer", "resident"}, {"social_worker", "benefits"}),
    "POST /api/v1/plans/{id}/consent-request": R({"coordinator"}),
    "POST /api/v1/plans/{id}/items": R({"coordinator"}),
    "POST /api/v1/plans/{id}/transition": R({"coordinator", "organizer", "resident"}),
    "GET /api/v1/programs": R("*"),
    "POST /api/v1/programs": R({"organizer"}),
    "GET /api/v1/programs/{id}": R("*"),
    "POST /api/v1/programs/{id}/comments": R({"ngo", "organizer"}),
    "GET /api/v1/programs/{id}/report": R({"organizer", "council"}, STAFF | {"ngo", "resident"}),
    "POST /api/v1/programs/{id}/transition": R({"organizer", "council"}),
    "GET /api/v1/public/competitions": R("*", public=True, cross=True),
    "POST /api/v1/register": R("*", public=True, skip=True),
    "GET /api/v1/requests": R(CASE | {"resident"}, {"community_organizer", "admin"}),
    "POST /api/v1/requests": R({"resident", "desk"}),
    "GET /api/v1/requests/{id}": R(CASE | {"resident"}, {"community_organizer", "council", "commission"}),
    "POST /api/v1/requests/{id}/messages": R({"social_worker", "benefits"}),
    "POST /api/v1/requests/{id}/route": R({"desk", "organizer"}),
    "GET /api/v1/residents": R(CASE | {"admin"}),
    "POST /api/v1/residents": R({"desk", "coordinator"}),
    "GET /api/v1/residents/{id}": R(CASE, {"admin", "resident"}),  # the resident: own only
    "GET /api/v1/services": R("*", {"admin"}),
    "POST /api/v1/services": R({"organizer"}),
    "PUT /api/v1/services/{code}": R({"organizer"}, upsert=True),
    "POST /api/v1/session": R("*", public=True, skip=True),
    # Recipient surveys (issue 8): the organizer runs them; anyone holding a
    # one-time code answers, signed in or not (an unknown code is 404).
    "GET /api/v1/surveys": R({"organizer"}),
    "POST /api/v1/surveys": R({"organizer"}),
    "GET /api/v1/surveys/{id}": R({"organizer"}),
    "POST /api/v1/surveys/{id}/invitations": R({"organizer"}),
    "GET /api/v1/surveys/{id}/results": R({"organizer"}),
    "POST /api/v1/survey-responses": R("*", public=True),
    "DELETE /api/v1/session": R("*"),
    "GET /api/v1/users": R({"admin", "organizer"}),
    "POST /api/v1/users": R({"admin", "organizer"}),
    "PUT /api/v1/users/{id}": R({"admin", "organizer"}),
    # Assessment (issue 8): the dictionary is the deployment's; figures are
    # aggregates; runs, results and corrective actions are the municipality's.
    "GET /api/v1/indicators": R(STAFF, {"admin"}),
    "POST /api/v1/indicators": R({"organizer"}),
    "PATCH /api/v1/indicators/{code}": R({"organizer"}),
    "POST /api/v1/indicators/{code}/values": R({"organizer"}),
    "GET /api/v1/indicator-sets": R(STAFF, {"admin"}),
    "POST /api/v1/assessments/run": R({"organizer"}),
    "GET /api/v1/assessments": R(STAFF, {"admin"}),
    "GET /api/v1/assessments/results": R(STAFF, {"admin"}),
    "GET /api/v1/assessments/{id}": R(STAFF, {"admin"}),
    "GET /api/v1/benchmarks": R(STAFF, {"admin"}),
    "GET /api/v1/corrective-actions": R(STAFF, {"admin"}),
    "POST /api/v1/corrective-actions": R({"organizer"}),
    "GET /api/v1/corrective-actions/suggested": R({"organizer"}),
    "GET /api/v1/corrective-actions/{id}": R(STAFF, {"admin"}),
    "POST /api/v1/corrective-actions/{id}/transition": R({"organizer"}),
    # The social services program (issue 9): published documents of the
    # municipality for every one of its users (drafts for staff and the
    # council only); figures for staff and the council; the public list.
    "GET /api/v1/diagnoses": R("*"),
    "POST /api/v1/diagnoses": R({"organizer"}),
    "GET /api/v1/diagnoses/{id}": R("*"),
    "PATCH /api/v1/diagnoses/{id}": R({"organizer"}),
    "POST /api/v1/diagnoses/{id}/publish": R({"organizer"}),
    "GET /api/v1/social-programs": R("*"),
    "POST /api/v1/social-programs": R({"organizer"}),
    "GET /api/v1/public/social-programs": R("*", public=True),
    "GET /api/v1/social-programs/{id}": R("*"),
    # The worker's day (API.md): everyone's own dashboard; search for staff
    # (not residents or organizations); the catalogue of services for anyone.
    "GET /api/v1/me/dashboard": R("*"),
    "GET /api/v1/search": R(STAFF | {"admin", "iod"}),  # every role but resident and ngo
    "GET /api/v1/public/services": R("*", public=True),
    "PATCH /api/v1/social-programs/{id}": R({"organizer"}),
    "POST /api/v1/social-programs/{id}/transition": R({"organizer", "council"}),
    "POST /api/v1/social-programs/{id}/comments": R({"resident", "ngo", "organizer"}),
    "POST /api/v1/social-programs/{id}/comments/{cid}/answer": R({"organizer"}),
    "GET /api/v1/social-programs/{id}/consultation-report": R("*"),
    "POST /api/v1/social-programs/{id}/amendments": R({"organizer"}),
    "GET /api/v1/social-programs/{id}/progress": R(STAFF - {"commission"}, {"admin"}),
    "GET /api/v1/social-programs/{id}/evaluations/{year}": R(STAFF - {"commission"}, {"admin"}),
    "POST /api/v1/social-programs/{id}/evaluations/{year}": R({"organizer"}),
    # Data protection (API.md "Data protection (RODO)"): the officer (iod)
    # of the municipality; an administrator for any. The register is also
    # the organizer's; a resident reads their own data; the desk files data
    # subject requests for residents, a resident for themself.
    "GET /api/v1/privacy/register": R({"iod", "admin", "organizer"}),
    "GET /api/v1/privacy/retention": R({"iod", "admin"}),
    "POST /api/v1/privacy/retention/run": R({"iod", "admin"}),
    "GET /api/v1/me/data": R({"resident"}),
    "GET /api/v1/residents/{id}/export": R({"iod", "admin"}),
    "POST /api/v1/residents/{id}/hold": R({"iod"}),
    "DELETE /api/v1/residents/{id}/hold": R({"iod"}),
    "DELETE /api/v1/residents/{id}/restriction": R({"iod"}),
    "POST /api/v1/privacy/requests": R({"resident", "desk", "iod"}),
    "GET /api/v1/privacy/requests": R({"iod"}),
    "GET /api/v1/privacy/requests/{id}": R({"iod"}),
    "POST /api/v1/privacy/requests/{id}/decide": R({"iod"}),
    # Social work (API.md "Social work", issue 25): special-category data of
    # one municipality, never for the NGO, the resident, the commission, the
    # council, the community organizer or the officer (iod). Households: the
    # desk, the social worker and the coordinator record them; the benefits
    # officer and the organizer read them too. Referrals: the social worker,
    # the benefits officer and the organizer read; only a social worker
    # moves them. Social contracts: the social worker writes, the benefits
    # officer reads. Caseload: the organizer; districts: the organizer
    # writes, the staff who place households read.
    "POST /api/v1/households": R({"desk", "social_worker", "coordinator"}, {"admin"}),
    "GET /api/v1/households/{id}": R({"desk", "social_worker", "benefits", "coordinator", "organizer"}, {"admin"}),
    "PUT /api/v1/households/{id}/members": R({"desk", "social_worker", "coordinator"}, {"admin"}),
    "GET /api/v1/referrals": R({"social_worker", "benefits", "organizer"}, {"admin"}),
    "GET /api/v1/referrals/{id}": R({"social_worker", "benefits", "organizer"}, {"admin"}),
    "POST /api/v1/referrals/{id}/transition": R({"social_worker"}, {"admin"}),
    "GET /api/v1/social-contracts": R({"social_worker", "benefits"}, {"admin"}),
    "POST /api/v1/social-contracts": R({"social_worker"}, {"admin"}),
    "GET /api/v1/social-contracts/{id}": R({"social_worker", "benefits"}, {"admin"}),
    "POST /api/v1/social-contracts/{id}/commitments/{n}": R({"social_worker"}, {"admin"}),
    "POST /api/v1/social-contracts/{id}/transition": R({"social_worker"}, {"admin"}),
    "GET /api/v1/caseload": R({"organizer"}, {"admin"}),
    "GET /api/v1/districts": R({"organizer", "desk", "social_worker", "coordinator", "benefits"}, {"admin"}),
    "POST /api/v1/districts": R({"organizer"}, {"admin"}),
    "PUT /api/v1/districts/{id}": R({"organizer"}, {"admin"}),
}


def rule_for(key):
    return RULES.get(key)


def expect_denied(key, rule, principal, role, relation, world):
    """(must the call be refused?, the reason). An administrator is the
    deployment's superuser (DOMAIN.md: users, roles, municipalities,
    configuration; the README lets them approve plans too): no role rule
    binds them, but a municipality's administrator is held to its
    municipality like everyone."""
    if principal == "anonymous":
        return (not rule["public"], "anonymous")
    if role != "admin" and role not in rule["allow"] and role not in rule["maybe"]:
        return (True, "role: %s is not among %s" % (role, "/".join(sorted(rule["allow"])) or "nobody"))
    if relation == "other_muni" and not rule["cross"]:
        return (True, "other municipality")
    if relation == "other_org" and role == "ngo":
        return (True, "other organization")
    if relation == "other_resident" and role == "resident":
        return (True, "other resident")
    if relation == "random" and not rule["upsert"] and not rule["public"]:
        return (True, "random id")
    return (False, "")


def cross_municipality_public(path):
    """Reads whose answers may carry every municipality's (public) records."""
    p = path.split("?")[0]
    return p in ("/api/v1/municipalities", "/api/v1/openapi.json", "/api/v1/public/competitions",
                 "/api/v1/ocds/releases", "/api/v1/benchmarks", "/api/v1/public/social-programs",
                 "/api/v1/public/services") or (
        p.startswith("/api/v1/competitions/") and p.endswith("/results"))


def private_markers(world, principal):
    """Names and ids of residents `principal` must never see."""
    role = world.users[principal].me.get("role") if principal in world.users else "anonymous"
    if role in ("ngo", "commission", "council", "anonymous"):
        return {"Malinowski", "Zając", "Kowalska", "Brzezińska"} | {
            world.records["resident"][v] for v in ("own", "other_resident", "other")}
    if role == "resident":
        return {"Malinowski", "Zając", world.records["resident"]["other_resident"]}
    return set()


def with_query(key, url):
    if key == "GET /api/v1/programs/{id}/report":
        return url + "?year=%d" % fx.year()
    if key == "GET /api/v1/forum/search":
        return url + "?q=Brzeziny"
    if key == "GET /api/v1/residents":
        return url + "?q=Brzezi"
    if key == "GET /api/v1/search":
        # Another municipality's names, numbers and titles must not be found.
        return url + "?q=Brzezi"
    if key == "GET /api/v1/public/services":
        return url + "?municipality=" + fx.SOCHACZEW
    if key == "GET /api/v1/users":
        return url + "?q=brzeziny"
    if key in ("GET /api/v1/assessments/results", "GET /api/v1/benchmarks"):
        return url + "?indicator=ipus_drawn_up_30d&period=%d" % (fx.year() - 1)
    if key == "GET /api/v1/corrective-actions/suggested":
        return url + "?period=%d" % (fx.year() - 1)
    if key == "GET /api/v1/social-programs/{id}/progress":
        return url + "?year=%d" % (fx.year() - 1)
    if key in ("GET /api/v1/referrals", "GET /api/v1/social-contracts"):
        # Every row of the municipality on one page, for the leak check.
        return url + "?per_page=100"
    return url


def body_for(key, world, principal, rid):
    """A body the operation would take from an allowed caller."""
    r = world.records
    y = fx.year()
    own_org = r["organization"]["own"]
    b = {
        "POST /api/v1/agreements": fx.agreement_json(own_org),
        "POST /api/v1/agreements/{id}/annexes": {"reason": "Zmiana.", "changes": "Aneks."},
        "POST /api/v1/agreements/{id}/reports": {"period": str(y), "kind": "partial", "text": "Raport.",
                                                 "spent_grosze": 1000, "indicator_values": {}},
        "POST /api/v1/agreements/{id}/terminate": {"reason": "Rozwiązanie."},
        "POST /api/v1/benchmark-groups": {"name": "Grupa intruza", "members": [fx.SOCHACZEW, fx.BRZEZINY],
                                          "indicators": ["plan_employment"]},
        "PUT /api/v1/benchmark-groups/{id}/profile": {"population": 1000, "text": "Profil intruza."},
        "POST /api/v1/benchmark-groups/{id}/meetings": {"date": fx.today(), "host": fx.SOCHACZEW,
                                                        "agenda": "Spotkanie intruza."},
        "POST /api/v1/benchmark-groups/{id}/rounds": {"period": str(y), "deadline": fx.today(7)},
        "POST /api/v1/benchmark-rounds/{id}/values": {"indicator": "plan_employment", "value": 1},
        "POST /api/v1/benchmark-rounds/{id}/close": None,
        "POST /api/v1/community/activities": fx.activity_json("Osiedle Chodaków"),
        "POST /api/v1/community/communities": fx.community_json("Nowa społeczność (atak)"),
        "PUT /api/v1/community/communities/{id}": fx.community_json("Przejęta społeczność"),
        "POST /api/v1/competitions": fx.competition_json(),
        "POST /api/v1/competitions/{id}/cancel": {"reason": "Odwołanie."},
        "POST /api/v1/competitions/{id}/commission": {"user_ids": [world.users["commission"].me["id"]]},
        "POST /api/v1/competitions/{id}/declarations": {"no_conflict": True},
        "POST /api/v1/competitions/{id}/offers": fx.offer_json("Oferta intruza"),
        "POST /api/v1/competitions/{id}/resolve": {},
        "POST /api/v1/confirm": {"token": "0" * 64},
        "PUT /api/v1/forum/me": {"notify": "none"},
        "POST /api/v1/forum/members": {"user_id": world.users["resident"].me["id"], "active": True},
        "PUT /api/v1/forum/posts/{id}": {"body": "Przejęty wpis."},
        "POST /api/v1/forum/posts/{id}/hide": {"reason": "Ukryty przez intruza."},
        "POST /api/v1/forum/threads": fx.thread_json("Wątek intruza"),
        "PUT /api/v1/forum/threads/{id}": {"summary": "Podsumowanie intruza."},
        "POST /api/v1/forum/threads/{id}/posts": {"body": "Wpis intruza."},
        "POST /api/v1/me/password": {"current_password": "not-the-password", "password": "another-password-2026"},
        "POST /api/v1/municipalities": {"teryt": "1465011", "name": "Gmina intruza"},
        "PUT /api/v1/offers/{id}": fx.offer_json("Oferta przejęta"),
        "POST /api/v1/offers/{id}/formal": {"passed": True, "note": "ok"},
        "POST /api/v1/offers/{id}/scores": {"scores": [{"criterion": "Możliwość realizacji", "points": 10}], "note": ""},
        "POST /api/v1/organizations": fx.organization_json("Organizacja intruza", 31),
        "PUT /api/v1/organizations/{id}": fx.organization_json("Przejęta organizacja", 32),
        "POST /api/v1/organizations/{id}/users": {"email": "intruz-%s@attack.example" % principal, "password": fx.PASSWORD},
        "POST /api/v1/password-reset/{token}": {"password": "another-password-2026"},
        "POST /api/v1/plans": {"resident_id": r["resident"]["own"], "goals": ["Cel intruza"]},
        "POST /api/v1/plans/{id}/items": {"service_code": "UO", "frequency": "codziennie",
                                          "start_date": fx.today(1), "end_date": fx.today(30)},
        "POST /api/v1/plans/{id}/transition": {"to": "review", "note": ""},
        "POST /api/v1/programs": fx.program_json("Program intruza"),
        "POST /api/v1/programs/{id}/comments": {"body": "Uwaga intruza."},
        "POST /api/v1/programs/{id}/transition": {"to": "consultation"},
        "POST /api/v1/register": {},
        "POST /api/v1/requests": {"resident_id": r["resident"]["own"], "description": "Wniosek intruza.",
                                  "channel": "desk"},
        "POST /api/v1/requests/{id}/messages": {"kind": "opinion", "text": "Wiadomość intruza."},
        "POST /api/v1/requests/{id}/route": {"to": "benefits", "note": "Przekierowane przez intruza."},
        "POST /api/v1/residents": {"pesel": fx.pesel(777), "first_name": "Intruz", "last_name": "Nowy",
                                   "address": "ul. Obca 1"},
        "POST /api/v1/surveys": {"title": "Ankieta intruza", "period": str(y),
                                 "questions": [{"key": "ogolna", "text": "Zadowolenie?", "kind": "likert",
                                                "satisfaction": True}]},
        "POST /api/v1/surveys/{id}/invitations": {"count": 1},
        # A code nobody was given: 404 for every caller, never 201.
        "POST /api/v1/survey-responses": {"code": "ABCDEFGHJK", "answers": {"ogolna": 5}},
        "POST /api/v1/services": {"code": "ATK", "name": "Usługa intruza", "area": "health", "variant": "I",
                                  "standard": "s", "fee_rule": "f", "access_criteria": "a", "phase": "I", "active": True},
        "PUT /api/v1/services/{code}": {"code": rid or "POS", "name": "Przejęta usługa", "area": "health",
                                        "variant": "I", "standard": "s", "fee_rule": "f", "access_criteria": "a",
                                        "phase": "I", "active": True},
        "POST /api/v1/users": {"email": "konto-%s@attack.example" % principal, "password": fx.PASSWORD,
                               "role": "desk", "municipality": fx.SOCHACZEW},
        "PUT /api/v1/users/{id}": {"disabled": True},
        "POST /api/v1/indicators": {"code": "atk_%s" % principal.replace("-", "_").lower(), "name": "Wskaźnik intruza",
                                    "kind": "quality", "unit": "%", "higher_is_better": True, "source": "entered"},
        "PATCH /api/v1/indicators/{code}": {"name": "Przejęty wskaźnik"},
        "POST /api/v1/indicators/{code}/values": {"municipality": fx.SOCHACZEW, "period": str(y - 1), "value": 1},
        "POST /api/v1/assessments/run": {"period": str(y - 1)},
        "POST /api/v1/corrective-actions": {"indicator": "ipus_drawn_up_30d", "period": str(y - 1),
                                            "plan": "Plan intruza", "due_date": fx.today(30)},
        "POST /api/v1/corrective-actions/{id}/transition": {"to": "dropped", "note": "intruz"},
        "POST /api/v1/competitions/{id}/publish": None,
        "POST /api/v1/diagnoses": {"title": "Diagnoza intruza", "period_from": "%d-01-01" % y,
                                   "period_to": "%d-12-31" % y},
        "PATCH /api/v1/diagnoses/{id}": {"needs": "Przejęte potrzeby"},
        "POST /api/v1/diagnoses/{id}/publish": None,
        "POST /api/v1/social-programs": {"title": "Program intruza", "year_from": y, "year_to": y},
        "PATCH /api/v1/social-programs/{id}": {"title": "Przejęty program"},
        "POST /api/v1/social-programs/{id}/transition": {"to": "consultation"},
        "POST /api/v1/social-programs/{id}/comments": {"body": "Uwaga intruza."},
        "POST /api/v1/social-programs/{id}/comments/{cid}/answer": {"answer": "Odpowiedź intruza.", "accepted": True},
        "POST /api/v1/social-programs/{id}/amendments": None,
        "POST /api/v1/social-programs/{id}/evaluations/{year}": None,
        "POST /api/v1/plans/{id}/consent-request": None,
        # Never a real retention run, never a grant: the fixtures stay whole.
        "POST /api/v1/privacy/retention/run": {"dry_run": True},
        "POST /api/v1/residents/{id}/hold": {"reason": "Blokada intruza."},
        "POST /api/v1/privacy/requests": {"kind": "access", "text": "Żądanie intruza.",
                                          "resident_id": r["resident"]["own"]},
        "POST /api/v1/privacy/requests/{id}/decide": {"decision": "refused", "reason": "Decyzja intruza."},
        # Social work: a resident in no household yet; the household's own
        # members again (the record of `rid`'s municipality); an active
        # contract's commitment 0; a sent referral's acceptance.
        "POST /api/v1/households": {"members": [{"resident_id": r["resident"]["free"], "relation": "head"}]},
        "PUT /api/v1/households/{id}/members": {"members": [{"resident_id": r["resident"]["other"]
                                                             if rid == r["household"].get("other")
                                                             else r["resident"]["housed"], "relation": "head"}]},
        "POST /api/v1/referrals/{id}/transition": {"to": "accepted"},
        "POST /api/v1/social-contracts": fx.contract_json(r["resident"]["own"], "Cel intruza"),
        "POST /api/v1/social-contracts/{id}/commitments/{n}": {"done": True, "note": "Notatka intruza."},
        "POST /api/v1/social-contracts/{id}/transition": {"to": "cancelled", "reason": "Zerwany przez intruza."},
        "POST /api/v1/districts": {"name": "Rejon intruza %s" % principal, "social_worker_ids": []},
        "PUT /api/v1/districts/{id}": {"name": "Przejęty rejon", "social_worker_ids": []},
    }
    return b.get(key, {})
