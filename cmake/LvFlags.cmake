# SPDX-License-Identifier: MIT
# Compiler flags shared by every libvcpu target.

# Warnings for library code (both archives).
set(LV_WARNINGS
    -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
    -Wpointer-arith -Wvla -Wundef -Wwrite-strings -Wformat=2 -Wcast-qual
    -Wmissing-declarations -Wredundant-decls -Wnested-externs)
# Tests and examples: the same minus the prototype rules.
set(LV_WARNINGS_LOOSE -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wvla -Wundef -Wformat=2)

# Freestanding: no libc, no red zone (interrupts on the kernel stack), no
# SSE/x87 (the kernel does not save them), no stack protector, no PIC.
set(LV_FREESTANDING_FLAGS
    -ffreestanding -fno-builtin -nostdlib -mno-red-zone -mgeneral-regs-only
    -fno-pic -fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables
    -fno-exceptions -fno-common -mcmodel=${LV_KERNEL_CODE_MODEL})

set(LV_SANITIZE_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=all
    -fno-omit-frame-pointer)

# lv_hosted_target(<target> [LOOSE]): warnings + sanitizers for hosted code.
function(lv_hosted_target tgt)
  if("LOOSE" IN_LIST ARGN)
    target_compile_options(${tgt} PRIVATE ${LV_WARNINGS_LOOSE})
  else()
    target_compile_options(${tgt} PRIVATE ${LV_WARNINGS})
  endif()
  if(LV_SANITIZE)
    target_compile_options(${tgt} PRIVATE ${LV_SANITIZE_FLAGS})
    get_target_property(_type ${tgt} TYPE)
    if(_type STREQUAL "EXECUTABLE")
      target_link_options(${tgt} PRIVATE ${LV_SANITIZE_FLAGS})
    endif()
  endif()
endfunction()

# Sanitizer link flags for an executable that links hosted code.
function(lv_sanitize_link tgt)
  if(LV_SANITIZE)
    target_link_options(${tgt} PRIVATE ${LV_SANITIZE_FLAGS})
  endif()
endfunction()
