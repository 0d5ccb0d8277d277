"""cordon: run untrusted code under a cordon policy from Python.

A pure-Python binding over the ``cordon`` command's ``--json`` results::

    import cordon

    r = cordon.execute("print(6 * 7)", policy="default", timeout=30)
    if r.success:
        print(r.stdout)
    else:
        print(r.status, r.exit_code, r.limit, [str(f) for f in r.findings])

    verdict = cordon.check("import os; os.system('id')", policy="strict")

The binary is ``cordon_bin=``, else ``$CORDON``, else ``cordon`` on ``$PATH``.
With ``$CORDON_SOCKET`` or ``$CORDON_URL`` set, or through
``cordon.Executor(socket=...)`` / ``Executor(url=..., token=...)``, the same
calls go over HTTP to ``cordon serve`` and return the same Result.
"""

from ._client import *  # noqa: F401,F403 (the public names, listed in _client.__all__)
from ._client import TimeoutError  # noqa: A001,F401
from ._client import __all__ as _names

# cordon.TimeoutError (a subclass of the builtin) is not star-exported: after
# `from cordon import *`, `except TimeoutError` still means the builtin.
__all__ = [n for n in _names if n != "TimeoutError"]

__version__ = "0.1.0"
