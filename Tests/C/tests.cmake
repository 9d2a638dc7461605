# C tests of the C interface, included from the top-level CMakeLists.txt. `ctest` runs:
#   c_api            every single test registered by Tests/InvigilCTests/abi_tests.c (also run by
#                    `swift test`), among them the hardening tests (hardening_tests.c: memory
#                    ceiling, match-dense generated inputs, BUSY, interrupt, lengths, error model)
#   c_api_compiled   the compiled-rule-file tests of Tests/InvigilCTests/compiled_tests.c (also run by `swift test`)
#   c_api_threads    4 threads x 100,000 events on one rule set == one thread
#   c_api_valgrind   the single tests under valgrind memcheck: no leak, no invalid access
#   c_api_asan       the single tests built with AddressSanitizer + LeakSanitizer (gcc)
#   c_api_compiled_asan  the compiled-file tests, likewise
#   header_c99 / header_cxx   the header alone compiles as strict C99 and as C++
#   abi_check        exported symbols, struct layout, enum values vs Tests/C/abi; the SONAME
#   example          the example over examples/c/events.jsonl
#   install          install into a temporary prefix; pkg-config, static and find_package consumers
# Every .c file of Tests/InvigilCTests (abi_tests.c registers the tests of the others).
file(GLOB INVIGIL_CTEST_SOURCES CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/Tests/InvigilCTests/*.c")
add_library(invigil_ctests STATIC ${INVIGIL_CTEST_SOURCES})
target_include_directories(invigil_ctests PUBLIC "${PROJECT_SOURCE_DIR}/Tests/InvigilCTests/include")
target_link_libraries(invigil_ctests PUBLIC invigil Threads::Threads)
set_target_properties(invigil_ctests PROPERTIES C_STANDARD 99 C_EXTENSIONS OFF)
target_compile_options(invigil_ctests PRIVATE -Wall -Wextra -Werror)

add_executable(invigil_c_tests "${PROJECT_SOURCE_DIR}/Tests/C/test_main.c")
set_target_properties(invigil_c_tests PROPERTIES OUTPUT_NAME invigil-c-tests C_STANDARD 99)
target_link_libraries(invigil_c_tests PRIVATE invigil_ctests)

add_test(NAME c_api COMMAND invigil_c_tests)

# Compiled rule files through the C interface: save, load, scan, damaged buffers.
add_executable(invigil_c_compiled_tests "${PROJECT_SOURCE_DIR}/Tests/C/compiled_main.c")
set_target_properties(invigil_c_compiled_tests PROPERTIES C_STANDARD 99)
target_link_libraries(invigil_c_compiled_tests PRIVATE invigil_ctests)
add_test(NAME c_api_compiled COMMAND invigil_c_compiled_tests)
add_test(NAME c_api_threads COMMAND invigil_c_tests threads 4 100000)
set_tests_properties(c_api_threads PROPERTIES TIMEOUT 600)

find_program(INVIGIL_VALGRIND valgrind)
if(INVIGIL_VALGRIND)
    add_test(NAME c_api_valgrind COMMAND "${INVIGIL_VALGRIND}" --quiet --fair-sched=yes --error-exitcode=99 --leak-check=full
        --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect
        --suppressions=${PROJECT_SOURCE_DIR}/Tests/C/valgrind.supp
        $<TARGET_FILE:invigil_c_tests>)
    set_tests_properties(c_api_valgrind PROPERTIES TIMEOUT 900)
    add_test(NAME c_api_compiled_valgrind COMMAND "${INVIGIL_VALGRIND}" --quiet --error-exitcode=99 --leak-check=full
        --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect
        --suppressions=${PROJECT_SOURCE_DIR}/Tests/C/valgrind.supp
        $<TARGET_FILE:invigil_c_compiled_tests>)
    set_tests_properties(c_api_compiled_valgrind PROPERTIES TIMEOUT 900)
endif()

# The C tests and example compiled with -fsanitize=address against the same libinvigil.so.
# (The Swift side is not instrumented; LeakSanitizer still sees every malloc it makes.)
if(CMAKE_C_COMPILER_ID STREQUAL "GNU" OR CMAKE_C_COMPILER_ID STREQUAL "Clang")
    # One test program (its main, over every C test source) built with AddressSanitizer.
    function(invigil_asan_test name main)
        add_executable(${name}_program "${PROJECT_SOURCE_DIR}/Tests/C/${main}" ${INVIGIL_CTEST_SOURCES})
        target_include_directories(${name}_program PRIVATE "${PROJECT_SOURCE_DIR}/Tests/InvigilCTests/include")
        target_compile_options(${name}_program PRIVATE -fsanitize=address -fno-omit-frame-pointer -g)
        target_link_options(${name}_program PRIVATE -fsanitize=address)
        target_link_libraries(${name}_program PRIVATE invigil Threads::Threads)
        add_test(NAME ${name} COMMAND ${name}_program)
        set_tests_properties(${name} PROPERTIES ENVIRONMENT "ASAN_OPTIONS=detect_leaks=1:abort_on_error=0")
    endfunction()
    invigil_asan_test(c_api_asan test_main.c)
    # The compiled-file tests (save, load, damaged buffers).
    invigil_asan_test(c_api_compiled_asan compiled_main.c)
endif()

add_test(NAME header_c99 COMMAND "${CMAKE_C_COMPILER}" -std=c99 -pedantic-errors -Wall -Wextra -Werror
    -fsyntax-only -x c "${PROJECT_SOURCE_DIR}/include/invigil.h")
find_program(INVIGIL_CXX NAMES c++ g++ clang++)
if(INVIGIL_CXX)
    add_test(NAME header_cxx COMMAND "${INVIGIL_CXX}" -std=c++11 -pedantic-errors -Wall -Wextra -Werror
        -fsyntax-only -x c++ "${PROJECT_SOURCE_DIR}/include/invigil.h")
endif()

if(INVIGIL_BUILD_EXAMPLES)
    add_test(NAME example COMMAND sh -c
        "$<TARGET_FILE:invigil_scan_example> -t 2 '${PROJECT_SOURCE_DIR}/examples/c/example.rules' < '${PROJECT_SOURCE_DIR}/examples/c/events.jsonl'")
    set_tests_properties(example PROPERTIES
        PASS_REGULAR_EXPRESSION "evt-002.*example/staff-personal-contact"
        FAIL_REGULAR_EXPRESSION "evt-001\t")
endif()

# The ABI compatibility check: symbols, struct layout and enum values against the committed
# baseline (Tests/C/abi), and the SONAME.
add_test(NAME abi_check COMMAND sh "${PROJECT_SOURCE_DIR}/Tests/C/abi_check.sh" "${PROJECT_BINARY_DIR}" "${PROJECT_SOURCE_DIR}")
set_tests_properties(abi_check PROPERTIES ENVIRONMENT "CC=${CMAKE_C_COMPILER}")

find_program(INVIGIL_PKG_CONFIG pkg-config)
if(INVIGIL_PKG_CONFIG)
    add_test(NAME install COMMAND sh "${PROJECT_SOURCE_DIR}/Tests/C/install_test.sh"
        "${PROJECT_BINARY_DIR}" "${PROJECT_SOURCE_DIR}")
    set_tests_properties(install PROPERTIES ENVIRONMENT "CC=${CMAKE_C_COMPILER}" TIMEOUT 300)
endif()
