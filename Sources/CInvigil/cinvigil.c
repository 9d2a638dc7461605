/* The C side of the Invigil C interface: only the header (include/invigil.h, the one source
 * of truth, symlinked into include/ here). The functions are implemented in Swift, in
 * Sources/InvigilC, with @c @implementation, which checks every signature against the header. */
#include "invigil.h"

/* Compile-time checks that the header stays C99 and keeps the contract's values. */
typedef char invigil_check_ok[(INVIGIL_OK == 0) ? 1 : -1];
typedef char invigil_check_memory[(INVIGIL_ERROR_MEMORY == 8) ? 1 : -1];
