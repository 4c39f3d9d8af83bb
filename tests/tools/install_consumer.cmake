# Install the build tree into a scratch prefix, then configure and build a
# tiny consumer with find_package(libvcpu CONFIG) and one with pkg-config.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BIN} --prefix ${WORK}/prefix
                RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "install failed: ${rc}")
endif()
foreach(f include/libvcpu/libvcpu.h include/libvcpu/platform.h lib/libvcpu.a
          lib/libvcpu_kernel.a lib/cmake/libvcpu/libvcpuConfig.cmake
          lib/pkgconfig/libvcpu.pc lib/pkgconfig/libvcpu-kernel.pc)
  if(NOT EXISTS ${WORK}/prefix/${f})
    message(FATAL_ERROR "not installed: ${f}")
  endif()
endforeach()
execute_process(COMMAND ${CMAKE_COMMAND} -S ${SRC}/tests/consumer -B ${WORK}/build -G ${GEN}
                        -DCMAKE_C_COMPILER=${CC} -DCMAKE_PREFIX_PATH=${WORK}/prefix
                RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "consumer configure failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${WORK}/build RESULT_VARIABLE rc)
if(rc)
  message(FATAL_ERROR "consumer build failed")
endif()
execute_process(COMMAND ${WORK}/build/consumer RESULT_VARIABLE rc OUTPUT_VARIABLE out)
message(STATUS "consumer: ${out}")
if(rc)
  message(FATAL_ERROR "consumer run failed: ${rc}")
endif()
# pkg-config consumer: compile and link the same source by hand.
find_program(PKGCONF pkg-config)
if(PKGCONF)
  set(ENV{PKG_CONFIG_PATH} ${WORK}/prefix/lib/pkgconfig)
  execute_process(COMMAND ${PKGCONF} --cflags --libs --static libvcpu
                  OUTPUT_VARIABLE pcflags OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
  if(rc)
    message(FATAL_ERROR "pkg-config libvcpu failed")
  endif()
  separate_arguments(pcflags UNIX_COMMAND "${pcflags}")
  execute_process(COMMAND ${CC} -std=c11 -Wall -Werror ${SRC}/tests/consumer/consumer.c
                          -o ${WORK}/consumer_pc ${pcflags} RESULT_VARIABLE rc)
  if(rc)
    message(FATAL_ERROR "pkg-config consumer build failed")
  endif()
endif()
