# nbgrader reads this file when run from the repository root; the settings live in autograder/.
c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)
load_subconfig("autograder/nbgrader_config.py")  # noqa: F821 (provided by traitlets, as get_config)
