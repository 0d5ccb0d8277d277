from builtins import exec
