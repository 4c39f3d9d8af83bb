# SPDX-License-Identifier: MIT
# cmake --install: headers, both archives, a CMake package and pkg-config files.
include(CMakePackageConfigHelpers)

set(_targets vcpu)
if(TARGET vcpu_kernel)
  list(APPEND _targets vcpu_kernel)
endif()

install(TARGETS ${_targets} EXPORT libvcpuTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/libvcpu DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.h")
install(EXPORT libvcpuTargets NAMESPACE libvcpu::
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/libvcpu)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/libvcpuConfig.cmake.in
  ${PROJECT_BINARY_DIR}/libvcpuConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/libvcpu)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/libvcpuConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/libvcpuConfig.cmake
              ${PROJECT_BINARY_DIR}/libvcpuConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/libvcpu)

# Relocatable .pc files: the prefix is found relative to the file itself.
file(RELATIVE_PATH LV_PC_TO_PREFIX /root/${CMAKE_INSTALL_LIBDIR}/pkgconfig /root)
string(REGEX REPLACE "/$" "" LV_PC_TO_PREFIX "${LV_PC_TO_PREFIX}")
set(LV_PC_LIBS_EXTRA "")
if(LV_SANITIZE)
  set(LV_PC_LIBS_EXTRA " -fsanitize=address,undefined")
endif()
foreach(_pc libvcpu libvcpu-kernel)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/${_pc}.pc.in ${PROJECT_BINARY_DIR}/${_pc}.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/${_pc}.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endforeach()
