/*
 * etw_defs.h - ETW constants and structures that mingw-w64 10 lacks or
 * gets wrong, with the documented values (../shared/ETW-NOTES.md §9).
 *
 * Portable: plain integers, no Windows headers, so config validation and
 * the tests on Linux use the same limits the Windows code enforces.
 */
#ifndef EF_ETW_ETW_DEFS_H
#define EF_ETW_ETW_DEFS_H

#include <stdint.h>

/* EVENT_TRACE_PROPERTIES.LogFileMode */
#define EF_ETW_FILE_MODE_NONE       0x00000000u
#define EF_ETW_REAL_TIME_MODE       0x00000100u
#define EF_ETW_NO_PER_PROCESSOR_BUF 0x10000000u
#define EF_ETW_SYSTEM_LOGGER_MODE   0x02000000u
#define EF_ETW_INDEPENDENT_SESSION  0x08000000u

/* WNODE_HEADER.Flags */
#define EF_WNODE_FLAG_TRACED_GUID          0x00020000u
#define EF_WNODE_FLAG_VERSIONED_PROPERTIES 0x00800000u

/* WNODE_HEADER.ClientContext: the clock of the timestamps. */
#define EF_ETW_CLOCK_QPC    1u
#define EF_ETW_CLOCK_SYSTEM 2u
#define EF_ETW_CLOCK_CYCLES 3u

/* ControlTrace codes */
#define EF_ETW_CONTROL_QUERY  0u
#define EF_ETW_CONTROL_STOP   1u
#define EF_ETW_CONTROL_UPDATE 2u
#define EF_ETW_CONTROL_FLUSH  3u

/* EnableTraceEx2 ControlCode */
#define EF_ETW_DISABLE       0u
#define EF_ETW_ENABLE        1u
#define EF_ETW_CAPTURE_STATE 2u

/* ENABLE_TRACE_PARAMETERS.EnableProperty */
#define EF_ETW_PROP_SID               0x001u
#define EF_ETW_PROP_TS_ID             0x002u
#define EF_ETW_PROP_STACK_TRACE       0x004u
#define EF_ETW_PROP_IGNORE_KEYWORD_0  0x010u
#define EF_ETW_PROP_PROCESS_START_KEY 0x080u

/* EVENT_FILTER_DESCRIPTOR.Type */
#define EF_ETW_FILTER_TRACEHANDLE     0x80000002u
#define EF_ETW_FILTER_PID             0x80000004u
#define EF_ETW_FILTER_EXECUTABLE_NAME 0x80000008u
#define EF_ETW_FILTER_EVENT_ID        0x80000200u

/* ENABLE_TRACE_PARAMETERS.Version: ENABLE_TRACE_PARAMETERS_VERSION_2. */
#define EF_ETW_ENABLE_PARAMS_VERSION_2 2u

/*
 * The kernel's rundown (ETW-NOTES §8; EFD, EVENT_FILTER_TYPE_TRACEHANDLE):
 * EnableTraceEx2(CAPTURE_STATE) for SystemTraceControlGuid with one filter
 * of type TRACEHANDLE whose data is a single TRACEHANDLE, the session the
 * rundown goes to: Size is sizeof(TRACEHANDLE), 8 on x86 and x64 alike.
 */
#define EF_ETW_TRACEHANDLE_FILTER_SIZE 8u

/* MAX_EVENT_FILTER_* */
#define EF_ETW_MAX_FILTER_DATA_SIZE 1024u
#define EF_ETW_MAX_PID_COUNT        8u
#define EF_ETW_MAX_EVENT_ID_COUNT   64u
#define EF_ETW_MAX_FILTERS_COUNT    8u /* 13 in current SDKs, 8 in old ones: the safe one */

/* Names are at most this many UTF-16 units, the terminating NUL included. */
#define EF_ETW_MAX_NAME 1024u

/* Win32 errors ETW returns. */
#define EF_WIN_SUCCESS                0u
#define EF_WIN_ACCESS_DENIED          5u
#define EF_WIN_INVALID_HANDLE         6u
#define EF_WIN_BAD_LENGTH             24u
#define EF_WIN_INVALID_PARAMETER      87u
#define EF_WIN_INSUFFICIENT_BUFFER    122u
#define EF_WIN_BAD_PATHNAME           161u
#define EF_WIN_ALREADY_EXISTS         183u
#define EF_WIN_MORE_DATA              234u
#define EF_WIN_NOACCESS               998u
#define EF_WIN_CANCELLED              1223u
#define EF_WIN_NO_SYSTEM_RESOURCES    1450u
#define EF_WIN_TIMEOUT                1460u
#define EF_WIN_ACTIVE_CONNECTIONS     2402u
#define EF_WIN_WMI_INSTANCE_NOT_FOUND 4201u
#define EF_WIN_CTX_CLOSE_PENDING      7007u

/* RT_LostEvent {6a399ae0-4bc6-4de9-870b-3657f8947e7e} and its opcodes. */
#define EF_ETW_RT_LOST_EVENT_GUID                                                                  \
    {                                                                                              \
        0x6a399ae0, 0x4bc6, 0x4de9,                                                                \
        {                                                                                          \
            0x87, 0x0b, 0x36, 0x57, 0xf8, 0x94, 0x7e, 0x7e                                         \
        }                                                                                          \
    }
#define EF_ETW_RT_LOST_EVENT  32u
#define EF_ETW_RT_LOST_BUFFER 33u
#define EF_ETW_RT_LOST_FILE   34u

/* SystemTraceControlGuid {9e814aad-3204-11d2-9a82-006008a86939}: the NT Kernel Logger. */
#define EF_ETW_SYSTEM_TRACE_CONTROL_GUID                                                           \
    {                                                                                              \
        0x9e814aad, 0x3204, 0x11d2,                                                                \
        {                                                                                          \
            0x9a, 0x82, 0x00, 0x60, 0x08, 0xa8, 0x69, 0x39                                         \
        }                                                                                          \
    }
#define EF_ETW_KERNEL_LOGGER_NAME "NT Kernel Logger"

/* Our sessions' names start with this (docs/etw.md). */
#define EF_ETW_SESSION_PREFIX "etwfwd-"

/*
 * INVALID_PROCESSTRACE_HANDLE is (UINT64)UINTPTR_MAX: all ones on x64 but
 * 0x00000000FFFFFFFF on x86, where mingw's (TRACEHANDLE)INVALID_HANDLE_VALUE
 * sign-extends to all ones and misses the failure (ETW-NOTES §5).
 */
#define EF_ETW_INVALID_PROCESSTRACE_HANDLE ((uint64_t)UINTPTR_MAX)

#endif
