/*
 * hex_outtype.h - which hex OutType shows an integer InType, for schema
 * builders whose format asks for hex (MOF's format("x"), TraceLogging's
 * OutType Hex).
 */
#ifndef EF_DECODE_HEX_OUTTYPE_H
#define EF_DECODE_HEX_OUTTYPE_H

#include <stdint.h>

/*
 * EF_OUT_HEXINT8..64 for the integer InTypes of each size, EF_OUT_HEXBINARY
 * for counted binary, EF_OUT_NULL (no hex form) for anything else. Any
 * thread.
 */
uint16_t ef_schema_hex_outtype(uint16_t intype);

#endif
