"""nbgrader configuration of the course directory ``autograder/`` (see README.md)."""

import os

from fairlab.labs import NOT_RELEASED

c = get_config()  # noqa: F821
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "fairlab"
c.CourseDirectory.ignore = NOT_RELEASED
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
c.Exchange.assignment_dir = "."
# To release into a JupyterHub exchange, uncomment (needs a shared, writable directory):
# c.Exchange.root = "/srv/nbgrader/exchange"
