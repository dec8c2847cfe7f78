"""End-to-end check of the web app in headless Chromium, driven over the DevTools
protocol with the standard library only (a minimal WebSocket client).

usage: e2e.py BASE_URL OUTPUT_DIR UPLOAD_FILE
Against a running stack (`tributary up` with a short processing interval): starts the
generator (with invalid records, so the .dlq topics fill), submits an invalid and a valid
ingest form, a nested one (array items added and removed) and a change event, uploads a CSV with a refused row and a broken CSV, sees the records in a SQL
result after a batch, shows a SQL error, reads a commit's changes from the lake timeline,
opens the Kafka topics, message browser and a .dlq topic with its error reasons, the
consumer groups and the live dashboard (a chart updates), and checks every page for
labelled inputs and resources served by the app itself (no CDN). Saves a screenshot of
each page in OUTPUT_DIR, and phone-width ones. Prints one JSON line per step; exits
non-zero on the first failed check.
"""
import base64, json, os, re, shutil, socket, struct, subprocess, sys, tempfile, time, urllib.parse, urllib.request

if __name__ == "__main__":
    BASE, OUT, UPLOAD = sys.argv[1].rstrip("/"), sys.argv[2], sys.argv[3]
    os.makedirs(OUT, exist_ok=True)


class WebSocket:
    def __init__(self, url):
        m = re.match(r"ws://([^:/]+):(\d+)(/.*)", url)
        self.sock = socket.create_connection((m.group(1), int(m.group(2))), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {m.group(3)} HTTP/1.1\r\nHost: {m.group(1)}:{m.group(2)}\r\nUpgrade: websocket\r\n"
                           f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.sock.recv(1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError(head.decode(errors="replace"))

    def send(self, text):
        data = text.encode()
        mask = os.urandom(4)
        n = len(data)
        header = bytes([0x81]) + (bytes([0x80 | n]) if n < 126 else
                                  bytes([0x80 | 126]) + struct.pack(">H", n) if n < 65536 else
                                  bytes([0x80 | 127]) + struct.pack(">Q", n))
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(data)))

    def _exact(self, n):
        buf = b""
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise RuntimeError("DevTools connection closed")
            buf += chunk
        return buf

    def recv(self):
        message = b""
        while True:
            b0, b1 = self._exact(2)
            n = b1 & 0x7F
            if n == 126: n = struct.unpack(">H", self._exact(2))[0]
            elif n == 127: n = struct.unpack(">Q", self._exact(8))[0]
            payload = self._exact(n)
            message += payload
            if b0 & 0x80:
                return message.decode()


class Page:
    def __init__(self, ws):
        self.ws, self.next_id, self.events = ws, 0, []

    def call(self, method, **params):
        self.next_id += 1
        my_id = self.next_id
        self.ws.send(json.dumps({"id": my_id, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == my_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def wait_event(self, name, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for i, e in enumerate(self.events):
                if e.get("method") == name:
                    del self.events[: i + 1]
                    return e
            self.events.append(json.loads(self.ws.recv()))
        raise RuntimeError(f"timed out waiting for {name}")

    def js(self, expression):
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"script failed: {r['exceptionDetails']}")
        return r["result"].get("value")

    def navigate(self, path):
        self.events.clear()
        self.call("Page.navigate", url=BASE + path)
        self.wait_event("Page.loadEventFired")

    def submit_and_wait(self, form_selector):
        self.events.clear()
        self.js(f"document.querySelector({json.dumps(form_selector)}).requestSubmit(), true")
        self.wait_event("Page.loadEventFired")

    def wait_for(self, expression, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = self.js(expression)
            if value:
                return value
            time.sleep(0.2)
        raise RuntimeError(f"timed out waiting for {expression}")

    def screenshot(self, name):
        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"]
        path = os.path.join(OUT, name)
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))
        return path


def check(step, ok, detail=""):
    print(json.dumps({"step": step, "ok": bool(ok), "detail": detail}), flush=True)
    if not ok:
        sys.exit(1)


def page_checks(page, name):
    """Every page: labelled inputs, nothing loaded from another origin."""
    unlabelled = page.js("""[...document.querySelectorAll('input:not([type=hidden]), select, textarea')]
        .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.getAttribute('aria-labelledby'))
        .map(e => e.id || e.name)""")
    check(f"{name}: every input has a label", not unlabelled, unlabelled)
    foreign = page.js("performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith(location.origin) && !n.startsWith('data:'))")
    check(f"{name}: works offline (no outside resources)", not foreign, foreign)


def shot(page, name):
    page_checks(page, name)
    page.screenshot(name + ".png")


def press_ctrl_enter(page):
    for kind in ("rawKeyDown", "keyUp"):
        page.call("Input.dispatchKeyEvent", type=kind, modifiers=2, key="Enter", code="Enter", windowsVirtualKeyCode=13)


def type_sql(page, text):
    page.js("(() => { const t = document.querySelector('#sql-text'); t.focus(); t.select(); return true; })()")
    page.call("Input.insertText", text=text)


def main():
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    profile = tempfile.mkdtemp(prefix="tributary-chromium-")
    proc = subprocess.Popen([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                             "--remote-debugging-port=0", f"--user-data-dir={profile}", "--window-size=1280,900", "about:blank"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        port = None
        deadline = time.time() + 30
        while port is None and time.time() < deadline:
            line = proc.stderr.readline()
            m = re.search(r"DevTools listening on ws://127\.0\.0\.1:(\d+)/", line)
            if m: port = int(m.group(1))
        check("chromium started", port is not None)
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
        page_target = next(t for t in targets if t.get("type") == "page")
        page = Page(WebSocket(page_target["webSocketDebuggerUrl"]))
        page.call("Page.enable")
        page.call("Runtime.enable")

        # The generator: records (some invalid, dead-lettered by the processor) keep flowing.
        page.navigate("/generator")
        check("generator panel", page.js("!!document.querySelector('#g-start')"))
        page.js("""(() => { document.querySelectorAll('input[name=topics]').forEach(c => c.checked = ['transactions', 'log_events'].includes(c.value));
            document.querySelector('#g-rate').value = '20'; document.querySelector('#g-invalidRatio').value = '0.3';
            document.querySelector('#g-start').click(); return true; })()""")
        sent = page.wait_for("Number(document.querySelector('#g-total').textContent) > 0 && document.querySelector('#g-total').textContent")
        check("generator counts live", int(sent) > 0, f"{sent} sent")
        shot(page, "generator")

        # An invalid record: the validator's reason shows next to the field.
        page.navigate("/ingest/transactions")
        check("ingest form rendered", page.js("!!document.querySelector('#f-amount') && document.querySelectorAll('#f-status option').length == 5"))
        page.js("""(() => { const f = document.querySelector('form.ingest-form');
            f.user_id.value = 'user-e2e'; f.amount.value = '-5'; f.currency.value = 'EUR'; f.status.value = 'completed';
            f.noValidate = true; return true; })()""")
        page.submit_and_wait("form.ingest-form")
        error = page.js("(document.querySelector('#f-amount-error') || {}).textContent || ''")
        check("invalid form shows the validator's reason", "amount" in error, error)
        shot(page, "ingest-invalid")

        # Fix it: produced, with partition and offset.
        page.js("(() => { const f = document.querySelector('form.ingest-form'); f.amount.value = '19.99'; f.noValidate = true; return true; })()")
        page.submit_and_wait("form.ingest-form")
        result = page.js("(document.querySelector('#ingest-result') || {}).textContent || ''")
        check("valid form produced", "offset" in result, result)
        topic = page.js("document.querySelector('#ingest-result strong').textContent")
        shot(page, "ingest-valid")

        # A nested record (the orders stream): fieldsets for objects, item editors for arrays;
        # two items added, one removed (the rest renumbered), then the record on the topic.
        page.navigate("/ingest/orders")
        items = "document.querySelectorAll('[data-list=items] > fieldset > ol[data-items] > li')"
        check("nested form rendered", page.js(f"!!document.getElementById('f-customer.address.city') && {items}.length == 1"))
        page.js("""(() => { const add = document.querySelector('[data-list=items] [data-add-item]'); add.click(); add.click();
            document.querySelector('[data-list=tags] [data-add-item]').click(); return true; })()""")
        check("two item editors added", page.js(f"{items}.length") == 3)
        page.js("""(() => { const set = (n, v) => { document.getElementsByName(n)[0].value = v; };
            set('order_id', 'e2e-order'); set('line_no', '1'); set('amount', '12.50'); set('customer.name', 'Ada'); set('customer.address.city', 'Paris');
            set('items[0].sku', 'k1'); set('items[0].qty', '2'); set('items[1].sku', 'gone'); set('items[1].qty', '9');
            set('items[2].sku', 'k3'); set('items[2].qty', '3'); set('tags[0]', 'x'); set('tags[1]', 'y'); return true; })()""")
        page.js(f"{items}[1].querySelector('[data-remove-item]').click(), true")
        renumbered = page.js(f"[...{items}].map(li => li.querySelector('input').name + '=' + li.querySelector('input').value).join(',')")
        check("removing an item renumbers the others", renumbered == "items[0].sku=k1,items[1].sku=k3", renumbered)
        shot(page, "ingest-nested")
        page.js("document.querySelector('form.ingest-form').noValidate = true, true")
        page.submit_and_wait("form.ingest-form")
        result = page.js("(document.querySelector('#ingest-result') || {}).textContent || (document.querySelector('#ingest-error') || {}).textContent || ''")
        check("nested record produced", "offset" in result, result)
        record = page.wait_for("""fetch('/api/kafka/topics/shop.orders/messages').then(r => r.json()).then(ms => {
            const m = ms.map(m => JSON.parse(m.value)).find(v => v.order_id == 'e2e-order');
            return m ? JSON.stringify({customer: m.customer, items: m.items, tags: m.tags}) : ''; })""", timeout=15)
        expected = {"customer": {"name": "Ada", "address": {"city": "Paris"}}, "items": [{"sku": "k1", "qty": 2}, {"sku": "k3", "qty": 3}], "tags": ["x", "y"]}
        check("the record on the topic is nested as the form", json.loads(record) == expected, record)

        # A change event (the debezium customers stream): the operation picks the parts it uses.
        page.navigate("/ingest/customers")
        parts = "[...document.querySelectorAll('[data-ops]')].map(p => p.hidden || p.querySelector('fieldset').disabled ? '-' : '+').join('')"
        choose = "(op => { const s = document.getElementById('f-op'); s.value = op; s.dispatchEvent(new Event('change')); return true; })"
        check("an insert edits after", page.js(parts) == "+-", page.js(parts))
        page.js(f"{choose}('d')")
        check("a delete edits before's key", page.js(parts) == "-+", page.js(parts))
        page.js(f"{choose}('c')")
        page.js("""(() => { const set = (n, v) => { document.getElementsByName(n)[0].value = v; };
            set('after.id', '4242'); set('after.name', 'E2E'); set('after.region', 'eu'); return true; })()""")
        shot(page, "ingest-change-event")
        page.submit_and_wait("form.ingest-form")
        result = page.js("(document.querySelector('#ingest-result') || {}).textContent || (document.querySelector('#ingest-error') || {}).textContent || ''")
        check("change event produced with its key", "offset" in result and '{"id":4242}' in result, result)

        # Bulk upload of a CSV with a refused row: progress, then the per-row report.
        def upload(path):
            page.navigate("/upload")
            page.js("document.querySelector('#u-topic').value = 'transactions', true")
            doc = page.call("DOM.getDocument")
            node = page.call("DOM.querySelector", nodeId=doc["root"]["nodeId"], selector="#u-file")
            page.call("DOM.setFileInputFiles", nodeId=node["nodeId"], files=[os.path.abspath(path)])
            page.js("document.querySelector('#upload-form').requestSubmit(), true")
            return page.wait_for("(document.querySelector('#upload-result') || {}).textContent || ''")
        report = upload(UPLOAD)
        check("upload reported", "produced" in report and "refused" in report, report)
        check("upload lists the refused row", page.js("document.querySelectorAll('#upload-errors tbody tr').length") >= 1)
        shot(page, "upload")
        broken = os.path.join(tempfile.mkdtemp(prefix="tributary-e2e-"), "broken.csv")
        with open(broken, "w") as f:
            f.write('transaction_id,user_id,amount,currency,status,timestamp\nb-1,u-9,"5.00,EUR,completed,2026-11-26T10:00:00Z\n')
        report = upload(broken)
        check("a broken CSV gets a clear message", "quoted field" in report, report)
        shot(page, "upload-broken")
        huge = os.path.join(os.path.dirname(broken), "huge.csv")
        with open(huge, "wb") as f:
            f.truncate(200 * 1024 * 1024)  # sparse: 200 MB without writing them
        report = upload(huge)
        check("a 200 MB upload gets a clear message", "limit" in report and "MiB" in report, report)

        # The records in a SQL result after a batch (the processor commits every second).
        sql = "SELECT transaction_id, user_id, amount, currency, status FROM transactions WHERE user_id IN ('user-e2e', 'u-1') ORDER BY user_id"
        page.navigate("/sql?sql=" + urllib.parse.quote(sql))
        rows = 0
        deadline = time.time() + 60
        while time.time() < deadline:
            page.wait_for("!/Running/.test(document.querySelector('#sql-status').textContent) && (document.querySelector('#sql-status').textContent || document.querySelector('#sql-error').textContent)")
            rows = page.js("document.querySelectorAll('#sql-result tbody tr').length")
            if rows >= 2:
                break
            time.sleep(1)
            page.js("document.querySelector('#sql-run').click(), true")
            time.sleep(0.3)
        users = page.js("[...document.querySelectorAll('#sql-result tbody tr')].map(r => r.children[1].textContent)")
        check("the form's and the upload's records are in the lake", "user-e2e" in users and "u-1" in users, users)
        check("result shows column types", page.js("[...document.querySelectorAll('#sql-result .col-type')].map(e => e.textContent).includes('VARCHAR')"))
        check("query history kept", page.js("document.querySelectorAll('#sql-history li').length") >= 1)
        shot(page, "sql-result")

        # Downloads: the result as CSV and as JSON.
        downloads = tempfile.mkdtemp(prefix="tributary-downloads-")
        page.call("Page.setDownloadBehavior", behavior="allow", downloadPath=downloads)
        for button, name in [("#sql-csv", "query.csv"), ("#sql-json", "query.json")]:
            page.js(f"document.querySelector({json.dumps(button)}).click(), true")
            path = os.path.join(downloads, name)
            deadline = time.time() + 15
            while not (os.path.exists(path) and os.path.getsize(path) > 0) and time.time() < deadline:
                time.sleep(0.2)
            text = open(path).read() if os.path.exists(path) else ""
            check(f"download {name}", "user-e2e" in text and ("transaction_id,user_id" in text or '"transaction_id"' in text), text[:200])
        shutil.rmtree(downloads, ignore_errors=True)

        # A SQL error, run from the keyboard (Ctrl-Enter): DuckDB's message in the page.
        type_sql(page, "SELEC * FROM transactions")
        press_ctrl_enter(page)
        message = page.wait_for("(document.querySelector('#sql-error-message') || {}).textContent || ''")
        check("SQL error shows DuckDB's message", "syntax error" in message.lower(), message)
        type_sql(page, "COPY transactions TO '/tmp/x.csv'")
        press_ctrl_enter(page)
        refused = page.wait_for("((document.querySelector('#sql-error-message') || {}).textContent || '').includes('Refused') && document.querySelector('#sql-error-message').textContent")
        check("refused statement explained", "COPY" in refused, refused)
        shot(page, "sql-error")

        # The lake: tables, then one table's timeline; a commit's changes in the SQL page.
        page.navigate("/lake")
        check("lake lists tables", page.js("document.querySelectorAll('#lake-tables tbody tr').length") >= 1)
        shot(page, "lake")
        page.navigate("/lake/transactions")
        commits = page.js("document.querySelectorAll('#timeline tbody tr.commit').length")
        check("timeline lists commits", commits >= 1, f"{commits} commit(s)")
        checkpoint = page.js("document.querySelector('#timeline tbody tr.commit[data-state=completed] td:nth-child(10)').textContent")
        check("commits carry the Kafka checkpoint", "transactions" in checkpoint, checkpoint)
        shot(page, "lake-table")
        href = page.js("[...document.querySelectorAll('#timeline a')].find(a => a.textContent == 'changes').getAttribute('href')")
        page.navigate(href)
        status = page.wait_for("/row/.test(document.querySelector('#sql-status').textContent) && document.querySelector('#sql-status').textContent")
        check("what changed in a commit", "changes after" in status, status)
        shot(page, "sql-changes")
        asof = page.js("document.querySelector('#sql-asof option:nth-child(2)').value")
        page.navigate("/sql?sql=" + urllib.parse.quote("SELECT count(*) AS n FROM transactions") + "&as_of=" + asof)
        status = page.wait_for("/row/.test(document.querySelector('#sql-status').textContent) && document.querySelector('#sql-status').textContent")
        check("time travel to a commit", "as of " + asof in status, status)

        # The Kafka UI: topics, then the message browser showing the form's record.
        page.navigate("/kafka")
        check("topic list", page.js("document.querySelectorAll('#topics tbody tr').length") >= 1)
        retention = page.js(f"document.querySelector('tr[data-topic={json.dumps(topic)}] td:nth-child(5)').textContent")
        check("topic retention shown", retention != "", retention)
        page.wait_for("/refreshed/.test(document.querySelector('#topics-refreshed').textContent)", timeout=15)
        shot(page, "kafka-topics")
        page.navigate(f"/kafka/topics/{topic}?key=tr-")
        count = page.js("document.querySelectorAll('#messages article.message').length")
        check("message browser shows messages", count >= 1, f"{count} message(s) in {topic}")
        check("topic page links its lake table", page.js(f"!!document.querySelector('a[href=\"/lake/{topic}\"]')"))
        shot(page, "kafka-messages")
        dlq = topic + ".dlq"
        deadline = time.time() + 30
        reasons = 0
        while reasons == 0 and time.time() < deadline:
            page.navigate(f"/kafka/topics/{dlq}")
            reasons = page.js("document.querySelectorAll('#dlq-reasons tbody tr').length")
            if reasons == 0: time.sleep(1)
        check("dead-letter topic shows its error reasons", reasons >= 1, f"{reasons} reason(s)")
        shot(page, "kafka-dlq")
        page.navigate("/kafka/groups")
        check("consumer groups", page.js("document.body.textContent.includes('tributary-processor')"))
        shot(page, "kafka-groups")

        # The dashboard: charts update from server-sent events, no reload.
        page.navigate("/dashboard")
        updates = page.wait_for("Number(document.querySelector('#dash-updates').textContent) >= 2 && document.querySelector('#dash-updates').textContent", timeout=30)
        drawn = page.js("Number(document.querySelector('#chart-in').dataset.points || 0)")
        check("dashboard charts update live", int(updates) >= 2 and drawn > 0, f"{updates} updates, {drawn} points")
        check("alerts panel", page.js("document.querySelector('#dash-alerts').textContent.length > 0"))
        time.sleep(1)
        shot(page, "dashboard")

        # The alerts panel with rules in the monitoring module's format (GET /api/alerts
        # answered by a stub, so this runs whether that route is there or not).
        stub = page.call("Page.addScriptToEvaluateOnNewDocument", source="""(() => { const real = window.fetch;
            window.fetch = (url, opts) => String(url).includes('/api/alerts') ? Promise.resolve(new Response(JSON.stringify({evaluatedAt: 1,
              alerts: [{name: 'DeadLetterRateHigh', severity: 'warning', summary: 't', expression: 'rate(x[1m]) > 1', threshold: 1, forSeconds: 0, state: 'firing',
                        values: [{labels: {topic: 'transactions'}, value: 2.5, state: 'firing', activeSince: 1, summary: 'transactions dead-letters 2.5/s'}]},
                       {name: 'ConsumerLagHigh', severity: 'critical', summary: 'lag', expression: 'lag > 1e5', threshold: 100000, forSeconds: 60, state: 'inactive', values: []}]}),
              {status: 200, headers: {'Content-Type': 'application/json'}})) : real(url, opts); })()""")
        page.navigate("/dashboard")
        firing = page.wait_for("(document.querySelector('#alerts-list') || {}).textContent || ''", timeout=15)
        check("alerts panel shows firing rules first", firing.startswith("firing") and "transactions dead-letters 2.5/s" in firing, firing)
        page.screenshot("dashboard-alerts.png")
        page.call("Page.removeScriptToEvaluateOnNewDocument", identifier=stub["identifier"])

        page.navigate("/generator")
        page.js("document.querySelector('#g-stop').click(), true")
        state = page.wait_for("document.querySelector('#g-state').textContent == 'stopped' && 'stopped'")
        check("generator stops", state == "stopped")

        # A phone: pages fit the width (no sideways scrolling).
        page.call("Emulation.setDeviceMetricsOverride", width=390, height=844, deviceScaleFactor=2, mobile=True)
        for path, name in [("/ingest/user_events", "ingest-phone"), ("/sql?sql=SELECT%201", "sql-phone"), ("/dashboard", "dashboard-phone"),
                           ("/lake/transactions", "lake-phone"), (f"/kafka/topics/{dlq}", "kafka-dlq-phone")]:
            page.navigate(path)
            time.sleep(0.5)
            fits = page.js("document.documentElement.scrollWidth <= window.innerWidth + 1")
            check(f"{path} fits a phone screen", fits, page.js("document.documentElement.scrollWidth + ' > ' + window.innerWidth"))
            page.screenshot(name + ".png")
    finally:
        proc.kill()
        proc.wait()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
