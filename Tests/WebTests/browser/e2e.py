"""End-to-end check of the web app in headless Chromium, driven over the DevTools
protocol with the standard library only (a minimal WebSocket client).

usage: e2e.py BASE_URL OUTPUT_DIR UPLOAD_FILE
Submits an invalid and a valid ingest form, uploads a CSV with a broken row, opens the
Kafka topic list and message browser, and saves a screenshot of each page in OUTPUT_DIR.
Prints one JSON line per step; exits non-zero on the first failed check.
"""
import base64, json, os, re, shutil, socket, struct, subprocess, sys, tempfile, time, urllib.request

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

        # An invalid record: the validator's reason shows next to the field.
        page.navigate("/ingest/transactions")
        check("ingest form rendered", page.js("!!document.querySelector('#f-amount') && document.querySelectorAll('#f-status option').length == 5"))
        page.js("""(() => { const f = document.querySelector('form.ingest-form');
            f.user_id.value = 'user-e2e'; f.amount.value = '-5'; f.currency.value = 'EUR'; f.status.value = 'completed';
            f.noValidate = true; return true; })()""")
        page.submit_and_wait("form.ingest-form")
        error = page.js("(document.querySelector('#f-amount-error') || {}).textContent || ''")
        check("invalid form shows the validator's reason", "amount" in error, error)
        page.screenshot("ingest-invalid.png")

        # Fix it: produced, with partition and offset.
        page.js("(() => { const f = document.querySelector('form.ingest-form'); f.amount.value = '19.99'; f.noValidate = true; return true; })()")
        page.submit_and_wait("form.ingest-form")
        result = page.js("(document.querySelector('#ingest-result') || {}).textContent || ''")
        check("valid form produced", "offset" in result, result)
        # The app's topic (tests rename topics; the shared broker holds other tests' too).
        topic = page.js("document.querySelector('#ingest-result strong').textContent")
        page.screenshot("ingest-valid.png")

        # Bulk upload of a CSV with a broken row: progress, then the per-row report.
        page.navigate("/upload")
        page.js("document.querySelector('#u-topic').value = 'transactions', true")
        doc = page.call("DOM.getDocument")
        node = page.call("DOM.querySelector", nodeId=doc["root"]["nodeId"], selector="#u-file")
        page.call("DOM.setFileInputFiles", nodeId=node["nodeId"], files=[os.path.abspath(UPLOAD)])
        page.js("document.querySelector('#upload-form').requestSubmit(), true")
        report = page.wait_for("(document.querySelector('#upload-result') || {}).textContent || ''")
        check("upload reported", "produced" in report and "refused" in report, report)
        check("upload lists the broken row", page.js("document.querySelectorAll('#upload-errors tbody tr').length") >= 1)
        page.screenshot("upload.png")

        # The Kafka UI: topics, then the message browser showing the form's record.
        page.navigate("/kafka")
        check("topic list", page.js("document.querySelectorAll('#topics tbody tr').length") >= 1)
        page.screenshot("kafka-topics.png")
        check("topic listed", page.js(f"[...document.querySelectorAll('#topics tbody a')].some(a => a.textContent == {json.dumps(topic)})"), topic)
        page.navigate(f"/kafka/topics/{topic}?key=tr-")
        count = page.js("document.querySelectorAll('#messages article.message').length")
        check("message browser shows messages", count >= 1, f"{count} message(s) in {topic}")
        page.screenshot("kafka-messages.png")

        page.navigate("/generator")
        check("generator panel", page.js("!!document.querySelector('#g-start')"))
        page.js("""(() => { document.querySelectorAll('input[name=topics]').forEach(c => c.checked = c.value == 'log_events');
            document.querySelector('#g-rate').value = '50'; document.querySelector('#g-start').click(); return true; })()""")
        sent = page.wait_for("Number(document.querySelector('#g-total').textContent) > 0 && document.querySelector('#g-total').textContent")
        check("generator counts live", int(sent) > 0, f"{sent} sent")
        page.screenshot("generator.png")
        page.js("document.querySelector('#g-stop').click(), true")
        state = page.wait_for("document.querySelector('#g-state').textContent == 'stopped' && 'stopped'")
        check("generator stops", state == "stopped")

        # A phone: the form fits the width (no sideways scrolling).
        page.call("Emulation.setDeviceMetricsOverride", width=390, height=844, deviceScaleFactor=2, mobile=True)
        page.navigate("/ingest/user_events")
        fits = page.js("document.documentElement.scrollWidth <= window.innerWidth + 1")
        check("ingest form fits a phone screen", fits, page.js("document.documentElement.scrollWidth + ' > ' + window.innerWidth"))
        page.screenshot("ingest-phone.png")
    finally:
        proc.kill()
        proc.wait()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
