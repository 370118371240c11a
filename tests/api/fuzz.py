"""Runs schemathesis against a running Commissioner: once as a signed-in administrator
(session cookie and CSRF header, so writes are tried too) and once with a provider's API
token. Fails if any request gets a server error (5xx).

Usage: python fuzz.py BASE_URL TOKEN MAX_EXAMPLES   (run by `cargo xtask api-fuzz`)
"""
import re
import subprocess
import sys

import requests

base, token, max_examples = sys.argv[1], sys.argv[2], sys.argv[3]
schema = f"{base}/api/v1/openapi.json"

# Sign in as the demo administrator the way a browser does.
session = requests.Session()
page = session.get(f"{base}/sign-in").text
csrf = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', page).group(1)
reply = session.post(
    f"{base}/sign-in",
    data={"csrf_token": csrf, "email": "admin@demo.commissioner.test", "password": "commissioner-demo"},
    allow_redirects=False,
)
assert reply.status_code == 303, f"sign-in failed: {reply.status_code}"
cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
profile = session.get(f"{base}/profile").text
session_csrf = re.search(r'name="csrf_token" value="([0-9a-f]{64})"', profile).group(1)

runs = {
    "administrator session": ["-H", f"Cookie: {cookie}", "-H", f"X-CSRF-Token: {session_csrf}"],
    "provider token": ["-H", f"Authorization: Bearer {token}"],
}
failed = []
for name, headers in runs.items():
    print(f"== schemathesis as {name}", flush=True)
    command = [sys.executable, "-m", "schemathesis.cli", "run", schema, "--checks", "not_a_server_error",
               "--max-examples", max_examples, "--no-color", *headers]
    if subprocess.run(command).returncode != 0:
        failed.append(name)
if failed:
    sys.exit(f"schemathesis found server errors as: {', '.join(failed)}")
print("schemathesis: no server errors")
