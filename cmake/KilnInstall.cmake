# `cmake --install`: kiln as a library a C++ project finds with find_package(kiln) (docs/building.md).
#
# What is installed: libkiln and libkiln_onnx (with their SONAME links), the public headers (include/kiln), the kiln
# command, and the package files that give a consumer the imported targets kiln::kiln and kiln::onnx. Everything the
# libraries use (BLAS, zlib, protobuf and ONNX's generated classes, the CUDA libraries) is linked privately: the public
# headers name only standard-library types, so a consumer needs the libraries and nothing else.
#
# Left out: the test programs, the fuzz targets and the samples. The samples are built from this source tree, read
# their data (MNIST digits, models) from it and share helper libraries with the tests; they are programs to read and
# run here, not parts of the library.

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(KILN_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/kiln)

# The installed command and libraries find libkiln next to themselves wherever the tree is moved; libraries outside
# the install tree that are not in the loader's default paths (the CUDA toolkit's, cuDNN) keep their directories.
file(RELATIVE_PATH KILN_BIN_TO_LIB ${CMAKE_INSTALL_FULL_BINDIR} ${CMAKE_INSTALL_FULL_LIBDIR})
set_target_properties(kiln_cli PROPERTIES INSTALL_RPATH "$ORIGIN/${KILN_BIN_TO_LIB}" INSTALL_RPATH_USE_LINK_PATH ON)
set_target_properties(kiln kiln_onnx PROPERTIES INSTALL_RPATH "$ORIGIN" INSTALL_RPATH_USE_LINK_PATH ON)
set_target_properties(kiln_onnx PROPERTIES EXPORT_NAME onnx)
# A library built with sanitizers needs their runtime in the program that loads it: an installed sanitizer build
# makes its consumers link it.
if(KILN_SANITIZE)
  target_link_options(kiln INTERFACE $<INSTALL_INTERFACE:-fsanitize=${KILN_SANITIZE}>)
endif()

install(TARGETS kiln kiln_onnx EXPORT kilnTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_COMPONENT development
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS kiln_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
# `kiln compare --backends onnxruntime` runs this script; the installed command looks for it in ../share/kiln.
install(FILES ${PROJECT_SOURCE_DIR}/tools/kiln/onnxruntime_runner.py DESTINATION ${CMAKE_INSTALL_DATADIR}/kiln
        COMPONENT runtime)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/kiln DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT development
        FILES_MATCHING PATTERN "*.h")

install(EXPORT kilnTargets NAMESPACE kiln:: DESTINATION ${KILN_INSTALL_CMAKEDIR} COMPONENT development)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/kilnConfig.cmake.in ${PROJECT_BINARY_DIR}/kilnConfig.cmake
                              INSTALL_DESTINATION ${KILN_INSTALL_CMAKEDIR})
# 0.x releases make no promise between minor versions; from 1.0 a newer minor version still serves.
if(PROJECT_VERSION_MAJOR EQUAL 0)
  set(KILN_VERSION_COMPATIBILITY SameMinorVersion)
else()
  set(KILN_VERSION_COMPATIBILITY SameMajorVersion)
endif()
write_basic_package_version_file(${PROJECT_BINARY_DIR}/kilnConfigVersion.cmake
                                 COMPATIBILITY ${KILN_VERSION_COMPATIBILITY})
install(FILES ${PROJECT_BINARY_DIR}/kilnConfig.cmake ${PROJECT_BINARY_DIR}/kilnConfigVersion.cmake
        DESTINATION ${KILN_INSTALL_CMAKEDIR} COMPONENT development)
