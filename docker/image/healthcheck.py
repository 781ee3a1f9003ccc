"""HEALTHCHECK of the course image: the Jupyter server answers its REST API."""

import os
import sys
import urllib.request

prefix = os.environ.get("JUPYTERHUB_SERVICE_PREFIX", "/")
try:
    with urllib.request.urlopen(f"http://127.0.0.1:8888{prefix}api", timeout=5) as response:
        sys.exit(0 if response.status == 200 else 1)
except OSError:
    sys.exit(1)
