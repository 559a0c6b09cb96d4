# examples/local.mk: every folder of examples/ is a program, built by
# rule for both targets (mk/program.mk): examples/NAME/*.c becomes
# out/sim/NAME (a Linux program), out/native/NAME.elf (a bootable image)
# and its PVH-only twin out/native/NAME.pvh.elf.  Adding a folder needs
# no edit here; a program that needs more than Toro says so below, as
# NAME_EXTRA_CFLAGS, NAME_EXTRA_LIBS and NAME_EXTRA_DEPS (mk/program.mk).

TORO_EXAMPLE_DIRS = $(patsubst %/,%, \
	$(sort $(dir $(wildcard $(srcdir)/examples/*/*.c))))
EXAMPLES = $(notdir $(TORO_EXAMPLE_DIRS))
noinst_DATA += $(EXAMPLES:%=out/sim/%) $(EXAMPLES:%=out/native/%.elf) \
	$(EXAMPLES:%=out/native/%.pvh.elf)

# The webserver links Debian's libhttp_parser.a unchanged into both
# targets (configure finds it: HTTP_PARSER_LIB); it needs nothing of a
# C library but __assert_fail, which musl has.  Its header is copied
# into a folder of its own: a program never searches the host's
# /usr/include, where the header lives.
webserver_EXTRA_LIBS = $(HTTP_PARSER_LIB)
webserver_EXTRA_CFLAGS = -isystem out/include/http-parser
out/include/http-parser/http_parser.h: $(HTTP_PARSER_H)
	@mkdir -p $(@D)
	$(AM_V_GEN)cp $(HTTP_PARSER_H) $@
webserver_EXTRA_DEPS = out/include/http-parser/http_parser.h
CLEANFILES += out/include/http-parser/http_parser.h

# The sources and the webserver's sample site
# (./toro run webserver --share examples/webserver/www).
EXTRA_DIST += examples
