"""The principals and records the attacks use: every demo login, a few more
accounts made through the API (an organizer, an NGO, a community
organizer, a data protection officer, a social worker and a benefits
officer of Brzeziny, a second NGO and a second resident of Sochaczew), and
records of both municipalities created by
their legitimate users, so each path parameter can be filled with an id of
the caller's municipality, of the other one, of another organization or
resident, and with a random UUID."""

import datetime

from harness import BRZEZINY, PASSWORD, SOCHACZEW, Client, random_id, sign_in

DEMO = [
    ("admin", "admin@cus.example"),
    ("desk", "desk@sochaczew.example"),
    ("organizer", "organizer@sochaczew.example"),
    ("coordinator", "coordinator@sochaczew.example"),
    ("social_worker", "social.worker@sochaczew.example"),
    ("benefits", "benefits@sochaczew.example"),
    ("community_organizer", "community@sochaczew.example"),
    ("commission", "commission@sochaczew.example"),
    ("council", "council@sochaczew.example"),
    ("ngo", "ngo@sochaczew.example"),
    ("resident", "resident@sochaczew.example"),
    ("iod", "iod@sochaczew.example"),
    ("desk_b", "desk@brzeziny.example"),
    ("coordinator_b", "coordinator@brzeziny.example"),
]


def today(offset=0):
    return (datetime.date.today() + datetime.timedelta(days=offset)).isoformat()


def year():
    return datetime.date.today().year


def base_year():
    """The year after which a competition published today, offers due within
    30 days, can fund its task (the next year from December 2nd on)."""
    return (datetime.date.today() + datetime.timedelta(days=30)).year


def nip(n):
    base = "%09d" % (527000100 + n)
    s = sum(int(c) * w for c, w in zip(base, [6, 5, 7, 2, 3, 4, 5, 6, 7])) % 11
    return nip(n + 1000) if s == 10 else base + str(s)


def regon(n):
    base = "%08d" % (22345600 + n)
    s = sum(int(c) * w for c, w in zip(base, [8, 9, 2, 3, 4, 5, 6, 7])) % 11 % 10
    return base + str(s)


def pesel(n):
    base = "850101%04d" % (1000 + n % 9000)
    s = sum(int(c) * w for c, w in zip(base, [1, 3, 7, 9, 1, 3, 7, 9, 1, 3]))
    return base + str((10 - s % 10) % 10)


def organization_json(name, n, city="Sochaczew"):
    return {"name": name, "legal_form": "association", "nip": nip(n), "regon": regon(n),
            "address": "ul. Długa 1", "postal_code": "96-500", "city": city,
            "email": "biuro%d@attack.example" % n}


def competition_json(title="Usługi opiekuńcze (atak)", deadline=30):
    y = base_year()
    return {"title": title, "task": "Usługi opiekuńcze w miejscu zamieszkania",
            "financing": "co_financing", "funds_grosze": 50000000,
            "period_start": "%d-01-01" % (y + 1), "period_end": "%d-12-31" % (y + 1),
            "offer_deadline": today(deadline), "award_rules": "Dotacja do 90% kosztów.",
            "conditions": "Na terenie gminy.", "award_procedure": "Ocena formalna, komisja.",
            "prior_funding": "brak",
            "criteria": [{"name": "Możliwość realizacji", "weight": 100, "max_points": 10}]}


def offer_json(title="Oferta"):
    return {"title": title, "description": "Opieka nad 20 osobami.", "schedule": "Cały rok.",
            "expected_results": "20 osób", "indicators": ["osoby"], "bidder_profile": "Doświadczenie.",
            "budget_lines": [{"name": "Wynagrodzenia", "category": "task", "year": base_year() + 1,
                              "amount_grosze": 1000000}],
            "own_contribution_grosze": 200000, "in_kind_grosze": 0, "volunteer_hours": 10,
            "declarations": True}


def agreement_json(org):
    return {"organization_id": org, "mode": "small_grant", "title": "Piknik (atak)",
            "start_date": today(10), "end_date": today(40),
            "tranches": [{"year": int(today(10)[:4]), "amount_grosze": 500000}]}


def program_json(title="Program współpracy (atak)"):
    y = year()
    return {"title": title, "year_from": y + 1, "year_to": y + 2, "priorities": ["seniorzy"],
            "goals": "Cele.", "forms": "Formy.", "competition_rules": "Zasady.",
            "yearly_funds": [{"year": y + 1, "amount_grosze": 1000000}]}


def thread_json(title="Wątek (atak)", body="Treść wątku."):
    return {"title": title, "body": body, "kind": "discussion"}


def community_json(name):
    return {"name": name, "kind": "territorial", "diagnosis": "Diagnoza.", "resources": "Zasoby.",
            "goals": "Cele.", "stages": []}


def activity_json(community, title="Spotkanie (atak)"):
    return {"date": today(-1), "title": title, "kind": "meeting", "dimension": "preventive",
            "community": community, "participants": 10, "volunteers": 1, "volunteer_hours": 2,
            "partners": [], "outcome": "Wynik.", "follow_up": ""}


def contract_json(resident, goal="Podjęcie zatrudnienia", note=""):
    """A social contract (kontrakt socjalny) from today for 90 days: one
    commitment of the client's (n = 0) and one of the worker's (n = 1)."""
    return {"resident_id": resident, "goals": [goal],
            "client_commitments": [{"text": "Udział w warsztatach." + note, "due": today(30)}],
            "worker_commitments": [{"text": "Pomoc w szukaniu pracy." + note, "due": today(60)}],
            "start_date": today(), "end_date": today(90)}


def must(answer, what, statuses=(200, 201)):
    if answer.status not in statuses:
        raise RuntimeError("set-up step failed (%s): %s" % (what, answer))
    return answer.json()


class World:
    """Principals (by name) and records: records[kind] = {"own": id of
    Sochaczew, "other": id of Brzeziny, "other_org": id of another NGO of
    Sochaczew, "other_resident": another resident's}."""

    def __init__(self, base):
        self.base = base
        self.users = {}
        self.records = {}
        self.markers = {SOCHACZEW: set(), BRZEZINY: set()}  # ids per municipality
        self.spare = {}  # principal -> extra tokens (for signing out)

    def rec(self, kind, variant, value, teryt=None):
        self.records.setdefault(kind, {})[variant] = value
        if teryt and isinstance(value, str) and len(value) >= 20:
            self.markers[teryt].add(value)

    def principal_teryt(self, name):
        u = self.users.get(name)
        return u.me.get("municipality") if u else None


fx_competition = competition_json


def build(base):
    w = World(base)
    for name, email in DEMO:
        w.users[name] = sign_in(base, email, name)
    admin, org_s = w.users["admin"], w.users["organizer"]
    # More accounts, made by the administrator.
    for name, role, teryt, email in [
        ("organizer_b", "organizer", BRZEZINY, "organizer@brzeziny.attack"),
        ("community_b", "community_organizer", BRZEZINY, "community@brzeziny.attack"),
        ("resident2", "resident", SOCHACZEW, "resident2@sochaczew.attack"),
        ("commission_b", "commission", BRZEZINY, "commission@brzeziny.attack"),
        ("admin_b", "admin", BRZEZINY, "admin@brzeziny.attack"),
        ("iod_b", "iod", BRZEZINY, "iod@brzeziny.attack"),
        ("social_worker_b", "social_worker", BRZEZINY, "social.worker@brzeziny.attack"),
        ("benefits_b", "benefits", BRZEZINY, "benefits@brzeziny.attack"),
    ]:
        must(admin.post("/api/v1/users", {"email": email, "password": PASSWORD, "role": role,
                                          "municipality": teryt, "display_name": name}), "user " + name)
        w.users[name] = sign_in(base, email, name)
    org_b = w.users["organizer_b"]
    # Organizations: the demo NGO's, a second of Sochaczew, one of Brzeziny.
    ngo = w.users["ngo"]
    w.rec("organization", "own", ngo.me["organization_id"], SOCHACZEW)
    o2 = must(org_s.post("/api/v1/organizations", organization_json("Stowarzyszenie Drugie", 11)), "org 2")
    must(org_s.post("/api/v1/organizations/%s/users" % o2["id"],
                    {"email": "ngo2@sochaczew.attack", "password": PASSWORD}), "ngo2 user")
    w.users["ngo2"] = sign_in(base, "ngo2@sochaczew.attack", "ngo2")
    w.rec("organization", "other_org", o2["id"], SOCHACZEW)
    ob = must(org_b.post("/api/v1/organizations", organization_json("Fundacja Brzeziny", 12, "Brzeziny")), "org b")
    must(org_b.post("/api/v1/organizations/%s/users" % ob["id"],
                    {"email": "ngo@brzeziny.attack", "password": PASSWORD}), "ngo b user")
    w.users["ngo_b"] = sign_in(base, "ngo@brzeziny.attack", "ngo_b")
    w.rec("organization", "other", ob["id"], BRZEZINY)
    # Residents and requests.
    desk_s, desk_b = w.users["desk"], w.users["desk_b"]
    res = w.users["resident"]
    w.rec("resident", "own", res.me.get("resident_id"), SOCHACZEW)
    reqs = must(res.get("/api/v1/requests"), "own requests")["items"]
    w.rec("request", "own", reqs[0]["id"], SOCHACZEW)
    jan = must(desk_s.get("/api/v1/residents?q=Malinowski"), "jan")["items"][0]
    w.rec("resident", "other_resident", jan["id"], SOCHACZEW)
    jan_req = [r for r in must(org_s.get("/api/v1/requests?per_page=100"), "requests")["items"]
               if r["last_name"] == "Malinowski"][0]
    w.rec("request", "other_resident", jan_req["id"], SOCHACZEW)
    rb = must(desk_b.post("/api/v1/residents", {"pesel": pesel(4242), "first_name": "Zofia",
                                                "last_name": "Brzezińska", "address": "ul. Rawska 1, Brzeziny"}),
              "resident b")
    w.rec("resident", "other", rb["id"], BRZEZINY)
    reqb = must(desk_b.post("/api/v1/requests", {"resident_id": rb["id"], "service_code": "UO",
                                                 "description": "Prośba o usługi opiekuńcze (Brzeziny).",
                                                 "channel": "desk"}), "request b")
    w.rec("request", "other", reqb["id"], BRZEZINY)
    w.users["resident2"].post("/api/v1/requests", {"description": "Druga mieszkanka prosi o pomoc.",
                                                   "channel": "online"})
    # Data subject requests: the demo resident's request for access (filed
    # by the demo data), and an objection the Brzeziny desk files for its
    # resident (kinds whose grant erases or restricts nothing).
    iod = w.users["iod"]
    dsr = must(iod.get("/api/v1/privacy/requests?per_page=100"), "privacy requests")["items"]
    w.rec("privacy_request", "own", [d for d in dsr if d["resident_id"] == res.me.get("resident_id")][0]["id"],
          SOCHACZEW)
    dsrb = must(desk_b.post("/api/v1/privacy/requests", {"kind": "objection", "resident_id": rb["id"],
                                                         "text": "Sprzeciw wobec przetwarzania (Brzeziny)."}),
                "privacy request b")
    w.rec("privacy_request", "other", dsrb["id"], BRZEZINY)
    # Plans.
    plans = must(w.users["coordinator"].get("/api/v1/plans"), "plans")["items"]
    w.rec("plan", "own", plans[0]["id"], SOCHACZEW)
    w.rec("plan", "other_resident", plans[0]["id"], SOCHACZEW)
    pb = must(w.users["coordinator_b"].post("/api/v1/plans", {"resident_id": rb["id"], "goals": ["Cel"],
                                                             "needs": "Potrzeby.", "resident_commitments": "Zobowiązania."}),
              "plan b")
    w.rec("plan", "other", pb["id"], BRZEZINY)
    # Programs, competitions, offers, agreements.
    progs = must(org_s.get("/api/v1/programs"), "programs")["items"]
    w.rec("program", "own", progs[0]["id"], SOCHACZEW)
    prb = must(org_b.post("/api/v1/programs", program_json()), "program b")
    w.rec("program", "other", prb["id"], BRZEZINY)
    comps = must(org_s.get("/api/v1/competitions?per_page=100"), "competitions")["items"]
    # The published competition still open for offers (the demo's other one
    # is past its deadline, waiting for the commission's scores).
    today = datetime.date.today().isoformat()
    comp_s = [c for c in comps if c.get("status") == "published" and c.get("offer_deadline", "") >= today][0]["id"]
    w.rec("competition", "own_published", comp_s)  # public: no marker
    # Drafts are the ids tried (a published competition is public).
    cs = must(org_s.post("/api/v1/competitions", fx_competition("Konkurs Sochaczew (szkic)")), "competition s")
    w.rec("competition", "own", cs["id"], SOCHACZEW)
    cb = must(org_b.post("/api/v1/competitions", competition_json("Konkurs Brzeziny (szkic)")), "competition b")
    w.rec("competition", "other", cb["id"], BRZEZINY)
    cbp = must(org_b.post("/api/v1/competitions", competition_json("Konkurs Brzeziny")), "competition b2")
    must(org_b.post("/api/v1/competitions/%s/publish" % cbp["id"], {}), "publish b")
    w.rec("competition", "other_published", cbp["id"])
    off1 = must(ngo.post("/api/v1/competitions/%s/offers" % comp_s, offer_json("Oferta Razem")), "offer 1")
    w.rec("offer", "own", off1["id"], SOCHACZEW)
    off2 = must(w.users["ngo2"].post("/api/v1/competitions/%s/offers" % comp_s, offer_json("Oferta Drugiego")), "offer 2")
    w.rec("offer", "other_org", off2["id"], SOCHACZEW)
    offb = must(w.users["ngo_b"].post("/api/v1/competitions/%s/offers" % cbp["id"], offer_json("Oferta Brzeziny")), "offer b")
    w.rec("offer", "other", offb["id"], BRZEZINY)
    ags = must(org_s.get("/api/v1/agreements"), "agreements")["items"]
    w.rec("agreement", "own", ags[0]["id"], SOCHACZEW)
    ag2 = must(org_s.post("/api/v1/agreements", agreement_json(o2["id"])), "agreement 2")
    w.rec("agreement", "other_org", ag2["id"], SOCHACZEW)
    agb = must(org_b.post("/api/v1/agreements", agreement_json(ob["id"])), "agreement b")
    w.rec("agreement", "other", agb["id"], BRZEZINY)
    # The social services program and its diagnosis: the demo's, and a
    # draft of each in Brzeziny.
    sp = must(org_s.get("/api/v1/social-programs"), "social programs")["items"]
    w.rec("social_program", "own", sp[0]["id"], SOCHACZEW)
    spb = must(org_b.post("/api/v1/social-programs", {"title": "Program Brzeziny", "year_from": year(),
                                                      "year_to": year()}), "social program b")
    w.rec("social_program", "other", spb["id"], BRZEZINY)
    dg = must(org_s.get("/api/v1/diagnoses"), "diagnoses")["items"]
    w.rec("diagnosis", "own", dg[0]["id"], SOCHACZEW)
    dgb = must(org_b.post("/api/v1/diagnoses", {"title": "Diagnoza Brzeziny", "period_from": "%d-01-01" % year(),
                                                "period_to": "%d-12-31" % year()}), "diagnosis b")
    w.rec("diagnosis", "other", dgb["id"], BRZEZINY)
    # Community work and the forum.
    comms = must(w.users["community_organizer"].get("/api/v1/community/communities"), "communities")["items"]
    w.rec("community", "own", comms[0]["id"], SOCHACZEW)
    cmb = must(w.users["community_b"].post("/api/v1/community/communities", community_json("Osiedle Brzeziny")), "community b")
    w.rec("community", "other", cmb["id"], BRZEZINY)
    threads = must(org_s.get("/api/v1/forum/threads"), "threads")["items"]
    w.rec("thread", "own", threads[0]["id"], SOCHACZEW)
    post = must(org_s.post("/api/v1/forum/threads/%s/posts" % threads[0]["id"], {"body": "Wpis organizatora."}), "post")
    w.rec("post", "own", post["id"], SOCHACZEW)
    tb = must(org_b.post("/api/v1/forum/threads", thread_json("Wątek Brzeziny")), "thread b")
    w.rec("thread", "other", tb["id"], BRZEZINY)
    pbst = must(org_b.post("/api/v1/forum/threads/%s/posts" % tb["id"], {"body": "Wpis z Brzezin."}), "post b")
    w.rec("post", "other", pbst["id"], BRZEZINY)
    # Social work (issue 25): a district of each municipality with its
    # social worker; a household in it (of a resident the fixtures register
    # in Sochaczew, Zofia's in Brzeziny); a referral the benefits officer
    # sends on the request of each (the demo resident's in Sochaczew); an
    # active social contract of each social worker; and a Sochaczew
    # resident in no household, whom a household may still take.
    sw_s, sw_b = w.users["social_worker"], w.users["social_worker_b"]
    ben_s, ben_b = w.users["benefits"], w.users["benefits_b"]
    housed = must(desk_s.post("/api/v1/residents", {"pesel": pesel(4343), "first_name": "Helena", "last_name": "Domowa",
                                                    "address": "ul. Domowa 3, Sochaczew"}), "resident with a household")
    w.rec("resident", "housed", housed["id"], SOCHACZEW)
    free = must(desk_s.post("/api/v1/residents", {"pesel": pesel(4344), "first_name": "Henryk", "last_name": "Wolny",
                                                  "address": "ul. Wolna 4, Sochaczew"}), "resident in no household")
    w.rec("resident", "free", free["id"], SOCHACZEW)
    ds = must(org_s.post("/api/v1/districts", {"name": "Rejon Sochaczew (atak)",
                                               "social_worker_ids": [sw_s.me["id"]]}), "district")
    w.rec("district", "own", ds["id"], SOCHACZEW)
    db = must(org_b.post("/api/v1/districts", {"name": "Rejon Brzeziny", "social_worker_ids": [sw_b.me["id"]]}),
              "district b")
    w.rec("district", "other", db["id"], BRZEZINY)
    hs = must(desk_s.post("/api/v1/households", {"members": [{"resident_id": housed["id"], "relation": "head"}],
                                                 "district_id": ds["id"]}), "household")
    w.rec("household", "own", hs["id"], SOCHACZEW)
    hb = must(desk_b.post("/api/v1/households", {"members": [{"resident_id": rb["id"], "relation": "head"}],
                                                 "district_id": db["id"]}), "household b")
    w.rec("household", "other", hb["id"], BRZEZINY)
    rf = must(ben_s.post("/api/v1/requests/%s/messages" % w.records["request"]["own"],
                         {"kind": "referral", "text": "Skierowanie do ustalenia możliwości klientki."}), "referral")
    w.rec("referral", "own", rf["referral"]["id"], SOCHACZEW)
    rfb = must(ben_b.post("/api/v1/requests/%s/messages" % reqb["id"],
                          {"kind": "referral", "text": "Skierowanie (Brzeziny)."}), "referral b")
    w.rec("referral", "other", rfb["referral"]["id"], BRZEZINY)
    sc = must(sw_s.post("/api/v1/social-contracts", contract_json(res.me.get("resident_id"))), "social contract")
    w.rec("social_contract", "own", sc["id"], SOCHACZEW)
    scb = must(sw_b.post("/api/v1/social-contracts", contract_json(rb["id"], "Cel Brzeziny")), "social contract b")
    w.rec("social_contract", "other", scb["id"], BRZEZINY)
    # Services (by code) and accounts.
    w.rec("service", "own", "POS")
    # Service codes are per municipality (both have UO): no "other" id.
    w.rec("user", "own", w.users["desk"].me["id"], SOCHACZEW)
    w.rec("user", "other", w.users["desk_b"].me["id"], BRZEZINY)
    for kind in list(w.records):
        w.records[kind]["random"] = random_id()
    for teryt, names in ((SOCHACZEW, ["Malinowski", "Zając", "Kowalska"]), (BRZEZINY, ["Brzezińska", "Fundacja Brzeziny",
                                                                                          "Osiedle Brzeziny", "Wątek Brzeziny",
                                                                                          "Program Brzeziny", "Diagnoza Brzeziny",
                                                                                          "Rejon Brzeziny", "Cel Brzeziny"])):
        w.markers[teryt].update(names)
    return w


def spare_tokens(w, name, n=2):
    """Fresh sessions of `name` for attacks that end a session."""
    from harness import sign_in as si
    email = dict((k, v) for k, v in DEMO).get(name) or w.users[name].me["email"]
    return [si(w.base, email, name).token for _ in range(n)]


__all__ = ["build", "World", "Client", "spare_tokens"]
