"""Test support: a scratch nbgrader course (`scratch_course`) and a synthetic class of
submissions (`synthetic`), shared by the tests and the benchmarks; not part of the product."""
