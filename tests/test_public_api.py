"""The top-level package re-exports the numerical core, and nothing it does not define."""

import cnnmotiv


def test_every_name_in_all_is_defined_once():
    assert len(set(cnnmotiv.__all__)) == len(cnnmotiv.__all__)
    for name in cnnmotiv.__all__:
        assert getattr(cnnmotiv, name) is not None


def test_importing_the_package_leaves_matplotlib_settings_alone():
    import subprocess
    import sys

    code = ("import matplotlib as mpl; before = dict(mpl.rcParams); "
            "import cnnmotiv, cnnmotiv.cli; [__import__(m) for m in cnnmotiv.cli.FIGURE_MODULES]; "
            "import cnnmotiv.widgets.connectivity, cnnmotiv.widgets.sharing, "
            "cnnmotiv.widgets.efficiency, cnnmotiv.widgets.equivariance, "
            "cnnmotiv.widgets.receptive_fields; "
            "changed = [k for k, v in mpl.rcParams.items() if before.get(k) != v]; "
            "assert not changed, changed")
    subprocess.run([sys.executable, "-c", code], check=True)
