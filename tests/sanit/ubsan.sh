#!/bin/bash
# ubsan.sh: the unit, sim and network tests built with
# UndefinedBehaviorSanitizer, with no report (tests/sanit/run.sh).
exec bash "${srcdir:-.}/tests/sanit/run.sh" ubsan
