# sdk/local.mk: make install / make uninstall, the SDK of applications
# built outside the tree (README "The SDK").
#
# Installs, under $(DESTDIR):
#	$(bindir)/toro-cc, toro-sim-cc, toro-native-cc	the driver
#	$(pkglibdir)/lib/	libcore-{host,native}.a, libhal-{sim,native}.a,
#				libtoroc.a, libtoronoproc.a (-ltoronoproc)
#				and musl's archives (libc.a...)
#	$(pkglibdir)/include/	libc/ (Toro's), musl/, api/toro/*.h
#	$(pkglibdir)/		kernel.ld, symtab.sh, prelink.sh, qemu.sh,
#				gdb/toro.py (qemu.sh --gdb finds it there),
#				meson/toro-native.ini (Meson's cross file)
#	$(libdir)/pkgconfig/	toro-sim.pc, toro-native.pc
# Rules: paths are written into the driver and the .pc files at install
# time, without DESTDIR (where the files will be, not where they are
# staged); uninstall removes exactly what install wrote.

TORO_SDK_LIBS = libcore-host.a libcore-native.a libhal-sim.a \
	libhal-native.a libtoroc.a libtoronoproc.a
EXTRA_DIST += sdk/local.mk sdk/toro-cc.in sdk/toro.pc.in sdk/toro-native.ini.in \
	tools/new-main.c tools/new-app.mk

toro_sdk_subst = sed -e 's|%PREFIX%|$(prefix)|g' -e 's|%LIBDIR%|$(libdir)|g' \
	-e 's|%BINDIR%|$(bindir)|g' -e 's|%SDKDIR%|$(pkglibdir)|g' \
	-e 's|%VERSION%|$(PACKAGE_VERSION)|g' -e 's|%CC%|$(CC)|g' \
	-e "s|%GCC_INCLUDE%|$(GCC_INCLUDE)|g" -e 's|%SIM_LIBS%|$(SIM_LIBS)|g'

install-exec-local: $(TORO_SDK_LIBS) $(MUSL_STAMP)
	$(MKDIR_P) '$(DESTDIR)$(bindir)' '$(DESTDIR)$(pkglibdir)/lib'
	$(toro_sdk_subst) $(srcdir)/sdk/toro-cc.in >'$(DESTDIR)$(bindir)/toro-cc'
	chmod 755 '$(DESTDIR)$(bindir)/toro-cc'
	for t in sim native; do \
	    rm -f "$(DESTDIR)$(bindir)/toro-$$t-cc" && \
	    ln -s toro-cc "$(DESTDIR)$(bindir)/toro-$$t-cc" || exit 1; done
	$(INSTALL_DATA) $(TORO_SDK_LIBS) $(MUSL_OUT)/lib/*.a \
	    '$(DESTDIR)$(pkglibdir)/lib'

install-data-local: $(MUSL_STAMP)
	$(MKDIR_P) '$(DESTDIR)$(pkglibdir)/include/api/toro' \
	    '$(DESTDIR)$(pkglibdir)/gdb' '$(DESTDIR)$(pkglibdir)/meson' \
	    '$(DESTDIR)$(libdir)/pkgconfig'
	rm -rf '$(DESTDIR)$(pkglibdir)/include/libc' \
	    '$(DESTDIR)$(pkglibdir)/include/musl'
	cp -R $(srcdir)/libc/include '$(DESTDIR)$(pkglibdir)/include/libc'
	cp -R $(MUSL_OUT)/include '$(DESTDIR)$(pkglibdir)/include/musl'
	$(INSTALL_DATA) $(srcdir)/include/toro/*.h \
	    '$(DESTDIR)$(pkglibdir)/include/api/toro'
	$(INSTALL_DATA) $(srcdir)/hal/native/kernel.ld '$(DESTDIR)$(pkglibdir)'
	$(INSTALL_SCRIPT) $(srcdir)/hal/x86_64/symtab.sh $(srcdir)/libc/prelink.sh \
	    $(srcdir)/hal/native/qemu.sh '$(DESTDIR)$(pkglibdir)'
	$(INSTALL_DATA) $(srcdir)/tools/gdb/toro.py '$(DESTDIR)$(pkglibdir)/gdb'
	$(toro_sdk_subst) $(srcdir)/sdk/toro-native.ini.in \
	    >'$(DESTDIR)$(pkglibdir)/meson/toro-native.ini'
	for t in sim native; do \
	    w=simulator m=/%MESON%/d; \
	    [ $$t = sim ] || { w="native image (PVH + Multiboot)"; m=; }; \
	    $(toro_sdk_subst) -e "s|%TARGET%|$$t|g" -e "s|%NAME%|toro-$$t|g" \
		-e "s|%WHAT%|$$w|g" -e "$$m" -e 's|%MESON%||' \
		$(srcdir)/sdk/toro.pc.in \
		>"$(DESTDIR)$(libdir)/pkgconfig/toro-$$t.pc" || exit 1; done

uninstall-local:
	rm -f '$(DESTDIR)$(bindir)/toro-cc' '$(DESTDIR)$(bindir)/toro-sim-cc' \
	    '$(DESTDIR)$(bindir)/toro-native-cc' \
	    '$(DESTDIR)$(libdir)/pkgconfig/toro-sim.pc' \
	    '$(DESTDIR)$(libdir)/pkgconfig/toro-native.pc'
	rm -rf '$(DESTDIR)$(pkglibdir)'
