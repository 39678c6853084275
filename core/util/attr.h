/*
 * attr.h - compiler attributes used across etwfwd.
 */
#ifndef EF_UTIL_ATTR_H
#define EF_UTIL_ATTR_H

/* mingw's stdio is built with __USE_MINGW_ANSI_STDIO, which is gnu_printf. */
#if defined(__MINGW32__)
#define EF_PRINTF(fmt, args) __attribute__((format(gnu_printf, fmt, args)))
#else
#define EF_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#endif

#define EF_UNUSED(x) ((void)(x))
#define EF_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
