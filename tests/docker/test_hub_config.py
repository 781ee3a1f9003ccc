"""The hub configurations agree with each other and with the image, without starting anything."""

from __future__ import annotations

import re

import yaml
from traitlets.config import Config

from fairlab import paths

DOCKER = paths.repo_root() / "docker"
EXCHANGE_IN_IMAGE = re.search(r'Exchange.root = "([^"]+)"',
                              (DOCKER / "image" / "nbgrader_config.py").read_text())[1]


def _load_hub_config(monkeypatch, tmp_path, **env: str) -> Config:
    for key, value in {"FAIRLAB_HUB_DIR": str(tmp_path), "FAIRLAB_EXCHANGE": str(tmp_path / "x"),
                       **env}.items():
        monkeypatch.setenv(key, value)
    config = Config()
    source = (DOCKER / "jupyterhub_config.py").read_text()
    exec(compile(source, "jupyterhub_config.py", "exec"), {"get_config": lambda: config})
    return config


def test_single_host_hub_runs_learners_in_the_image_with_limits(monkeypatch, tmp_path):
    c = _load_hub_config(monkeypatch, tmp_path, FAIRLAB_HUB_INSTRUCTORS="alice,bob")
    assert c.JupyterHub.spawner_class == "dockerspawner.DockerSpawner"
    assert c.DockerSpawner.volumes[str(tmp_path / "x")] == EXCHANGE_IN_IMAGE
    assert (c.Spawner.mem_limit, c.Spawner.mem_guarantee, c.Spawner.cpu_limit) == ("2G", "1G", 1.0)
    assert "--ServerApp.shutdown_no_activity_timeout=3600" in c.Spawner.args
    assert "--MappingKernelManager.cull_idle_timeout=1200" in c.Spawner.args
    assert c.JupyterHub.load_groups["instructors"]["users"] == ["alice", "bob"]
    (service,) = c.JupyterHub.services
    assert service["cwd"] == str(paths.course_dir())
    (role,) = c.JupyterHub.load_roles
    assert f"access:services!service={service['name']}" in role["scopes"]
    assert (tmp_path / "x").stat().st_mode & 0o7777 == 0o1777


def test_local_hub_hides_the_instructor_tools_from_learners(monkeypatch, tmp_path):
    c = _load_hub_config(monkeypatch, tmp_path, FAIRLAB_HUB_SPAWNER="local")
    learner = tmp_path / "learner-jupyter"
    assert c.Spawner.environment["JUPYTER_CONFIG_PATH"] == str(learner)
    assert "formgrader\": false" in (learner / "jupyter_server_config.json").read_text()
    assert str(tmp_path / "x") in (learner / "nbgrader_config.py").read_text()


def test_kubernetes_values_match_the_image_and_the_benchmark_target():
    values = yaml.safe_load((DOCKER / "z2jh-values.yaml").read_text())
    user = values["singleuser"]
    assert (user["uid"], user["fsGid"]) == (1000, 100)
    assert (user["memory"]["guarantee"], user["memory"]["limit"]) == ("1G", "2G")
    assert user["cpu"]["limit"] == 1
    assert user["cmd"] == "/opt/fairlab/bin/start.sh"
    (mount,) = user["storage"]["extraVolumeMounts"]
    assert mount["mountPath"] == EXCHANGE_IN_IMAGE
    assert values["cull"]["enabled"] and values["prePuller"]["continuous"]["enabled"]
    assert values["scheduling"]["userPlaceholder"]["enabled"]
    culling = user["extraFiles"]["kernel-culling"]["data"]["MappingKernelManager"]
    assert culling["cull_idle_timeout"] > 0
