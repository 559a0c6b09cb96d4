#!/bin/bash
# asan.sh: the unit, sim and network tests built with AddressSanitizer,
# with no report (tests/sanit/run.sh).
exec bash "${srcdir:-.}/tests/sanit/run.sh" asan
