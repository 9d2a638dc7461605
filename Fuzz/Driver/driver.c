/* Only the declaration of LLVMFuzzerRunDriver (include/invigil_fuzz_driver.h); SwiftPM needs a
 * source file in a C target. */
#include "invigil_fuzz_driver.h"
