"""Test support: a scratch nbgrader course (`scratch_course`), a synthetic class of
submissions (`synthetic`) and a Jupyter server to test against (`lab_server`), shared by the
tests and the benchmarks; not part of the product."""
