#!/bin/bash
# tsan.sh: the scheduler, mailboxes, remote frees and socket calls across
# CPUs built with ThreadSanitizer, with no report (tests/sanit/run.sh).
exec bash "${srcdir:-.}/tests/sanit/run.sh" tsan
