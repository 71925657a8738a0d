"""`pytest_test`: a py_test that runs one test file through pytest (tests/pytest_runner.py).

The BUILD files under tests/ are generated (tools/bazel/gen_build.py): one target per test_*.py.
"""

def pytest_test(name, srcs, deps = [], data = [], args = [], **kwargs):
    """py_test named `name` running pytest on srcs[0], conftest.py files applying.

    Args:
      name: the target, the test file's stem.
      srcs: [the test file].
      deps: its imports and the conftest libraries.
      data: files and binaries it reads or runs.
      args: more pytest arguments (e.g. ["-k", "fast"]).
      **kwargs: passed to py_test (size, timeout, tags, ...).
    """
    runner = "//tests:pytest_runner.py"
    native.py_test(
        name = name,
        srcs = srcs + [runner],
        main = runner,
        args = ["$(rootpath %s)" % srcs[0]] + args,
        deps = deps,
        data = data,
        python_version = "PY3",
        **kwargs
    )
