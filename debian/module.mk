# debian - "make deb": the Debian package, hato_VERSION_ARCH.deb in
# DEB_DIR (build/deb), with the source package (hato_VERSION.dsc and
# .tar.xz, a native one: debian/ is part of the tree).  dpkg-buildpackage
# runs on a copy of the tree in DEB_DIR/src (its clean step removes
# build/, which must stay the checkout's own), with DEB_JOBS (default 2)
# compiler jobs; the copy is removed afterwards.  Needs dpkg-dev and
# debhelper (make deps).
DEB_DIR ?= $(BUILD)/deb
DEB_JOBS ?= 2
deb:
	rm -rf $(DEB_DIR)/src $(DEB_DIR)/hato_* $(DEB_DIR)/hato-dbgsym_*
	mkdir -p $(DEB_DIR)/src
	tar -c --exclude=./build --exclude=./run --exclude=./.git -f - . | tar -x -C $(DEB_DIR)/src
	cd $(DEB_DIR)/src && DEB_BUILD_OPTIONS="parallel=$(DEB_JOBS) $(DEB_BUILD_OPTIONS)" \
		dpkg-buildpackage -us -uc
	rm -rf $(DEB_DIR)/src
	@ls $(DEB_DIR)/hato_*.deb
.PHONY: deb
