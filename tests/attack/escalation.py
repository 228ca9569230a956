"""Check 2: escalation and mass assignment. Fields a caller must not set
(role, municipality, organization_id, status, disabled, ids) sent in the
bodies of registration, profile, organization, offer, account and request
writes: the server must refuse them (422) or ignore them; a 2xx is then
followed by a read that must show nothing applied. Account administration:
an organizer never creates or promotes administrators, nobody changes their
own account, a municipality's administrator stays in it. Social work:
referrals moved by their social worker only, contracts read by no
resident or NGO and written by no other municipality, households of the
municipality's residents only, message kinds one way each."""

import glob
import os
import re

import fixtures as fx
from harness import BRZEZINY, FINDINGS, PASSWORD, SOCHACZEW, Client, sign_in

CHECK = "2 escalation / mass assignment"

EXTRA = {"role": "admin", "municipality": BRZEZINY, "organization_id": None, "status": "awarded",
         "disabled": False, "id": "00000000-0000-0000-0000-000000000000", "confirmed": True,
         "is_admin": True}


def attempt(what, client, method, path, body, verify=None, refuse=(403, 404, 409, 422)):
    """`verify(answer)` after a 2xx returns a complaint or None."""
    FINDINGS.probe(CHECK)
    a = client.call(method, path, body=body)
    if a.status is None:
        return a
    if a.ok:
        complaint = verify(a) if verify else "accepted"
        if complaint:
            FINDINGS.add(CHECK, "%s: %s %s as %s answered %d and %s" % (what, method, path, client.name, a.status,
                                                                       complaint))
    elif a.status not in refuse:
        FINDINGS.add(CHECK, "%s: %s %s as %s: %d, want a refusal in %s: %s"
                     % (what, method, path, client.name, a.status, sorted(refuse), a.text[:160]))
    else:
        FINDINGS.refusal(CHECK, a.status)
    return a


def with_extra(body, **override):
    b = dict(body)
    e = dict(EXTRA)
    e.update(override)
    b.update(e)
    return b


def run(world):
    U, R = world.users, world.records
    ngo, org_s, admin = U["ngo"], U["organizer"], U["admin"]
    own_org = R["organization"]["own"]
    other_org = R["organization"]["other_org"]

    # --- organization profile -------------------------------------------------
    def org_unchanged(a):
        g = org_s.get("/api/v1/organizations/" + own_org).json() or {}
        if g.get("municipality") != SOCHACZEW or g.get("id") != own_org:
            return "applied: %s" % {k: g.get(k) for k in ("id", "municipality")}
    body = fx.organization_json("Fundacja Razem", 41)
    attempt("organization update with municipality/role/status", ngo, "PUT", "/api/v1/organizations/" + own_org,
            with_extra(body, organization_id=other_org), org_unchanged)
    attempt("organization update moving it to Brzeziny", ngo, "PUT", "/api/v1/organizations/" + own_org,
            dict(body, municipality=BRZEZINY), org_unchanged)
    # Colleagues an NGO adds are NGO accounts of its organization.
    def colleague(email):
        def check(a):
            try:
                c = sign_in(world.base, email, "colleague")
            except RuntimeError:
                return None
            me = c.me
            if me.get("role") != "ngo" or me.get("organization_id") != own_org or me.get("municipality") != SOCHACZEW:
                return "the new account is %s" % {k: me.get(k) for k in ("role", "municipality", "organization_id")}
        return check
    for i, extra in enumerate([{"role": "admin"}, {"role": "organizer", "municipality": BRZEZINY},
                               {"organization_id": other_org}]):
        email = "kolega%d@attack.example" % i
        attempt("colleague with %s" % sorted(extra), ngo, "POST", "/api/v1/organizations/%s/users" % own_org,
                dict({"email": email, "password": PASSWORD}, **extra), colleague(email))

    # --- offers -------------------------------------------------------------------
    own_offer = R["offer"]["own"]

    def offer_unchanged(a):
        g = ngo.get("/api/v1/offers/" + own_offer).json() or {}
        bad = {k: g.get(k) for k in ("organization_id", "status", "awarded_grosze", "competition_id")}
        if g.get("organization_id") != own_org or g.get("awarded_grosze") or g.get("status") in ("awarded", "passed"):
            return "applied: %s" % bad
    attempt("offer update with status/organization", ngo, "PUT", "/api/v1/offers/" + own_offer,
            with_extra(fx.offer_json("Oferta Razem"), organization_id=other_org, awarded_grosze=40000000,
                       competition_id=R["competition"]["other"], formal_passed=True), offer_unchanged)

    # --- requests: another resident's id --------------------------------------------
    res = U["resident"]
    own_resident = R["resident"]["own"]

    def own_request(a):
        rid = (a.json() or {}).get("id")
        g = res.get("/api/v1/requests/%s" % rid).json() or {}
        if g.get("resident_id") != own_resident:
            return "the request was filed for resident %s" % g.get("resident_id")
    attempt("resident filing for another resident", res, "POST", "/api/v1/requests",
            {"resident_id": R["resident"]["other_resident"], "description": "Za kogoś innego.", "channel": "online"},
            own_request)
    attempt("resident filing with status/municipality", res, "POST", "/api/v1/requests",
            {"description": "Wniosek.", "channel": "online", "status": "closed", "municipality": BRZEZINY},
            own_request)
    attempt("desk filing for another municipality's resident", U["desk"], "POST", "/api/v1/requests",
            {"resident_id": R["resident"]["other"], "description": "Obcy.", "channel": "desk"})
    attempt("desk registering a resident in Brzeziny", U["desk"], "POST", "/api/v1/residents",
            {"pesel": fx.pesel(901), "first_name": "Obcy", "last_name": "Mieszkaniec", "address": "ul. X 1",
             "municipality": BRZEZINY},
            lambda a: None if (a.json() or {}).get("municipality") == SOCHACZEW else "applied: %s" % a.text[:120])
    attempt("organizer creating a competition in Brzeziny / published", org_s, "POST", "/api/v1/competitions",
            dict(fx.competition_json("Konkurs z polami"), municipality=BRZEZINY, status="published"),
            lambda a: None if (a.json() or {}).get("municipality") == SOCHACZEW and (a.json() or {}).get("status") == "draft"
            else "applied: %s" % {k: (a.json() or {}).get(k) for k in ("municipality", "status")})
    attempt("plan for another municipality's resident", U["coordinator"], "POST", "/api/v1/plans",
            {"resident_id": R["resident"]["other"], "goals": ["Cel"]})
    attempt("agreement with another municipality's organization", org_s, "POST", "/api/v1/agreements",
            fx.agreement_json(R["organization"]["other"]))

    # --- data protection: requests for someone else, retention elsewhere ---------------
    iod = U["iod"]

    def filed_for(resident):
        def check(a):
            rid = (a.json() or {}).get("id")
            g = iod.get("/api/v1/privacy/requests/%s" % rid).json() or {}
            if g.get("resident_id") != resident or g.get("status") != "open":
                return "filed as %s" % {k: g.get(k) for k in ("resident_id", "status", "municipality")}
        return check
    attempt("resident filing a data subject request for another resident", res, "POST", "/api/v1/privacy/requests",
            {"kind": "access", "text": "Za kogoś.", "resident_id": R["resident"]["other_resident"]},
            filed_for(own_resident))
    attempt("resident filing a data subject request decided and granted", res, "POST", "/api/v1/privacy/requests",
            {"kind": "access", "text": "Wniosek.", "status": "decided", "decision": "granted",
             "municipality": BRZEZINY}, filed_for(own_resident))
    attempt("desk filing a data subject request for another municipality's resident", U["desk"], "POST",
            "/api/v1/privacy/requests", {"kind": "access", "text": "Obcy.", "resident_id": R["resident"]["other"]})
    attempt("officer filing a data subject request for another municipality's resident", iod, "POST",
            "/api/v1/privacy/requests", {"kind": "access", "text": "Obcy.", "resident_id": R["resident"]["other"]})
    attempt("officer running retention for another municipality", iod, "POST", "/api/v1/privacy/retention/run",
            {"dry_run": True, "municipality": BRZEZINY})
    attempt("officer reading another municipality's retention", iod, "GET",
            "/api/v1/privacy/retention?municipality=" + BRZEZINY, None)
    attempt("admin of Brzeziny running retention for Sochaczew", U["admin_b"], "POST", "/api/v1/privacy/retention/run",
            {"dry_run": True, "municipality": SOCHACZEW})
    attempt("officer deciding another municipality's request, with a status", iod, "POST",
            "/api/v1/privacy/requests/%s/decide" % R["privacy_request"]["other"],
            {"decision": "refused", "reason": "Nie.", "status": "open"})

    # --- social work: referrals, contracts, households, the information flow -------------
    social_work(world)

    # --- accounts ---------------------------------------------------------------------
    def not_admin(email):
        def check(a):
            j = a.json() or {}
            if j.get("role") == "admin":
                return "an administrator was made: %s" % a.text[:160]
            try:
                c = sign_in(world.base, email, "new")
                if c.me.get("role") == "admin":
                    return "the new account signs in as admin"
            except RuntimeError:
                pass
        return check
    attempt("organizer creating an administrator", org_s, "POST", "/api/v1/users",
            {"email": "nowy-admin@attack.example", "password": PASSWORD, "role": "admin", "municipality": SOCHACZEW},
            not_admin("nowy-admin@attack.example"))
    attempt("organizer creating a global administrator", org_s, "POST", "/api/v1/users",
            {"email": "nowy-admin2@attack.example", "password": PASSWORD, "role": "admin"},
            not_admin("nowy-admin2@attack.example"))
    attempt("organizer creating a data protection officer", org_s, "POST", "/api/v1/users",
            {"email": "nowy-iod@attack.example", "password": PASSWORD, "role": "iod", "municipality": SOCHACZEW})
    attempt("organizer making the desk a data protection officer", org_s, "PUT", "/api/v1/users/" + U["desk"].me["id"],
            {"role": "iod"}, lambda a: "promoted: %s" % a.text[:120] if (a.json() or {}).get("role") == "iod" else None)
    attempt("organizer creating staff in Brzeziny", org_s, "POST", "/api/v1/users",
            {"email": "obcy@attack.example", "password": PASSWORD, "role": "desk", "municipality": BRZEZINY})
    attempt("organizer creating an account with unknown fields", org_s, "POST", "/api/v1/users",
            {"email": "pola@attack.example", "password": PASSWORD, "role": "desk", "municipality": SOCHACZEW,
             "is_admin": True, "disabled": False}, not_admin("pola@attack.example"))
    attempt("admin of Brzeziny creating an account in Sochaczew", U["admin_b"], "POST", "/api/v1/users",
            {"email": "obcy2@attack.example", "password": PASSWORD, "role": "desk", "municipality": SOCHACZEW})
    attempt("admin of Brzeziny creating a global administrator", U["admin_b"], "POST", "/api/v1/users",
            {"email": "obcy3@attack.example", "password": PASSWORD, "role": "admin"},
            lambda a: None if sign_in(world.base, "obcy3@attack.example", "obcy3").me.get("municipality") == BRZEZINY
            else "a global administrator was made")
    def sees_nothing(email):
        def check(a):
            c = sign_in(world.base, email, "stray")
            if c.me.get("municipality") is None:
                r = c.get("/api/v1/requests/" + R["request"]["own"])
                if r.ok:
                    return "a staff account without a municipality reads requests: %s" % r.text[:80]
        return check
    attempt("admin creating a desk of no municipality", admin, "POST", "/api/v1/users",
            {"email": "bezgminy@attack.example", "password": PASSWORD, "role": "desk"},
            sees_nothing("bezgminy@attack.example"))
    desk_id = U["desk"].me["id"]
    attempt("organizer promoting the desk to administrator", org_s, "PUT", "/api/v1/users/" + desk_id,
            {"role": "admin"}, lambda a: "promoted: %s" % a.text[:120] if (a.json() or {}).get("role") == "admin" else None)
    attempt("organizer disabling an administrator", org_s, "PUT", "/api/v1/users/" + U["admin_b"].me["id"],
            {"disabled": True})
    attempt("organizer changing their own account", org_s, "PUT", "/api/v1/users/" + org_s.me["id"],
            {"role": "admin"})
    attempt("organizer disabling themself", org_s, "PUT", "/api/v1/users/" + org_s.me["id"], {"disabled": True})
    attempt("admin changing their own account", admin, "PUT", "/api/v1/users/" + admin.me["id"], {"disabled": True})
    attempt("admin of Brzeziny disabling a Sochaczew account", U["admin_b"], "PUT", "/api/v1/users/" + desk_id,
            {"disabled": True})
    attempt("organizer moving an account to Brzeziny", org_s, "PUT", "/api/v1/users/" + desk_id,
            {"municipality": BRZEZINY, "organization_id": other_org},
            lambda a: "applied: %s" % a.text[:120] if (a.json() or {}).get("municipality") != SOCHACZEW else None)
    attempt("organizer giving an account a role beyond staff", org_s, "PUT", "/api/v1/users/" + desk_id,
            {"role": "resident"},
            lambda a: "applied: %s" % a.text[:120] if (a.json() or {}).get("role") == "resident" else None)
    # The desk still works (nothing above may have changed it).
    if U["desk"].get("/api/v1/me").json().get("role") != "desk":
        FINDINGS.add(CHECK, "the desk's account was changed by the attempts above")
    # Own password and profile.
    attempt("password change with a role", ngo, "POST", "/api/v1/me/password",
            {"current_password": PASSWORD, "password": PASSWORD, "role": "admin"},
            lambda a: "applied" if ngo.get("/api/v1/me").json().get("role") != "ngo" else None)
    attempt("forum settings with a role", ngo, "PUT", "/api/v1/forum/me", {"notify": "none", "role": "moderator"})

    # --- registration: the confirmed account must be a resident of the chosen municipality
    anon = Client(world.base, "anonymous")
    email = "rejestracja@attack.example"
    body = {"email": email, "password": PASSWORD, "first_name": "Rena", "last_name": "Rejestrowa",
            "municipality": SOCHACZEW}
    a = attempt("registration with role/organization", anon, "POST", "/api/v1/register",
                dict(body, role="admin", organization_id=own_org, confirmed=True),
                lambda a: None)
    a2 = attempt("registration (plain, to confirm)", Client(world.base, "anonymous"), "POST", "/api/v1/register",
                 dict(body, email="rejestracja2@attack.example"), lambda a: None)
    world.server.run_job("outbox")
    for addr, extra in ((email, a.ok), ("rejestracja2@attack.example", a2.ok)):
        if not extra:
            continue
        token = None
        for f in glob.glob(os.path.join(world.server.mail_dir, "**", "*.eml"), recursive=True):
            t = open(f, encoding="utf-8", errors="replace").read()
            if addr in t:
                m = re.search(r"confirm[^\s\"'<>]*?token=([A-Za-z0-9_-]+)", t) or re.search(r"/confirm/([A-Za-z0-9_-]+)", t)
                if m:
                    token = m.group(1)
        if not token:
            continue
        anon.call("POST", "/api/v1/confirm", {"token": token})
        try:
            c = sign_in(world.base, addr, "registered")
        except RuntimeError:
            continue
        FINDINGS.probe(CHECK)
        if c.me.get("role") != "resident" or c.me.get("municipality") != SOCHACZEW or c.me.get("organization_id"):
            FINDINGS.add(CHECK, "registration gave %s: %s" % (addr, c.me))
    return {}


def social_work(world):
    """Issue 25: only a social worker of the referral's municipality moves
    it; a social contract is never the resident's or an NGO's to read, nor
    another municipality's to tick or end; a household takes residents of
    its own municipality only, never a fixed status or municipality; each
    message kind goes one way only (the other → 422 on `kind`)."""
    U, R = world.users, world.records
    sw, sw_b, ben, desk = U["social_worker"], U["social_worker_b"], U["benefits"], U["desk"]
    referral = R["referral"]["own"]
    contract = R["social_contract"]["own"]
    household = R["household"]["own"]

    def referral_sent(a):
        g = sw.get("/api/v1/referrals/" + referral).json() or {}
        if g.get("status") != "sent" or g.get("accepted_by"):
            return "the referral moved: %s" % {k: g.get(k) for k in ("status", "accepted_by")}
    for who, to in (("benefits", "accepted"), ("benefits", "declined"), ("desk", "accepted"),
                    ("coordinator", "accepted"), ("organizer", "accepted")):
        attempt("%s moving a referral to %s" % (who, to), U[who], "POST", "/api/v1/referrals/%s/transition" % referral,
                {"to": to, "reason": "Nie moja sprawa."}, referral_sent, refuse=(403, 404))
    attempt("social worker of Brzeziny accepting a Sochaczew referral", sw_b, "POST",
            "/api/v1/referrals/%s/transition" % referral, {"to": "accepted"}, referral_sent, refuse=(404,))
    attempt("social worker of Brzeziny reading a Sochaczew referral", sw_b, "GET", "/api/v1/referrals/" + referral,
            None, refuse=(404,))
    attempt("social worker accepting a referral for someone else", sw, "POST",
            "/api/v1/referrals/%s/transition" % referral,
            {"to": "accepted", "accepted_by": sw_b.me["id"], "status": "done"}, referral_sent, refuse=(422,))
    attempt("social worker marking a sent referral done", sw, "POST", "/api/v1/referrals/%s/transition" % referral,
            {"to": "done", "outcome": "success", "delivered": True}, referral_sent, refuse=(409,))

    def contract_active(a):
        g = sw.get("/api/v1/social-contracts/" + contract).json() or {}
        done = [c.get("done") for c in g.get("client_commitments", []) + g.get("worker_commitments", [])]
        if g.get("status") != "active" or any(done) or g.get("worker_id") != sw.me["id"]:
            return "the contract changed: %s" % {k: g.get(k) for k in ("status", "worker_id", "resident_id")}
    for who in ("resident", "ngo", "commission", "council", "community_organizer", "iod", "desk", "coordinator",
                "organizer"):
        attempt("%s reading a social contract" % who, U[who], "GET", "/api/v1/social-contracts/" + contract, None,
                refuse=(403, 404))
        attempt("%s listing the resident's social contracts" % who, U[who], "GET",
                "/api/v1/social-contracts?resident_id=" + R["resident"]["own"], None, refuse=(403, 404))
    attempt("benefits officer ticking a commitment", ben, "POST", "/api/v1/social-contracts/%s/commitments/0" % contract,
            {"done": True, "note": "Odhaczone przez świadczenia."}, contract_active, refuse=(403, 404))
    attempt("benefits officer ending a contract", ben, "POST", "/api/v1/social-contracts/%s/transition" % contract,
            {"to": "broken", "reason": "Zerwany przez świadczenia."}, contract_active, refuse=(403, 404))
    attempt("social worker of Brzeziny ticking a Sochaczew commitment", sw_b, "POST",
            "/api/v1/social-contracts/%s/commitments/0" % contract, {"done": True, "note": "Obcy."}, contract_active,
            refuse=(404,))
    attempt("social worker of Brzeziny ending a Sochaczew contract", sw_b, "POST",
            "/api/v1/social-contracts/%s/transition" % contract, {"to": "completed"}, contract_active, refuse=(404,))
    for n in ("2", "-1", "9223372036854775807", "9223372036854775808", "x"):
        attempt("social worker ticking commitment %s (out of range)" % n, sw, "POST",
                "/api/v1/social-contracts/%s/commitments/%s" % (contract, n), {"done": True, "note": ""},
                contract_active, refuse=(404,))
    attempt("social worker reactivating a contract", sw, "POST", "/api/v1/social-contracts/%s/transition" % contract,
            {"to": "active"}, contract_active, refuse=(409, 422))
    attempt("social worker breaking a contract without a reason", sw, "POST",
            "/api/v1/social-contracts/%s/transition" % contract, {"to": "broken"}, contract_active, refuse=(422,))

    def contract_is_own(a):
        j = a.json() or {}
        if j.get("municipality") != SOCHACZEW or j.get("status") != "active" or j.get("worker_id") != sw.me["id"]:
            return "applied: %s" % {k: j.get(k) for k in ("municipality", "status", "worker_id")}
    attempt("social worker's contract for a Brzeziny resident", sw, "POST", "/api/v1/social-contracts",
            fx.contract_json(R["resident"]["other"]), refuse=(404, 422))
    attempt("social worker's contract with status, municipality and another worker", sw, "POST",
            "/api/v1/social-contracts",
            dict(fx.contract_json(R["resident"]["other_resident"]), status="completed", municipality=BRZEZINY,
                 worker_id=sw_b.me["id"]), contract_is_own, refuse=(422,))
    late = fx.contract_json(R["resident"]["other_resident"])
    late["client_commitments"] = [{"text": "Po terminie.", "due": fx.today(200)}]
    attempt("social worker's contract with a commitment due after its end", sw, "POST", "/api/v1/social-contracts",
            late, refuse=(422,))
    attempt("benefits officer writing a social contract", ben, "POST", "/api/v1/social-contracts",
            fx.contract_json(R["resident"]["other_resident"]), refuse=(403,))

    # Households: another municipality's resident, district or household.
    def household_unchanged(a):
        g = desk.get("/api/v1/households/" + household).json() or {}
        ids = sorted(m.get("resident_id") for m in g.get("members", []))
        if ids != [R["resident"]["housed"]] or g.get("municipality") != SOCHACZEW:
            return "the household changed: %s" % {"members": ids, "municipality": g.get("municipality")}
    attempt("desk's household claiming a Brzeziny resident", desk, "POST", "/api/v1/households",
            {"members": [{"resident_id": R["resident"]["other"], "relation": "head"}]}, refuse=(404, 409, 422))
    attempt("desk's household claiming a Brzeziny resident beside its own", desk, "POST", "/api/v1/households",
            {"members": [{"resident_id": R["resident"]["free"], "relation": "head"},
                         {"resident_id": R["resident"]["other"], "relation": "spouse"}]}, refuse=(404, 409, 422))
    attempt("desk adding a Brzeziny resident to a household", desk, "PUT",
            "/api/v1/households/%s/members" % household,
            {"members": [{"resident_id": R["resident"]["housed"], "relation": "head"},
                         {"resident_id": R["resident"]["other"], "relation": "child"}]},
            household_unchanged, refuse=(404, 409, 422))
    attempt("desk placing a household in a Brzeziny district", desk, "PUT", "/api/v1/households/%s/members" % household,
            {"members": [{"resident_id": R["resident"]["housed"], "relation": "head"}],
             "district_id": R["district"]["other"]}, household_unchanged, refuse=(404, 422))
    attempt("desk of Brzeziny claiming a Sochaczew household's member", U["desk_b"], "POST", "/api/v1/households",
            {"members": [{"resident_id": R["resident"]["housed"], "relation": "head"}]}, refuse=(404, 409, 422))
    attempt("desk of Brzeziny rewriting a Sochaczew household", U["desk_b"], "PUT",
            "/api/v1/households/%s/members" % household,
            {"members": [{"resident_id": R["resident"]["other"], "relation": "head"}]}, household_unchanged,
            refuse=(404,))
    attempt("coordinator's household taking a member of another household", U["coordinator"], "POST",
            "/api/v1/households", {"members": [{"resident_id": R["resident"]["free"], "relation": "head"},
                                               {"resident_id": R["resident"]["housed"], "relation": "child"}]},
            refuse=(409,))
    attempt("desk's household with two heads", desk, "POST", "/api/v1/households",
            {"members": [{"resident_id": R["resident"]["free"], "relation": "head"},
                         {"resident_id": R["resident"]["other_resident"], "relation": "head"}]}, refuse=(422,))
    attempt("desk's household with a municipality and an id", desk, "POST", "/api/v1/households",
            {"members": [{"resident_id": R["resident"]["free"], "relation": "head"}], "municipality": BRZEZINY,
             "id": household}, refuse=(422,))
    attempt("benefits officer recording a household", ben, "POST", "/api/v1/households",
            {"members": [{"resident_id": R["resident"]["free"], "relation": "head"}]}, refuse=(403,))

    # Districts: another municipality's social worker or district.
    attempt("organizer's district with a Brzeziny social worker", U["organizer"], "POST", "/api/v1/districts",
            {"name": "Rejon z obcym", "social_worker_ids": [sw_b.me["id"]]}, refuse=(422,))
    attempt("organizer's district with a desk as its social worker", U["organizer"], "POST", "/api/v1/districts",
            {"name": "Rejon z recepcją", "social_worker_ids": [desk.me["id"]]}, refuse=(422,))
    attempt("organizer renaming a Brzeziny district", U["organizer"], "PUT", "/api/v1/districts/" + R["district"]["other"],
            {"name": "Przejęty rejon", "social_worker_ids": []}, refuse=(404,))
    attempt("organizer of Brzeziny reading the caseload with a municipality", U["organizer_b"], "GET",
            "/api/v1/caseload?municipality=" + SOCHACZEW, None,
            lambda a: None if sw.me["id"] not in a.text else "Sochaczew's social worker is listed: %s" % a.text[:160],
            refuse=(400, 403, 404, 422))

    # Messages: each kind in its one direction.
    req = R["request"]["own"]
    attempt("benefits officer sending a social worker's kind (opinion)", ben, "POST", "/api/v1/requests/%s/messages" % req,
            {"kind": "opinion", "text": "Opinia od świadczeń."}, refuse=(422,))
    attempt("benefits officer sending a social worker's kind (waste_suspected)", ben, "POST",
            "/api/v1/requests/%s/messages" % req, {"kind": "waste_suspected", "text": "Marnotrawstwo?"}, refuse=(422,))
    attempt("social worker sending a referral", sw, "POST", "/api/v1/requests/%s/messages" % req,
            {"kind": "referral", "text": "Skierowanie od pracownika."}, refuse=(422,))
    attempt("benefits officer of Brzeziny referring a Sochaczew case", U["benefits_b"], "POST",
            "/api/v1/requests/%s/messages" % req, {"kind": "referral", "text": "Obce skierowanie."}, refuse=(404,))
    attempt("desk sending a referral", desk, "POST", "/api/v1/requests/%s/messages" % req,
            {"kind": "referral", "text": "Skierowanie z recepcji."}, refuse=(403,))

    def referral_is_sent(a):
        r = (a.json() or {}).get("referral") or {}
        g = sw.get("/api/v1/referrals/%s" % r.get("id")).json() or {}
        if g.get("status") != "sent" or g.get("accepted_by"):
            return "applied: %s" % {k: g.get(k) for k in ("status", "accepted_by")}
    attempt("benefits officer's referral with a status and a worker", ben, "POST", "/api/v1/requests/%s/messages" % req,
            {"kind": "referral", "text": "Skierowanie.", "status": "accepted", "accepted_by": sw.me["id"]},
            referral_is_sent, refuse=(422,))
