"""The binding tests' runner: unittest, each test printed as a TAP line as
it ends (prove reads it), then the temporary directory removed."""

import os
import shutil
import sys
import traceback
import unittest


class TAPResult(unittest.TestResult):
    """Print each test as a TAP line as it ends."""

    def __init__(self):
        super().__init__()
        self.n = 0

    def _line(self, ok, test, extra=""):
        self.n += 1
        print("%s %d - %s%s" % ("ok" if ok else "not ok", self.n, test.id().split(".", 1)[-1], extra),
              flush=True)

    def addSuccess(self, test):
        super().addSuccess(test)
        self._line(True, test)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._line(True, test, " # SKIP %s" % reason)

    def _fail(self, test, err):
        self._line(False, test)
        for ln in "".join(traceback.format_exception(*err)).splitlines():
            print("# " + ln, flush=True)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._fail(test, err)

    def addError(self, test, err):
        super().addError(test, err)
        self._fail(test, err)


def main(module_name, tmp):
    """Run the module's tests as TAP; remove ``tmp`` afterwards."""
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[module_name])
    result = TAPResult()
    try:
        suite.run(result)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("1..%d" % result.n)
    return 0 if result.wasSuccessful() else 1
