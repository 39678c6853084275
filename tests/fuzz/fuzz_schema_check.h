/*
 * fuzz_schema_check.h - invariants every schema a source hands out must hold.
 *
 * The fuzz targets of the schema readers trap when a parse succeeds but the
 * schema would lead the decoder astray: a struct range outside the array or
 * among the top-level fields, or a reference that is not to an earlier field.
 */
#ifndef EF_FUZZ_SCHEMA_CHECK_H
#define EF_FUZZ_SCHEMA_CHECK_H

#include <string.h>

#include "decode/schema.h"

static inline void ef_fuzz_check_schema(const struct ef_schema *s)
{
    uint16_t i;

    if (s->top_count > s->field_count || (s->field_count && !s->fields))
        __builtin_trap();
    for (i = 0; i < s->field_count; i++) {
        const struct ef_field *f = &s->fields[i];

        if (!f->name)
            __builtin_trap();
        (void)strlen(f->name); /* ASan checks the terminator is in bounds */
        if ((f->flags & EF_FIELD_STRUCT) &&
            (f->struct_first <= i || f->struct_first < s->top_count ||
             (uint32_t)f->struct_first + f->struct_count > s->field_count))
            __builtin_trap();
        if ((f->flags & EF_FIELD_COUNT_REF) && f->count_ref >= i)
            __builtin_trap();
        if ((f->flags & EF_FIELD_LENGTH_REF) && f->length_ref >= i)
            __builtin_trap();
    }
}

#endif
