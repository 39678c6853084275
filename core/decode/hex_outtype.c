/*
 * hex_outtype.c - the hex OutType for an InType; see hex_outtype.h.
 */
#include "decode/hex_outtype.h"

#include "decode/schema.h"

uint16_t ef_schema_hex_outtype(uint16_t intype)
{
    switch (intype) {
    case EF_IN_INT8:
    case EF_IN_UINT8:
        return EF_OUT_HEXINT8;
    case EF_IN_INT16:
    case EF_IN_UINT16:
        return EF_OUT_HEXINT16;
    case EF_IN_INT32:
    case EF_IN_UINT32:
        return EF_OUT_HEXINT32;
    case EF_IN_INT64:
    case EF_IN_UINT64:
        return EF_OUT_HEXINT64;
    case EF_IN_MANIFEST_COUNTEDBINARY:
        return EF_OUT_HEXBINARY;
    default:
        return EF_OUT_NULL;
    }
}
