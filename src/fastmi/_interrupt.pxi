# Ctrl-C polling shared by the extension modules (included, not imported).
# The kernels call _check_signals between blocks of work, only on the thread
# that entered them; a pending Ctrl-C raises KeyboardInterrupt here, and the
# except+ translation of the C++ exception thrown next passes it on unchanged.

cdef extern from "Python.h":
    # Declared without an exception value on purpose: the KeyboardInterrupt it
    # sets must stay pending (not be reported as unraisable here).
    int PyErr_CheckSignals_pending "PyErr_CheckSignals"() noexcept

cdef extern from "fastmi/common.hpp" namespace "fastmi" nogil:
    ctypedef int (*InterruptFn)() noexcept nogil


cdef int _check_signals() noexcept nogil:
    with gil:
        return PyErr_CheckSignals_pending() != 0


cdef InterruptFn _checker(bint interruptible) noexcept:
    if interruptible:
        return _check_signals
    return NULL
