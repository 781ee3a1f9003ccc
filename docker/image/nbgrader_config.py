"""nbgrader in the course image: one course, one exchange shared by every learner's server.

The exchange is a directory on shared storage mounted at /srv/nbgrader/exchange (a host
directory on a single-host hub, a ReadWriteMany volume on Kubernetes: see docker/README.md).
"""

c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "fairlab"
c.Exchange.root = "/srv/nbgrader/exchange"
