# nbgrader reads this file when run from the repository root; the settings live in autograder/.
c = get_config()  # noqa: F821
load_subconfig("autograder/nbgrader_config.py")  # noqa: F821
