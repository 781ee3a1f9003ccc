#!/bin/sh
# Entry point of the course image: seed the learner's home, then start Jupyter.
# Under JupyterHub (JUPYTERHUB_API_TOKEN is set) this is jupyterhub-singleuser; alone, JupyterLab.
set -eu
# Self-paced copies of the labs, once: the learner's edits are never overwritten.
[ -e "$HOME/labs" ] || cp -R /opt/fairlab/labs "$HOME/labs"
# Slides, handouts and rubrics: read-only, shared by every learner, linked from the home.
for shared in slides rubrics; do
  [ -e "$HOME/$shared" ] || ln -s "/opt/fairlab/$shared" "$HOME/$shared"
done
# Instructor image: a course directory in the (persistent) home, its source/ from solutions/.
if [ -d /opt/fairlab/course-template ] && [ ! -e "$FAIRLAB_COURSE" ]; then
  cp -R /opt/fairlab/course-template "$FAIRLAB_COURSE"
  fairlab grade init "$FAIRLAB_COURSE"
fi
if [ -n "${JUPYTERHUB_API_TOKEN:-}" ]; then
  exec jupyterhub-singleuser "$@"
fi
exec jupyter lab --ServerApp.ip=0.0.0.0 --ServerApp.port=8888 --no-browser "$@"
