"""nanoglue: chemo-mechanics of swelling anode nanoparticles and their ALD "nanoglue" coatings.

Library use::

    from nanoglue import load_case
    case = load_case("configs/paper-bare-interface.yaml")
    print(case.geometry.particle_radius)   # nm
"""

from importlib.metadata import PackageNotFoundError, version

from nanoglue.case_file import load_case
from nanoglue.config import Case
from nanoglue.errors import CaseError

try:
    __version__ = version("nanoglue")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = ["Case", "CaseError", "load_case", "__version__"]
