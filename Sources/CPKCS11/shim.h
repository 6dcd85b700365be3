// The PKCS#11 (Cryptoki) 2.40 declarations as p11-kit ships them (Debian's libp11-kit-dev), with the standard
// names (CK_FUNCTION_LIST, pValue, ...). A token's module is loaded at run time with dlopen, so nothing links
// against a particular PKCS#11 library.
#include <dlfcn.h>
#include <p11-kit/pkcs11.h>
