# package.cmake — `cpack` makes a Debian package (.deb) of what `cmake --install` installs:
#   cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF
#   cmake --build build -j && (cd build && cpack)        -> build/cuwatch_<version>_<arch>.deb
# Files (prefix /usr): /usr/bin/cuwatch, /lib/systemd/system/cuwatch.service,
# /etc/cuwatch/cuwatch.yaml (+ .example; conffiles: an upgrade keeps the site's edits),
# /usr/share/man/man1/cuwatch.1.gz, man5/cuwatch.yaml.5.gz. Run-time dependencies are computed
# from the binary by dpkg-shlibdeps (package dpkg-dev), not listed by hand.
# postinst creates the system user `cuwatch` and does not enable or start the service: it
# cannot work before the site's database and password are configured (README, "Install").
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME cuwatch)
set(CPACK_PACKAGE_VENDOR "cuwatch")
set(CPACK_PACKAGE_CONTACT "cuwatch maintainers <maintainers@cuwatch.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "machining-centre LOG uploads to PostgreSQL production metrics")
set(CPACK_PACKAGE_DESCRIPTION
    "cuwatch watches a vsftpd upload root with inotify and commits each uploaded LOG file's
production metrics (pieces, production time, waits, stops, occupation rates) to PostgreSQL,
in one transaction per file, exactly once.")
# Absolute destinations (/etc, /lib/systemd/system) need DESTDIR staging: CMAKE_INSTALL_PREFIX
# is then /usr during packaging, and deploy/CMakeLists.txt maps it to /etc and /lib.
set(CPACK_SET_DESTDIR ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "postgresql, vsftpd")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${CMAKE_CURRENT_LIST_DIR}/debian/conffiles;${CMAKE_CURRENT_LIST_DIR}/debian/postinst;${CMAKE_CURRENT_LIST_DIR}/debian/prerm;${CMAKE_CURRENT_LIST_DIR}/debian/postrm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
include(CPack)
