"""The binding's own PEP 517 build backend: standard library only.

``pip install contrib/python`` builds in an isolated environment into which
it installs the backend's requirements from an index; with no requirement
(``requires = []``) and this backend in the tree (``backend-path``), nothing
is fetched, so the install works offline in a fresh venv and needs neither
setuptools nor wheel.  The package is pure Python: a wheel is a zip of
``cordon/`` plus the ``.dist-info`` metadata (PEP 427, core metadata 2.1),
written reproducibly (fixed timestamps, sorted entries).

Hooks: build_wheel, build_sdist, build_editable (PEP 660: a .pth naming this
directory), prepare_metadata_for_build_wheel/_editable, and the
get_requires_* hooks, which ask for nothing.
"""

import base64
import hashlib
import io
import os
import re
import tarfile
import zipfile

NAME = "cordon"
HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # contrib/python
SUMMARY = "Run untrusted code under a cordon policy: a binding over the cordon command's --json results"
TAG = "py3-none-any"
EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest zip time: a reproducible wheel


def _version():
    with open(os.path.join(HERE, NAME, "__init__.py"), encoding="utf-8") as f:
        m = re.search(r'^__version__ = "([^"]+)"$', f.read(), re.M)
    if not m:
        raise RuntimeError("cordon/__init__.py: no __version__ line")
    return m.group(1)


def _metadata():
    with open(os.path.join(HERE, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    head = ["Metadata-Version: 2.1", "Name: " + NAME, "Version: " + _version(), "Summary: " + SUMMARY,
            "Requires-Python: >=3.9", "Classifier: Programming Language :: Python :: 3",
            "Classifier: Operating System :: POSIX :: Linux", "Classifier: Topic :: Security",
            "Description-Content-Type: text/markdown"]
    return ("\n".join(head) + "\n\n" + readme).encode("utf-8")


def _package_files():
    """(archive name, bytes) of the package, sorted."""
    out = []
    pkg = os.path.join(HERE, NAME)
    for name in sorted(os.listdir(pkg)):
        if name.endswith(".py") or name == "py.typed":
            with open(os.path.join(pkg, name), "rb") as f:
                out.append((NAME + "/" + name, f.read()))
    return out


def _dist_info():
    return "%s-%s.dist-info" % (NAME, _version())


def _wheel_name():
    return "%s-%s-%s.whl" % (NAME, _version(), TAG)


def _info_files():
    wheel = "Wheel-Version: 1.0\nGenerator: cordon_build\nRoot-Is-Purelib: true\nTag: %s\n" % TAG
    return [("METADATA", _metadata()), ("WHEEL", wheel.encode()), ("top_level.txt", (NAME + "\n").encode())]


def _write_wheel(directory, files):
    info = _dist_info()
    files = files + [(info + "/" + n, data) for n, data in _info_files()]
    record = []
    for name, data in files:
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append("%s,sha256=%s,%d" % (name, digest, len(data)))
    record.append(info + "/RECORD,,")
    files.append((info + "/RECORD", ("\n".join(record) + "\n").encode()))
    path = os.path.join(directory, _wheel_name())
    tmp = path + ".part"
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files:
            zi = zipfile.ZipInfo(name, EPOCH)
            zi.external_attr = 0o644 << 16
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, data)
    os.replace(tmp, path)
    return os.path.basename(path)


def _write_metadata(directory):
    info = os.path.join(directory, _dist_info())
    os.makedirs(info, exist_ok=True)
    for name, data in _info_files():
        with open(os.path.join(info, name), "wb") as f:
            f.write(data)
    return _dist_info()


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    return _write_metadata(metadata_directory)


def prepare_metadata_for_build_editable(metadata_directory, config_settings=None):
    return _write_metadata(metadata_directory)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _write_wheel(wheel_directory, _package_files())


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    # The package stays where it is: a .pth puts this directory on sys.path.
    return _write_wheel(wheel_directory, [("_cordon_editable.pth", (HERE + "\n").encode())])


def build_sdist(sdist_directory, config_settings=None):
    base = "%s-%s" % (NAME, _version())
    names = ["pyproject.toml", "README.md", "build_backend/cordon_build.py"] + \
        [n for n, _ in _package_files()]
    path = os.path.join(sdist_directory, base + ".tar.gz")
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as t:
        entries = [(n, open(os.path.join(HERE, n), "rb").read()) for n in names]
        entries.append(("PKG-INFO", _metadata()))
        for n, data in sorted(entries):
            ti = tarfile.TarInfo(base + "/" + n)
            ti.size = len(data)
            ti.mode = 0o644
            ti.mtime = 315532800
            t.addfile(ti, io.BytesIO(data))
    return os.path.basename(path)
