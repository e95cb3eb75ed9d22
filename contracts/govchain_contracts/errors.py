"""The contracts package's exceptions, one root for all of them.

::

    ContractsError
    ├── BuildError     the compiler is missing, failed, or reported errors (``build``)
    └── DeployError    a set-up transaction failed or the endpoint could not be used
                       (``deploy``; web3 errors are converted where web3 is called)
"""

from __future__ import annotations


class ContractsError(Exception):
    """Root of every error raised by :mod:`govchain_contracts`."""


class BuildError(ContractsError):
    """The compiler is missing, failed, or reported errors."""


class DeployError(ContractsError):
    """A set-up transaction failed or the endpoint could not be used."""
