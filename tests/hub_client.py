"""A class member on the hub, driven over HTTP the way a browser or a script would: log in with
the password on the hub's login form, ask the hub's REST API for a token and a server, then talk
to that server (jupyter-server's contents API, nbgrader's assignment_list endpoints)."""

import time

import requests

COURSE_ID = "backprop-by-hand"


class HubError(AssertionError):
    pass


class Member:
    def __init__(self, base, login, password, prefix="bp-"):
        self.base = base.rstrip("/")
        self.login = login
        self.password = password
        self.name = prefix + login
        self.web = requests.Session()
        self.token = None

    # -- the hub
    def log_in(self):
        """POST the login form; True when the hub let us in (a session cookie and a redirect)."""
        self.web.get(f"{self.base}/hub/login", timeout=30)
        xsrf = self.web.cookies.get("_xsrf", "")
        reply = self.web.post(f"{self.base}/hub/login?next=", timeout=60, allow_redirects=False,
                              data={"username": self.login, "password": self.password, "_xsrf": xsrf})
        return reply.status_code == 302 and any(c.name.startswith("jupyterhub-session")
                                                for c in self.web.cookies)

    def get_token(self):
        """A token for our own REST calls, asked of the hub with the logged-in session."""
        xsrf = self.web.cookies.get("_xsrf", "")
        reply = self.web.post(f"{self.base}/hub/api/users/{self.name}/tokens", timeout=30,
                              headers={"X-XSRFToken": xsrf}, json={"note": "class test", "expires_in": 3600})
        if reply.status_code != 201:
            raise HubError(f"{self.name}: token refused: {reply.status_code} {reply.text}")
        self.token = reply.json()["token"]
        return self.token

    def api(self, method, path, **kw):
        headers = {"Authorization": f"token {self.token}", **kw.pop("headers", {})}
        return requests.request(method, f"{self.base}{path}", headers=headers, timeout=kw.pop("timeout", 120), **kw)

    def start_server(self, wait=300):
        """Ask for the member's server and wait until the hub says it is ready. When nothing is
        running or starting (a spawn that failed, or a server the hub found dead after a restart and
        stopped), ask again, as a learner would press Start My Server again."""
        deadline = time.monotonic() + wait
        asked, said, server = None, "never asked", None
        while time.monotonic() < deadline:
            model = self.api("GET", f"/hub/api/users/{self.name}").json()
            server = model.get("servers", {}).get("")
            if server and server.get("ready"):
                return server
            if not server and (asked is None or time.monotonic() - asked > 10):
                reply = self.api("POST", f"/hub/api/users/{self.name}/server")
                if reply.status_code not in (201, 202, 400):  # 400: already running or pending
                    raise HubError(f"{self.name}: spawn refused: {reply.status_code} {reply.text}")
                asked, said = time.monotonic(), f"{reply.status_code} {reply.text[:300]}"
            time.sleep(0.5)
        raise HubError(f"{self.name}: server not ready after {wait} s (the hub's last answer to the "
                       f"spawn request: {said}; its last word on the server: {server})")

    # -- the member's own server
    def server(self, method, path, **kw):
        return self.api(method, f"/user/{self.name}{path}", **kw)

    def assignments(self):
        reply = self.server("GET", "/assignments", params={"course_id": COURSE_ID})
        reply.raise_for_status()
        body = reply.json()
        if not body.get("success"):
            raise HubError(f"{self.name}: nbgrader list failed: {body.get('value')}")
        return body["value"]

    def nbgrader(self, action, assignment):
        """fetch, submit or fetch_feedback through nbgrader's server extension."""
        reply = self.server("POST", f"/assignments/{action}",
                            data={"course_id": COURSE_ID, "assignment_id": assignment})
        reply.raise_for_status()
        body = reply.json()
        if isinstance(body, dict) and body.get("success") is False:
            raise HubError(f"{self.name}: nbgrader {action} failed: {body.get('value')}")
        return body

    def read(self, path, content_format=None):
        params = {"content": 1, **({"format": content_format} if content_format else {})}
        reply = self.server("GET", f"/api/contents/{path}", params=params)
        return reply

    def write_notebook(self, path, nb_json):
        reply = self.server("PUT", f"/api/contents/{path}", json={"type": "notebook", "content": nb_json})
        reply.raise_for_status()
        return reply.json()

    # -- a terminal of the member's own server, as JupyterLab's Terminal opens one
    def terminal(self, commands, timeout=600):
        """Run each command in a new terminal of the member's server (jupyter-server's terminals
        API and its websocket: the shell JupyterLab's Terminal starts, a login shell), one after
        the other; [(exit status, output)] for each. Stops at the first that exits non-zero."""
        import asyncio
        import json
        import re

        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        reply = self.server("POST", "/api/terminals")
        reply.raise_for_status()
        name = reply.json()["name"]
        url = f"{self.base.replace('http', 'ws', 1)}/user/{self.name}/terminals/websocket/{name}"
        ansi = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r")

        async def run():
            ws = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {self.token}"}))
            results = []
            try:
                for number, command in enumerate(commands):
                    # the marker as the shell prints it differs from the line as typed (echoed back)
                    marker = f"__done{number}__"
                    ws.write_message(json.dumps(["stdin", f"{command}; echo __done{number}\"\"__$?\r"]))
                    text, deadline = "", asyncio.get_running_loop().time() + timeout
                    while True:
                        left = deadline - asyncio.get_running_loop().time()
                        if left <= 0:
                            raise HubError(f"{self.name}: {command!r} did not finish in its terminal:\n{text[-3000:]}")
                        message = await asyncio.wait_for(ws.read_message(), left)
                        if message is None:
                            raise HubError(f"{self.name}: the terminal closed during {command!r}:\n{text[-3000:]}")
                        kind, *body = json.loads(message)
                        if kind == "stdout":
                            text += ansi.sub("", body[0])
                            found = re.search(re.escape(marker) + r"(\d+)", text)
                            if found:
                                results.append((int(found.group(1)), text[:found.start()]))
                                break
                    if results[-1][0]:
                        break
            finally:
                ws.close()
            return results

        try:
            return asyncio.run(run())
        finally:
            self.server("DELETE", f"/api/terminals/{name}")
