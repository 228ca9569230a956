"""Checks 3, 4 and 7 over the pages: stored and reflected XSS (payloads
through every text field reachable, then every page a crawl finds as each
role, parsed), CSRF (every <form method=post> found, posted without the
token and with another session's), session replay after logout, and the
security headers and cookie flags of every kind of response."""

import re
import xml.dom.minidom
from html.parser import HTMLParser
from urllib.parse import quote, urljoin, urlsplit

import fixtures as fx
from harness import AUDIT, FINDINGS, PASSWORD, Client, short, sign_in

XSS = "4 XSS"
CSRF = "3 CSRF / sessions"
HDR = "7 security headers"
OPS = "8 operations"

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "[klik](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src=javascript:alert(1)></iframe>",
]
PAY = " ".join(PAYLOADS)
SHORT = '"><img src=x onerror=alert(1)><script>alert(1)</script>'  # single-line fields
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcdoc"}
BAD_TAGS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "base"}


class Page(HTMLParser):
    """The executable parts of a page, its links and its forms."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.bad = []
        self.links = []
        self.forms = []
        self._form = None
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag in BAD_TAGS:
            self.bad.append("<%s %s>" % (tag, " ".join("%s=%r" % kv for kv in a.items())[:80]))
        if tag == "meta" and a.get("http-equiv", "").lower() == "refresh":
            self.bad.append("<meta http-equiv=refresh>")
        for k, v in a.items():
            if k.startswith("on"):
                self.bad.append("<%s %s=%r>" % (tag, k, v[:60]))
            if k in URL_ATTRS:
                norm = re.sub(r"[\x00-\x20]", "", v).lower()
                if norm.startswith(("javascript:", "vbscript:", "data:text/html")):
                    self.bad.append("<%s %s=%r>" % (tag, k, v[:60]))
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "form":
            self._form = {"method": a.get("method", "get").lower(), "action": a.get("action", ""), "fields": [],
                          "submits": []}
            self.forms.append(self._form)
        if self._form is not None:
            # Each submit button posts to its `formaction`, or to the form's action.
            if (tag == "button" and a.get("type", "submit").lower() in ("submit", "")) or \
                    (tag == "input" and a.get("type", "").lower() == "submit"):
                self._form["submits"].append(a.get("formaction", ""))
            if tag in ("input", "button") and a.get("name"):
                t = a.get("type", "text").lower()
                if t in ("checkbox", "radio") and "checked" not in a:
                    return
                if tag == "button" and t not in ("submit", ""):
                    return
                self._form["fields"].append([a["name"], a.get("value", ""), tag == "button"])
            if tag == "textarea" and a.get("name"):
                self._textarea = [a["name"], "", False]
                self._form["fields"].append(self._textarea)
            if tag == "select" and a.get("name"):
                self._select = [a["name"], None, False]
                self._form["fields"].append(self._select)
            if tag == "option" and self._select is not None and (self._select[1] is None or "selected" in a):
                self._select[1] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        if tag == "textarea":
            self._textarea = None
        if tag == "select":
            if self._select is not None and self._select[1] is None:
                self._select[1] = ""
            self._select = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data


def form_targets(path, form):
    """The paths a form posts to: each submit button's `formaction` (one
    route per action), else the form's own action (or the page itself)."""
    default = form["action"] or path
    targets = [t or default for t in form.get("submits", [])] or [default]
    return [urlsplit(urljoin(path, t)).path for t in dict.fromkeys(targets)]


# Forms that, posted with a valid token, destroy what later checks need:
# the retention page's button is a real run (it anonymises residents past
# their period). The CSRF check still posts it, without a valid token.
DESTRUCTIVE_FORMS = {"/privacy/retention/run"}


def safe_form(shape, fields):
    """The form's fields with any decision a grant turned into a refusal:
    a granted erasure anonymises the resident, a granted restriction
    blocks every later write about them."""
    if not shape.endswith("/decide"):
        return fields
    return [[n, "refused" if n == "decision" and v == "granted" else v, b] for n, v, b in fields]


def parse(html):
    p = Page()
    try:
        p.feed(html)
    except Exception as e:  # noqa: BLE001 (a page the parser cannot read is a finding too)
        p.bad.append("unparsable HTML: %s" % e)
    return p


def scan(check, who, path, answer):
    ctype = answer.headers.get("content-type", "")
    FINDINGS.probe(check)
    if "html" in ctype:
        p = parse(answer.text)
        for b in p.bad:
            FINDINGS.add(check, "GET %s as %s: executable markup %s" % (path, who, b))
        return p
    # An XLSX (application/vnd.openxmlformats-...) is a zip, not a feed.
    if ("xml" in ctype or "atom" in ctype) and "openxmlformats" not in ctype:
        try:
            dom = xml.dom.minidom.parseString(answer.text.encode())
        except Exception as e:  # noqa: BLE001
            FINDINGS.add(check, "GET %s: the feed is not well-formed XML (%s)" % (path, e))
            return None
        for el in dom.getElementsByTagName("*"):
            if el.tagName.lower() in BAD_TAGS:
                FINDINGS.add(check, "GET %s: feed holds a <%s> element" % (path, el.tagName))
    return None


def crawl(client, start, limit=70):
    """Same-site pages reachable from `start` (ids of one kind of page at
    most 4 times), with their forms."""
    seen, queue, pages = set(), list(start), []
    shapes = {}
    while queue and len(pages) < limit:
        path = queue.pop(0)
        u = urlsplit(path)
        if u.scheme or u.netloc:
            continue
        p = u.path + ("?" + u.query if u.query else "")
        if p in seen or not u.path.startswith("/") or u.path.startswith(("/static/", "/logout", "/calendar/")):
            continue
        shape = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "{id}", u.path) + ("?" if u.query else "")
        shapes[shape] = shapes.get(shape, 0) + 1
        if shapes[shape] > 4:
            continue
        seen.add(p)
        a = client.page(p)
        if a.status is None:
            continue
        parsed = scan(XSS, client.name, p, a) if a.status == 200 else None
        pages.append((p, a, parsed))
        if parsed:
            for h in parsed.links:
                full = urljoin(p, h)
                s = urlsplit(full)
                if not s.netloc or s.netloc == urlsplit(client.base).netloc:
                    queue.append(s.path + ("?" + s.query if s.query else ""))
    return pages


def store_payloads(world):
    """Every text field reachable, as the role that may write it. Refusals
    (422) are fine; what is stored must come out inert."""
    U, R = world.users, world.records
    stored = []

    def put(who, method, path, body):
        FINDINGS.probe(XSS)
        a = U[who].call(method, path, body=body)
        stored.append((who, path, a.status))
        return a
    put("resident", "POST", "/api/v1/requests", {"description": PAY, "channel": "online", "service_code": "UO"})
    r = put("desk", "POST", "/api/v1/residents", {"pesel": fx.pesel(555), "first_name": SHORT, "last_name": "Xss" + SHORT,
                                                 "address": SHORT, "phone": SHORT})
    jan_req = R["request"]["other_resident"]
    put("desk", "POST", "/api/v1/requests", {"resident_id": R["resident"]["other_resident"], "description": PAY,
                                             "channel": "desk"})
    put("desk", "POST", "/api/v1/requests/%s/route" % R["request"]["own"], {"to": "social_worker", "note": PAY})
    put("social_worker", "POST", "/api/v1/requests/%s/messages" % R["request"]["own"], {"kind": "opinion", "text": PAY})
    ref1 = put("benefits", "POST", "/api/v1/requests/%s/messages" % R["request"]["own"], {"kind": "referral", "text": PAY})
    t = put("organizer", "POST", "/api/v1/forum/threads", {"title": SHORT, "body": PAY, "kind": "discussion"})
    tid = (t.json() or {}).get("id") or R["thread"]["own"]
    put("organizer", "POST", "/api/v1/forum/threads", {"title": "Spotkanie " + SHORT, "body": PAY, "kind": "meeting",
                                                       "meeting_at": fx.today(5) + "T10:00:00Z", "place": SHORT,
                                                       "agenda": PAY})
    put("ngo", "POST", "/api/v1/forum/threads/%s/posts" % tid, {"body": PAY})
    put("community_organizer", "POST", "/api/v1/forum/threads/%s/posts" % tid,
        {"body": "<b onmouseover=alert(1)>x</b> ![x](javascript:alert(1)) <javascript:alert(1)>"})
    put("organizer", "PUT", "/api/v1/forum/posts/%s" % R["post"]["own"], {"body": PAY})
    put("ngo", "PUT", "/api/v1/organizations/%s" % R["organization"]["own"],
        dict(fx.organization_json(SHORT, 51), address=SHORT, city=SHORT))
    put("ngo", "PUT", "/api/v1/offers/%s" % R["offer"]["own"],
        dict(fx.offer_json(SHORT), description=PAY, schedule=PAY, expected_results=PAY, bidder_profile=PAY,
             indicators=[SHORT]))
    put("organizer", "POST", "/api/v1/competitions", dict(fx.competition_json(SHORT), task=PAY, conditions=PAY,
                                                           criteria=[{"name": SHORT, "weight": 100, "max_points": 10}]))
    p = put("organizer", "POST", "/api/v1/programs", dict(fx.program_json(SHORT), goals=PAY, priorities=[SHORT]))
    pid = (p.json() or {}).get("id")
    if pid:
        put("organizer", "POST", "/api/v1/programs/%s/transition" % pid, {"to": "consultation",
                                                                          "consultation_until": fx.today(20)})
        put("ngo", "POST", "/api/v1/programs/%s/comments" % pid, {"body": PAY})
    pl = put("coordinator", "POST", "/api/v1/plans", {"resident_id": R["resident"]["other_resident"],
                                                       "goals": [SHORT, PAY], "needs": PAY,
                                                       "resident_commitments": PAY})
    plid = (pl.json() or {}).get("id")
    if plid:
        put("coordinator", "POST", "/api/v1/plans/%s/items" % plid,
            {"service_code": "UO", "provider": SHORT, "frequency": SHORT, "start_date": fx.today(1),
             "end_date": fx.today(60)})
        put("coordinator", "POST", "/api/v1/plans/%s/transition" % plid, {"to": "agreed", "note": PAY})
    put("community_organizer", "POST", "/api/v1/community/communities",
        dict(fx.community_json(SHORT), diagnosis=PAY, goals=PAY, resources=PAY,
             stages=[{"name": SHORT, "status": "done"}]))
    put("community_organizer", "POST", "/api/v1/community/activities",
        dict(fx.activity_json("Osiedle Chodaków", SHORT), outcome=PAY, follow_up=PAY, partners=[SHORT]))
    put("organizer", "POST", "/api/v1/agreements/%s/annexes" % R["agreement"]["own"], {"reason": PAY, "changes": PAY})
    put("ngo", "POST", "/api/v1/agreements/%s/reports" % R["agreement"]["own"],
        {"period": str(fx.year()), "kind": "partial", "text": PAY, "spent_grosze": 100, "indicator_values": {SHORT: 1}})
    put("admin", "POST", "/api/v1/users", {"email": "xss@attack.example", "password": PASSWORD, "role": "desk",
                                           "municipality": fx.SOCHACZEW, "display_name": SHORT})
    # Data protection: a request's text, its decision's reason, a hold's
    # reason (kinds and decisions that erase or restrict nothing).
    d = put("resident", "POST", "/api/v1/privacy/requests", {"kind": "rectification", "text": PAY})
    put("desk", "POST", "/api/v1/privacy/requests", {"kind": "objection", "text": PAY,
                                                     "resident_id": R["resident"]["other_resident"]})
    did = (d.json() or {}).get("id")
    if did:
        put("iod", "POST", "/api/v1/privacy/requests/%s/decide" % did, {"decision": "partly", "reason": PAY})
    put("iod", "POST", "/api/v1/residents/%s/hold" % R["resident"]["other_resident"], {"reason": PAY})
    # Social work (issue 25): a district's name, and a household in it (of
    # a resident of its own; names are refused the payload); a referral
    # declined and one done, each with a reason; a contract's goals and
    # commitments, a commitment's note and the reason it was broken (a
    # contract of its own: the fixtures' stays active).
    world.xss_records = xr = {}
    d = put("organizer", "POST", "/api/v1/districts", {"name": SHORT, "social_worker_ids": [U["social_worker"].me["id"]]})
    x = put("desk", "POST", "/api/v1/residents", {"pesel": fx.pesel(556), "first_name": "Xawery", "last_name": "Iksiński",
                                                  "address": "ul. Iksowa 5, Sochaczew"})
    xss_resident = (r.json() or {}).get("id") or (x.json() or {}).get("id")
    if xss_resident:
        h = put("desk", "POST", "/api/v1/households", {"members": [{"resident_id": xss_resident, "relation": "head"}],
                                                        "district_id": (d.json() or {}).get("id") or R["district"]["own"]})
        xr["household"] = (h.json() or {}).get("id")
        xr["resident"] = xss_resident
    rid1 = ((ref1.json() or {}).get("referral") or {}).get("id")
    if rid1:
        xr["referral"] = rid1
        put("social_worker", "POST", "/api/v1/referrals/%s/transition" % rid1, {"to": "declined", "reason": PAY})
    ref2 = put("benefits", "POST", "/api/v1/requests/%s/messages" % jan_req, {"kind": "referral", "text": SHORT})
    rid2 = ((ref2.json() or {}).get("referral") or {}).get("id")
    if rid2:
        xr["referral_done"] = rid2
        put("social_worker", "POST", "/api/v1/referrals/%s/transition" % rid2, {"to": "accepted"})
        put("social_worker", "POST", "/api/v1/referrals/%s/transition" % rid2,
            {"to": "done", "outcome": "other", "delivered": False, "reason": PAY})
    c = put("social_worker", "POST", "/api/v1/social-contracts",
            dict(fx.contract_json(xss_resident or R["resident"]["other_resident"], SHORT), goals=[SHORT, PAY],
                 client_commitments=[{"text": PAY, "due": fx.today(10)}],
                 worker_commitments=[{"text": SHORT, "due": fx.today(20)}]))
    cid = (c.json() or {}).get("id")
    if cid:
        xr["social_contract"] = cid
        put("social_worker", "POST", "/api/v1/social-contracts/%s/commitments/0" % cid, {"done": True, "note": PAY})
        put("social_worker", "POST", "/api/v1/social-contracts/%s/commitments/1" % cid, {"done": False, "note": SHORT})
        put("social_worker", "POST", "/api/v1/social-contracts/%s/transition" % cid, {"to": "broken", "reason": PAY})
    return stored


REFLECT = [
    "/?q={p}", "/login?next={p}", "/login?next=/{p}", "/?lang={p}", "/login?done={p}", "/login?done=flash-{p}",
    "/competitions?municipality={p}", "/{p}", "/requests/{p}", "/forum/threads/{p}", "/password-reset/{p}",
    "/confirm?token={p}", "/register?next={p}", "/public/services?municipality={p}",
]
REFLECT_SIGNED = {
    "desk": ["/residents?q={p}", "/requests/new?resident_id={p}", "/households/new?resident_id={p}"],
    "social_worker": ["/social-contracts/new?resident_id={p}", "/social-contracts?status={p}&resident_id={p}",
                      "/referrals?status={p}&request_id={p}", "/social-contracts/{p}", "/referrals/{p}"],
    "organizer": ["/search?q={p}", "/forum?q={p}", "/admin/audit?subject_type={p}&subject_id={p}", "/admin/users?q={p}",
                  "/programs/{p}/report?year={p}", "/community?kind={p}&community={p}"],
    "coordinator": ["/plans/new?resident_id={p}"],
    "iod": ["/privacy/requests?status={p}", "/privacy/retention?municipality={p}", "/privacy/residents/{p}"],
}


def reflected(clients):
    pay = quote(SHORT + "javascript:alert(1)", safe="")
    for path in REFLECT:
        p = path.format(p=pay)
        a = clients["anonymous"].page(p)
        if a.status is not None:
            scan(XSS, "anonymous", p, a)
            if "javascript:alert" in a.headers.get("location", ""):
                FINDINGS.add(XSS, "GET %s redirects to %r" % (p, a.headers["location"]))
    for who, paths in REFLECT_SIGNED.items():
        for path in paths:
            p = path.format(p=pay)
            a = clients[who].page(p)
            if a.status is not None:
                scan(XSS, who, p, a)


PAGE_ROLES = ["organizer", "desk", "coordinator", "social_worker", "benefits", "community_organizer",
              "commission", "council", "ngo", "resident", "iod", "admin", "desk_b"]
START = ["/", "/work", "/cases", "/profile", "/organization", "/forum", "/community", "/plans", "/programs",
         "/competitions", "/competitions/manage", "/agreements", "/residents?q=Xs", "/residents?q=Mal", "/services",
         "/admin/users", "/admin/audit", "/accessibility", "/privacy/requests", "/privacy/retention",
         "/privacy/register", "/me/data", "/referrals", "/social-contracts", "/caseload", "/households/new",
         "/social-contracts/new"]


def start_pages(world):
    """START, and the fixtures' social work records (whose pages hold the
    forms the CSRF and bad input checks post): a page a role may not see
    answers 403 or 404 and is not parsed."""
    R = world.records
    return START + ["/households/%s" % R["household"]["own"], "/referrals/%s" % R["referral"]["own"],
                    "/social-contracts/%s" % R["social_contract"]["own"]]


def page_clients(world):
    """A signed-in browser per role (form login), and an anonymous one."""
    out = {"anonymous": Client(world.base, "anonymous")}
    for who in PAGE_ROLES:
        u = world.users[who]
        c = Client(world.base, who + " (page)")
        c.sign_in_page(u.me["email"])
        out[who] = c
    return out


def xss(world):
    stored = store_payloads(world)
    world.page_clients = clients = page_clients(world)
    world.crawled = {}
    n = 0
    for who, c in clients.items():
        start = start_pages(world) if who != "anonymous" else ["/", "/login", "/register", "/organizations/register",
                                                  "/password-reset", "/competitions", "/accessibility"]
        pages = crawl(c, start)
        world.crawled[who] = pages
        n += len(pages)
    # Documents and feeds the crawl may not reach.
    org = clients["organizer"]
    for p in ["/competitions.atom", "/plans/%s/document" % world.records["plan"]["own"],
              "/offers/%s/document" % world.records["offer"]["own"],
              "/agreements/%s/document" % world.records["agreement"]["own"]]:
        a = org.page(p)
        if a.status == 200:
            scan(XSS, "organizer", p, a)
    # The social work pages that hold the stored payloads, as the roles
    # that read them (the organizer reads no contract).
    xr = getattr(world, "xss_records", {})
    for who, paths in (
            ("social_worker", ["/social-contracts/%s" % xr.get("social_contract"),
                               "/social-contracts/%s/document" % xr.get("social_contract"),
                               "/social-contracts/%s/document" % world.records["social_contract"]["own"],
                               "/referrals/%s" % xr.get("referral"), "/referrals/%s" % xr.get("referral_done"),
                               "/households/%s" % xr.get("household"), "/social-contracts", "/referrals"]),
            ("benefits", ["/social-contracts/%s" % xr.get("social_contract"), "/referrals/%s" % xr.get("referral"),
                          "/referrals/%s" % xr.get("referral_done"), "/referrals", "/households/%s" % xr.get("household")]),
            ("desk", ["/households/%s" % xr.get("household"), "/households/new"]),
            ("organizer", ["/caseload", "/referrals/%s" % xr.get("referral_done"),
                           "/households/%s" % xr.get("household")]),
            ("coordinator", ["/households/%s" % xr.get("household"), "/residents/%s" % xr.get("resident")])):
        for p in paths:
            if "None" in p:
                continue  # the write was refused: nothing stored to show
            FINDINGS.probe(XSS)
            a = clients[who].page(p)
            if a.status == 200:
                scan(XSS, who, p, a)
            else:
                FINDINGS.add(XSS, "GET %s as %s: %s, want the page with the stored payloads" % (p, who, a.status))
    reflected(clients)
    return {"stored_writes": len(stored), "accepted_writes": sum(1 for s in stored if s[2] in (200, 201)),
            "pages_parsed": n}


# --- CSRF ---------------------------------------------------------------------
ANON_FORMS = ["/login", "/register", "/organizations/register", "/password-reset"]


def form_fields(form, drop_csrf=True, csrf=None):
    fields = []
    for name, value, is_button in form["fields"]:
        if name == "csrf":
            if not drop_csrf:
                fields.append((name, csrf if csrf is not None else value))
            continue
        fields.append((name, value))
    if not drop_csrf and not any(n == "csrf" for n, _ in fields) and csrf is not None:
        fields.append(("csrf", csrf))
    return fields


def csrf(world):
    clients = getattr(world, "page_clients", None) or page_clients(world)
    crawled = getattr(world, "crawled", None) or {w: crawl(c, start_pages(world)) for w, c in clients.items()}
    forms = {}
    for who, pages in crawled.items():
        for path, a, parsed in pages:
            if not parsed:
                continue
            for f in parsed.forms:
                if f["method"] != "post":
                    continue
                for action in form_targets(path, f):
                    shape = re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}", "{id}", action)
                    # One form per route shape and role, and per distinct button set.
                    key = (who, shape, tuple(sorted(n for n, _, b in f["fields"] if b)))
                    forms.setdefault(key, (action, f))
    n = 0
    others = [w for w in clients if w != "anonymous"]
    for (who, shape, _), (action, f) in sorted(forms.items()):
        c = clients[who]
        if who == "anonymous":
            continue
        other = clients[others[(others.index(who) + 1) % len(others)]]
        f = dict(f, fields=safe_form(shape, f["fields"]))
        for label, fields in (("without the token", form_fields(f)),
                              ("with another session's token", form_fields(f, False, other.csrf))):
            n += 1
            FINDINGS.probe(CSRF)
            a = c.form_post(action, fields)
            if a.status is None:
                continue
            FINDINGS.refusal(CSRF + " [%s]" % label, a.status)
            # Without the field at all the form may not even parse (400).
            want = (400, 403) if label == "without the token" else (403,)
            if a.status not in want:
                FINDINGS.add(CSRF, "POST %s (form of %s) as %s %s: %d, want 403%s"
                             % (action, shape, who, label, a.status,
                                " (location %s)" % a.headers.get("location") if a.status in (302, 303) else ""))
    # The forms of signed-out users: the token is a double-submit cookie.
    for path in ANON_FORMS:
        fresh = Client(world.base, "anonymous")
        page = fresh.page(path)
        parsed = parse(page.text)
        post_forms = [f for f in parsed.forms if f["method"] == "post"]
        if not post_forms:
            FINDINGS.add(CSRF, "GET %s shows no form" % path)
            continue
        f = post_forms[0]
        action = urlsplit(urljoin(path, f["action"] or path)).path
        other = Client(world.base, "anonymous")
        other_token = re.search(r'name="csrf" value="([^"]+)"', other.page(path).text)
        for label, client, fields in (
                ("without the token", fresh, form_fields(f)),
                ("with another visitor's token", fresh, form_fields(f, False, other_token.group(1) if other_token else "x")),
                ("with a token but no cookie", Client(world.base, "anonymous"), form_fields(f, False, None))):
            n += 1
            FINDINGS.probe(CSRF)
            a = client.form_post(action, fields)
            FINDINGS.refusal(CSRF + " [signed out, %s]" % label, a.status)
            want = (400, 403) if label == "without the token" else (403,)
            if a.status not in want:
                FINDINGS.add(CSRF, "POST %s (signed out) %s: %s, want 403" % (action, label, a.status))
    for who, c in clients.items():
        if who != "anonymous" and c.page("/profile").status != 200:
            FINDINGS.add(CSRF, "the session of %s ended: a form without a valid token took effect" % who)
    sessions(world)
    return {"forms": len(forms), "posts": n}


def sessions(world):
    """A session that ended answers 401 (API) or sends to the login (pages);
    a cookie's session is no bearer token, nor the reverse."""
    u = world.users["desk"]
    api = sign_in(world.base, u.me["email"], "desk (replay)")
    tok = api.token
    FINDINGS.probe(CSRF, 4)
    a = api.call("DELETE", "/api/v1/session")
    if not a.ok:
        FINDINGS.add(CSRF, "DELETE /api/v1/session answered %s" % a)
    for path in ("/api/v1/me", "/api/v1/requests"):
        a = Client(world.base, "replay").call("GET", path, token=tok)
        if a.status != 401:
            FINDINGS.add(CSRF, "bearer token replayed after DELETE /api/v1/session: GET %s -> %s" % (path, a.status))
    page = Client(world.base, "desk (page replay)")
    page.sign_in_page(u.me["email"])
    cookies = {k: v for k, v in page.s.cookies.items()}
    sid = [v for k, v in cookies.items() if "csrf" not in k]
    if sid:
        a = Client(world.base, "cookie as bearer").call("GET", "/api/v1/me", token=sid[0])
        if a.status != 401:
            FINDINGS.add(CSRF, "a page session's cookie is taken as a bearer token: %s" % a.status)
    c2 = Client(world.base, "bearer as cookie")
    name = [k for k in cookies if "csrf" not in k]
    if name:
        c2.s.cookies.set(name[0], tok)
        a = c2.page("/work")
        if a.status == 200:
            FINDINGS.add(CSRF, "an API token is taken as a page session cookie")
    a = page.form_post("/logout", {"csrf": page.csrf})
    if a.status not in (302, 303):
        FINDINGS.add(CSRF, "POST /logout answered %s" % a.status)
    replay = Client(world.base, "cookie replay")
    for k, v in cookies.items():
        replay.s.cookies.set(k, v)
    for path in ("/work", "/profile", "/residents?q=Mal"):
        FINDINGS.probe(CSRF)
        a = replay.page(path)
        loc = a.headers.get("location", "")
        if not (a.status in (401, 403) or (a.status in (302, 303) and "/login" in loc)):
            FINDINGS.add(CSRF, "cookie replayed after logout: GET %s -> %s %s" % (path, a.status, loc))
    a = replay.form_post("/requests/new", {"csrf": page.csrf, "description": "po wylogowaniu", "channel": "desk"})
    if a.status in (200, 201) or (a.status in (302, 303) and "/login" not in a.headers.get("location", "")):
        FINDINGS.add(CSRF, "a form posted with the old cookie after logout answered %s" % a.status)


# --- headers ------------------------------------------------------------------
def headers(world):
    """One response of every kind; the audit in harness checks each."""
    U, R = world.users, world.records
    org = U["organizer"]
    page = getattr(world, "page_clients", {}).get("organizer") or Client(world.base, "organizer (page)")
    if not page.csrf:
        page.sign_in_page(org.me["email"])
    anon = Client(world.base, "anonymous")
    cal = (U["organizer"].get("/api/v1/me/calendar").json() or {}).get("url", "")
    cal_path = urlsplit(cal).path if cal else None
    kinds = [
        ("JSON", org, "/api/v1/me", "application/json"),
        ("JSON 404", org, "/api/v1/requests/" + fx.random_id(), "application/json"),
        ("JSON 401", anon, "/api/v1/me", "application/json"),
        ("JSON 422", org, "/api/v1/audit?page=9223372036854775807", "application/json"),
        ("HTML", anon, "/", "text/html"),
        ("HTML 404", anon, "/no-such-page", "text/html"),
        ("HTML 422", page, "/competitions?municipality=%00", "text/html"),
        ("redirect", anon, "/work", None),
        ("static", anon, "/static/cus.css", "text/css"),
        ("Atom", anon, "/competitions.atom", "atom"),
        ("CSV (API)", org, "/api/v1/community/activities?format=csv", "text/csv"),
        ("CSV (page)", page, "/community/activities.csv", "text/csv"),
        ("OCDS", anon, "/api/v1/ocds/releases", "json"),
        ("document", page, "/plans/%s/document" % R["plan"]["own"], "text/html"),
        ("OpenAPI", anon, "/api/v1/openapi.json", "json"),
    ]
    if cal_path:
        kinds.append(("iCalendar", anon, cal_path, "text/calendar"))
    else:
        FINDINGS.add(HDR, "GET /api/v1/me/calendar gave no url")
    seen = []
    for label, client, path, ctype in kinds:
        a = client.page(path) if client is page or client is anon else client.get(path)
        FINDINGS.probe(HDR)
        if a.status is None:
            continue
        got = a.headers.get("content-type", "")
        if ctype and ctype not in got:
            FINDINGS.add(HDR, "%s (GET %s): content-type %r, want %s (status %d)" % (label, path, got, ctype, a.status))
        if label == "redirect" and a.status not in (302, 303):
            FINDINGS.add(HDR, "GET /work signed out: %d, want a redirect to the login" % a.status)
        seen.append("%s %d" % (label, a.status))
    return {"kinds": len(seen)}


def secure_pass(base):
    """With security.secure_cookies every cookie is Secure (the harness
    checks each Set-Cookie while AUDIT.secure_cookies is on)."""
    anon = Client(base, "anonymous (secure)")
    n = 0
    for p in ("/login", "/register", "/organizations/register", "/password-reset", "/?lang=en"):
        Client(base, "anonymous (secure)").page(p)
        n += 1
    # requests keeps Secure cookies off plain HTTP: carry them by hand.
    c = Client(base, "organizer (secure)")
    r = c.page("/login")
    jar = "; ".join(v.split(";")[0] for v in r.resp.raw.headers.getlist("set-cookie"))
    m = re.search(r'name="csrf" value="([^"]+)"', r.text)
    FINDINGS.probe(HDR)
    login = c.s.post(base + "/login", data={"csrf": m.group(1) if m else "", "email": "organizer@sochaczew.example",
                                            "password": PASSWORD}, headers={"cookie": jar}, allow_redirects=False)
    AUDIT.check("POST", "/login", login)
    if login.status_code not in (302, 303) or not login.raw.headers.getlist("set-cookie"):
        FINDINGS.add(HDR, "sign-in on the secure-cookie server answered %d with no session cookie" % login.status_code)
    anon.page("/")
    return {"responses": n + 4}


# --- operations -----------------------------------------------------------------
def operations(world):
    """/metrics opens only to its configured token (no principal's session
    token, nothing near it) and never holds an id a scan put in a path;
    /api/v1/ready is public; a JSON body naming a key twice is 400 on every
    kind of route; an NGO's agreement assessment compares only its own
    agreements (staff see the other providers)."""
    U, R = world.users, world.records
    anon = Client(world.base, "anonymous")
    token = world.server.metrics_token
    n = 0
    tries = [(name, c.token) for name, c in U.items()] + [
        ("no token", None), ("a wrong token", "wrong-" + token), ("the token and more", token + "x"),
        ("the token cut short", token[:-1])]
    for who, tok in tries:
        a = anon.call("GET", "/metrics", token=tok, auth=tok is not None)
        FINDINGS.probe(OPS)
        n += 1
        if a.status != 401 or "cus_http" in a.text:
            FINDINGS.add(OPS, "GET /metrics with %s answered %s, want 401 and nothing shown" % (who, a.status))
    scanned = [fx.random_id() for _ in range(25)]
    for i in scanned:
        U["coordinator"].get("/api/v1/plans/" + i)
        anon.page("/plans/" + i + "/document")
    a = anon.call("GET", "/metrics", token=token)
    FINDINGS.probe(OPS)
    if a.status != 200 or "cus_http_requests_total" not in a.text:
        FINDINGS.add(OPS, "GET /metrics with its token answered %s: %s" % (a.status, short(a.text, 120)))
    else:
        ids = set(scanned)
        for kind in R.values():
            ids |= {v for v in kind.values() if isinstance(v, str) and len(v) >= 20}
        leaked = sorted(i for i in ids if i in a.text)
        if leaked:
            FINDINGS.add(OPS, "/metrics holds %d ids from request paths, e.g. %s" % (len(leaked), leaked[0]))
        if 'route="/metrics"' in a.text:
            FINDINGS.add(OPS, "refused scrapes of /metrics were counted")
        n += 1
    a = anon.get("/api/v1/ready")
    FINDINGS.probe(OPS)
    if a.status != 200 or (a.json() or {}).get("status") != "ready":
        FINDINGS.add(OPS, "GET /api/v1/ready answered %s %s" % (a.status, short(a.text, 120)))

    # Duplicated keys: refused before anything reads them, signed in or not.
    dupes = [
        (anon, "/api/v1/session", b'{"email":"organizer@sochaczew.example","email":"ngo@sochaczew.example",'
                                  b'"password":"demo-password-2026"}'),
        (U["admin"], "/api/v1/municipalities", b'{"teryt":"0201011","name":"A","name":"B"}'),
        (U["ngo"], "/api/v1/organizations/%s" % R["organization"]["own"],
         b'{"name":"Fundacja","extra":{"k":1,"k":2}}'),
    ]
    for client, path, raw in dupes:
        method = "PUT" if path.startswith("/api/v1/organizations/") else "POST"
        a = client.call(method, path, raw=raw, headers={"content-type": "application/json"})
        FINDINGS.probe(OPS)
        n += 1
        if a.status != 400:
            FINDINGS.add(OPS, "%s %s with a key named twice as %s: %s, want 400" % (method, path, client.name, a.status))

    # An NGO's agreement assessment: every peer is an agreement the NGO may
    # read, and no other provider's name reaches its page.
    ngo, org = U["ngo"], U["organizer"]
    own = R["agreement"]["own"]
    mine = ngo.get("/api/v1/agreements/%s/assessment" % own)
    staff = org.get("/api/v1/agreements/%s/assessment" % own)
    FINDINGS.probe(OPS)
    if mine.ok and staff.ok:
        own_ids = {p["agreement_id"] for p in (mine.json() or {}).get("peers", [])}
        for p in (mine.json() or {}).get("peers", []):
            FINDINGS.probe(OPS)
            if ngo.get("/api/v1/agreements/" + p["agreement_id"]).status != 200:
                FINDINGS.add(OPS, "the NGO's assessment of %s names another organization's agreement %s"
                             % (own, p["agreement_id"]))
        others = [p for p in (staff.json() or {}).get("peers", []) if p["agreement_id"] not in own_ids]
        page = Client(world.base, "ngo (page)")
        page.sign_in_page(ngo.me["email"])
        text = page.page("/agreements/%s/assessment" % own).text
        for p in others:
            FINDINGS.probe(OPS)
            if p["agreement_id"] in text or p["name"] in text:
                FINDINGS.add(OPS, "the NGO's assessment page shows another provider: %s" % p["name"])
        n += 1 + len(others)
    else:
        FINDINGS.add(OPS, "agreement assessment of %s: NGO %s, organizer %s" % (own, mine.status, staff.status))
    return {"probes": n}
