"""JupyterHub for one host (a cohort of up to about 100): ``jupyterhub -f docker/jupyterhub_config.py``.

Everything is set by environment variables (defaults in brackets); docker/README.md explains them.

- ``FAIRLAB_HUB_SPAWNER`` [docker]: ``docker`` runs each learner in the course image with
  enforced memory and CPU limits (needs ``dockerspawner``); ``local`` runs each learner as a
  process of this course environment with a home under ``FAIRLAB_HUB_DIR/homes`` — no isolation
  between learners, for a trusted workshop machine, the end-to-end test and the benchmark.
- ``FAIRLAB_HUB_AUTHENTICATOR`` [pam]: ``pam``, ``shared-password`` (a workshop password
  ``FAIRLAB_HUB_PASSWORD`` for learners and ``FAIRLAB_HUB_ADMIN_PASSWORD``, 32 characters or
  more, for instructors) or any authenticator class, e.g.
  ``oauthenticator.generic.GenericOAuthenticator`` (then configure it in ``jupyterhub_config.d``).
- ``FAIRLAB_HUB_INSTRUCTORS`` []: comma-separated user names that may open the formgrader service.
- ``FAIRLAB_HUB_URL`` [http://:8000], ``FAIRLAB_HUB_DIR`` [current directory]: where the hub
  listens and keeps its database, cookie secret and generated configuration;
  ``FAIRLAB_HUB_API_PORT`` [8081] and ``FAIRLAB_HUB_GRADER_PORT`` [9999]: its internal ports.
- ``FAIRLAB_HUB_MEM_LIMIT`` [2G], ``FAIRLAB_HUB_MEM_GUARANTEE`` [1G], ``FAIRLAB_HUB_CPU_LIMIT`` [1]:
  per learner (server and kernels); see the measurements in docker/README.md.
- ``FAIRLAB_HUB_IDLE_SECONDS`` [3600], ``FAIRLAB_HUB_KERNEL_IDLE_SECONDS`` [1200]: an idle
  kernel is shut down, and a server without activity stops itself (both culled in the server,
  so no extra hub service is needed).
- ``FAIRLAB_EXCHANGE`` [/srv/nbgrader/exchange]: the nbgrader exchange on this host.
- ``FAIRLAB_COURSE`` [autograder/]: the instructors' course directory, served by formgrader at
  ``/services/fairlab-grader/`` and graded with ``fairlab grade``.
- ``FAIRLAB_HUB_IMAGE`` [fairlab:0.1.0], ``FAIRLAB_HUB_CONNECT_IP`` [172.17.0.1]: docker spawner only.
"""

import json
import os
import sys
from pathlib import Path

from fairlab import paths

c = get_config()  # noqa: F821
env = os.environ.get

hub_dir = Path(env("FAIRLAB_HUB_DIR", os.getcwd())).resolve()
exchange = Path(env("FAIRLAB_EXCHANGE", "/srv/nbgrader/exchange"))
course = paths.course_dir()
spawner = env("FAIRLAB_HUB_SPAWNER", "docker")
instructors = {u for u in env("FAIRLAB_HUB_INSTRUCTORS", "").split(",") if u}
as_root = os.geteuid() == 0

# --- The hub ------------------------------------------------------------------------------
c.JupyterHub.bind_url = env("FAIRLAB_HUB_URL", "http://:8000")
c.JupyterHub.hub_port = int(env("FAIRLAB_HUB_API_PORT", "8081"))
c.JupyterHub.db_url = f"sqlite:///{hub_dir / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(hub_dir / "jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.pid_file = str(hub_dir / "jupyterhub-proxy.pid")
c.JupyterHub.load_groups = {"instructors": {"users": sorted(instructors)}}

# --- Who logs in ----------------------------------------------------------------------------
authenticator = env("FAIRLAB_HUB_AUTHENTICATOR", "pam")
c.JupyterHub.authenticator_class = authenticator
if authenticator == "shared-password":
    c.SharedPasswordAuthenticator.user_password = os.environ["FAIRLAB_HUB_PASSWORD"]
    c.SharedPasswordAuthenticator.admin_password = os.environ["FAIRLAB_HUB_ADMIN_PASSWORD"]
c.Authenticator.allow_all = True
c.Authenticator.admin_users = instructors

# --- Each learner's server ---------------------------------------------------------------------
c.Spawner.default_url = "/lab"
c.Spawner.mem_limit = env("FAIRLAB_HUB_MEM_LIMIT", "2G")
c.Spawner.mem_guarantee = env("FAIRLAB_HUB_MEM_GUARANTEE", "1G")
c.Spawner.cpu_limit = float(env("FAIRLAB_HUB_CPU_LIMIT", "1"))
c.Spawner.http_timeout = 120
c.Spawner.start_timeout = 300
c.Spawner.args = [
    f"--ServerApp.shutdown_no_activity_timeout={env('FAIRLAB_HUB_IDLE_SECONDS', '3600')}",
    f"--MappingKernelManager.cull_idle_timeout={env('FAIRLAB_HUB_KERNEL_IDLE_SECONDS', '1200')}",
    "--MappingKernelManager.cull_interval=120",
    "--MappingKernelManager.cull_connected=True",
]

if spawner == "docker":
    c.JupyterHub.spawner_class = "dockerspawner.DockerSpawner"
    c.JupyterHub.hub_ip = "0.0.0.0"
    c.JupyterHub.hub_connect_ip = env("FAIRLAB_HUB_CONNECT_IP", "172.17.0.1")
    c.DockerSpawner.image = env("FAIRLAB_HUB_IMAGE", "fairlab:0.1.0")
    c.DockerSpawner.remove = True
    c.DockerSpawner.notebook_dir = "/home/jovyan"
    c.DockerSpawner.volumes = {"fairlab-home-{username}": "/home/jovyan",
                               str(exchange): "/srv/nbgrader/exchange"}
elif spawner == "local":
    # The learners' Jupyter configuration: this course and exchange, no instructor tools.
    learner_config = hub_dir / "learner-jupyter"
    (learner_config / "labconfig").mkdir(parents=True, exist_ok=True)
    (learner_config / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa: F821\n"
        "c.CourseDirectory.course_id = 'fairlab'\n"
        f"c.Exchange.root = {str(exchange)!r}\n")
    (learner_config / "jupyter_server_config.json").write_text(json.dumps({"ServerApp": {
        "jpserver_extensions": {"nbgrader.server_extensions.formgrader": False,
                                "nbgrader.server_extensions.course_list": False}}}))
    (learner_config / "labconfig" / "page_config.json").write_text(json.dumps({
        "disabledExtensions": {f"@jupyter/nbgrader:{name}": True
                               for name in ("formgrader", "create-assignment", "course-list")}}))
    c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"
    c.SimpleLocalProcessSpawner.home_dir_template = str(hub_dir / "homes" / "{username}")
    c.Spawner.cmd = [str(Path(sys.executable).parent / "jupyterhub-singleuser")]
    c.Spawner.environment = {"JUPYTER_CONFIG_PATH": str(learner_config),
                             "FAIRLAB_DATA": str(paths.data_dir()),
                             "FAIRLAB_DATASETS": str(paths.datasets_dir()),
                             "FAIRLAB_LABS": str(paths.labs_dir())}
    if as_root:
        c.Spawner.args.append("--ServerApp.allow_root=True")
else:
    raise ValueError(f"FAIRLAB_HUB_SPAWNER={spawner!r}: choose docker or local")

# --- The nbgrader exchange on this host ------------------------------------------------------------
exchange.mkdir(parents=True, exist_ok=True)
exchange.chmod(0o1777)

# --- Formgrader: the course directory served to instructors as a hub service ----------------------
grader_port = int(env("FAIRLAB_HUB_GRADER_PORT", "9999"))
c.JupyterHub.services = [{
    "name": "fairlab-grader",
    "url": f"http://127.0.0.1:{grader_port}",
    "cwd": str(course),
    "command": [str(Path(sys.executable).parent / "jupyterhub-singleuser"),
                f"--ServerApp.root_dir={course}", "--ServerApp.default_url=/formgrader",
                *(["--ServerApp.allow_root=True"] if as_root else [])],
    "environment": {"FAIRLAB_COURSE": str(course), "PATH": os.environ.get("PATH", "")},
    "oauth_no_confirm": True,
}]
c.JupyterHub.load_roles = [{
    "name": "fairlab-instructor",
    "groups": ["instructors"],
    "scopes": ["access:services!service=fairlab-grader", "admin-ui", "list:users",
               "admin:servers"],
}]
