"""Kernel launcher used inside the sandbox: apply resource limits, then start ipykernel.

Usage: ``python -m fairlab.grading._kernel MEMORY_BYTES FILE_BYTES -f CONNECTION_FILE``.
"""

from __future__ import annotations

import resource
import sys


def main(argv: list[str]) -> None:
    """Limit address space and file size, then hand over to ``ipykernel``."""
    memory, file_size, *rest = argv
    resource.setrlimit(resource.RLIMIT_AS, (int(memory), int(memory)))
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(file_size), int(file_size)))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    from ipykernel import kernelapp

    kernelapp.launch_new_instance(argv=rest)


if __name__ == "__main__":
    main(sys.argv[1:])
