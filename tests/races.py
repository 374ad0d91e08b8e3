"""Two requests racing on one step, each from its own thread and database connection."""

import threading

from django.db import connection
from rest_framework.test import APIClient


def decide_twice(user, url, body):
    """POST `body` to `url` twice at once as `user`: [(status, code)] sorted by status."""
    barrier = threading.Barrier(2)
    results = []

    def worker():
        client = APIClient()
        client.force_authenticate(user)
        try:
            barrier.wait()
            response = client.post(url, body, format="json")
            results.append((response.status_code, response.json().get("code")))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(results, key=lambda r: r[0])
