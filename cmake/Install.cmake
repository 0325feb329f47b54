# Install.cmake: what `cmake --install build --prefix P` lays out (GNUInstallDirs) and the Debian
# package `cpack -G DEB` makes of it (run from the build folder; docs/install.md):
#   P/bin/evtriage
#   P/share/evtriage/rules/{packs,data,sigma-mapping.yaml}   found from the binary: rulesdir.h
#   P/share/man/man1/evtriage.1.gz, evtriage-COMMAND.1.gz    made from --help at build time
#   P/share/bash-completion/completions/evtriage
#   P/share/doc/evtriage/{README.md,docs/,copyright,changelog.gz}
option(EVTRIAGE_MAN "Make the man pages from --help (python3) and install them" ON)
set(EVTRIAGE_PACKAGE_MAINTAINER "evtriage maintainers <maintainers@evtriage.example>" CACHE STRING
  "Maintainer field of the Debian package")

install(TARGETS evtriage RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY rules/packs rules/data DESTINATION ${EVTRIAGE_RULES_INSTALL_DIR}
  FILES_MATCHING PATTERN "*.yml" PATTERN "*.yaml")
install(FILES rules/sigma-mapping.yaml DESTINATION ${EVTRIAGE_RULES_INSTALL_DIR})
install(FILES packaging/evtriage.bash DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
  RENAME evtriage)
install(FILES README.md packaging/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs FILES_MATCHING PATTERN "*.md" PATTERN "*.png")

# Debian's changelog and man pages go compressed (gzip -9n: no name, no time in the header).
set(EVTRIAGE_CHANGELOG_GZ "${CMAKE_CURRENT_BINARY_DIR}/packaging/changelog.gz")
add_custom_command(OUTPUT "${EVTRIAGE_CHANGELOG_GZ}"
  COMMAND ${CMAKE_COMMAND} -E copy "${CMAKE_SOURCE_DIR}/packaging/changelog" "${CMAKE_CURRENT_BINARY_DIR}/packaging/changelog"
  COMMAND gzip -9nf "${CMAKE_CURRENT_BINARY_DIR}/packaging/changelog"
  DEPENDS packaging/changelog VERBATIM)
add_custom_target(changelog ALL DEPENDS "${EVTRIAGE_CHANGELOG_GZ}")
install(FILES "${EVTRIAGE_CHANGELOG_GZ}" DESTINATION ${CMAKE_INSTALL_DOCDIR})

if(EVTRIAGE_MAN)
  find_package(Python3 REQUIRED COMPONENTS Interpreter)
  set(EVTRIAGE_MAN_DIR "${CMAKE_CURRENT_BINARY_DIR}/man")
  add_custom_command(OUTPUT "${EVTRIAGE_MAN_DIR}/evtriage.1.gz"
    COMMAND ${Python3_EXECUTABLE} "${CMAKE_SOURCE_DIR}/packaging/manpages.py" $<TARGET_FILE:evtriage>
            "${EVTRIAGE_MAN_DIR}" "${PROJECT_VERSION}" "${CMAKE_SOURCE_DIR}/packaging/evtriage.1.extra"
            "${CMAKE_INSTALL_FULL_DATADIR}/evtriage/rules"
    DEPENDS evtriage packaging/manpages.py packaging/evtriage.1.extra
    COMMENT "man pages from evtriage --help" VERBATIM)
  add_custom_target(man ALL DEPENDS "${EVTRIAGE_MAN_DIR}/evtriage.1.gz")
  # every page the generator wrote: one per command of `evtriage --help`
  install(DIRECTORY "${EVTRIAGE_MAN_DIR}/" DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 FILES_MATCHING PATTERN "*.1.gz")
endif()

# The Debian package. Depends: what the binary links (dpkg-shlibdeps), plus the libraries it
# loads when first needed (dlopen, which dpkg-shlibdeps cannot see): libarchive for archives,
# libcrypto for hashing inputs (analyze's default), found as the packages owning them here.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME evtriage)
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_FILE_NAME "evtriage_${PROJECT_VERSION}_${CMAKE_SYSTEM_PROCESSOR}")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${EVTRIAGE_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "tzdata")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "offline Windows event-log (EVTX) analyzer")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "evtriage reads exported Windows event logs (.evtx files, folders, zip, tar,
7z and cab archives, compressed files) without modifying them, matches rule
packs (Sigma syntax with root-cause extensions) and writes a report of what
failed, why, the records that prove it and the fix, in terminal, Markdown,
HTML, JSON and timeline form. It also dumps records as JSON Lines or CSV and
runs Sigma rules and correlations over large batches of logs.")
function(evtriage_owning_package soname out)
  find_program(DPKG_QUERY dpkg-query)
  set(${out} "" PARENT_SCOPE)
  if(NOT DPKG_QUERY)
    return()
  endif()
  execute_process(COMMAND ${DPKG_QUERY} -S "*/${soname}" OUTPUT_VARIABLE owner ERROR_QUIET)
  string(REGEX MATCH "^[^:,]+" pkg "${owner}")
  set(${out} "${pkg}" PARENT_SCOPE)
endfunction()
set(dlopened "")
string(REGEX MATCH "^[0-9]+" crypto_major "${CRYPTO_VERSION}")
foreach(soname libarchive.so.13 libcrypto.so.${crypto_major})
  evtriage_owning_package(${soname} pkg)
  if(pkg)
    list(APPEND dlopened ${pkg})
  else()
    message(STATUS "package: no Debian package found for ${soname} (not in Depends)")
  endif()
endforeach()
list(JOIN dlopened ", " CPACK_DEBIAN_PACKAGE_DEPENDS)
include(CPack)
