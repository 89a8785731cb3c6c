"""lightlane from Python: the same engine as the command line, in this process.

    import lightlane
    ds = lightlane.run("scenarios/lane_200g_pam4.toml", overrides={"run.max_bits": 1e6})
    ds.ber.plot()

``run`` returns an ``xarray.Dataset`` with exactly the names, dimensions, coordinates, units and
attributes of the HDF5 file ``lightlane run`` writes (it is that file, made in memory unless
``output`` names one). ``validate`` returns the plan; ``stat_eye`` a statistical-mode run; ``load`` reads an
output file back.
Bad input raises ``lightlane.ScenarioError`` with the command line's message and its file, line
and key.
"""

from ._errors import RunInterrupted, ScenarioError
from ._api import backends, load, run, stat_eye, validate
from ._lightlane import __version__, git_revision

__all__ = ["run", "validate", "stat_eye", "load", "backends", "ScenarioError", "RunInterrupted",
           "__version__", "git_revision"]
