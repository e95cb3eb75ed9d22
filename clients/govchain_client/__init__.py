"""govchain client: the Python SDK, the ``govchain`` CLI and the IoT bridge.

Installable without the node's or the notary's dependencies (``pip install ./core
./clients``); it talks to a notary over HTTP and to any consortium node over JSON-RPC.
"""

from govchain_core import __version__

__all__ = ["__version__"]
