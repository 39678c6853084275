/*
 * manifest_names.c - the names a manifest may use without defining them.
 *
 * InType and OutType names map to the TDH enum values of schema.h; the
 * standard "win:" levels, opcodes, keywords and channels are those of the
 * SDK's winmeta.xml, with the display names Windows shows for them.
 */
#include "decode/manifest_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util/attr.h"
#include "util/error.h"

struct type_name {
    const char *name;
    uint16_t value;
};

static const struct type_name intypes[] = {
    {"win:UnicodeString", EF_IN_UNICODESTRING},
    {"win:AnsiString", EF_IN_ANSISTRING},
    {"win:Int8", EF_IN_INT8},
    {"win:UInt8", EF_IN_UINT8},
    {"win:Int16", EF_IN_INT16},
    {"win:UInt16", EF_IN_UINT16},
    {"win:Int32", EF_IN_INT32},
    {"win:UInt32", EF_IN_UINT32},
    {"win:Int64", EF_IN_INT64},
    {"win:UInt64", EF_IN_UINT64},
    {"win:Float", EF_IN_FLOAT},
    {"win:Double", EF_IN_DOUBLE},
    {"win:Boolean", EF_IN_BOOLEAN},
    {"win:Binary", EF_IN_BINARY},
    {"win:GUID", EF_IN_GUID},
    {"win:Pointer", EF_IN_POINTER},
    {"win:FILETIME", EF_IN_FILETIME},
    {"win:SYSTEMTIME", EF_IN_SYSTEMTIME},
    {"win:SID", EF_IN_SID},
    {"win:HexInt32", EF_IN_HEXINT32},
    {"win:HexInt64", EF_IN_HEXINT64},
    {"win:CountedUnicodeString", EF_IN_MANIFEST_COUNTEDSTRING},
    {"win:CountedString", EF_IN_MANIFEST_COUNTEDSTRING},
    {"win:CountedAnsiString", EF_IN_MANIFEST_COUNTEDANSISTRING},
    {"win:CountedBinary", EF_IN_MANIFEST_COUNTEDBINARY},
};

static const struct type_name outtypes[] = {
    {"xs:string", EF_OUT_STRING},
    {"xs:dateTime", EF_OUT_DATETIME},
    {"xs:byte", EF_OUT_BYTE},
    {"xs:unsignedByte", EF_OUT_UNSIGNEDBYTE},
    {"xs:short", EF_OUT_SHORT},
    {"xs:unsignedShort", EF_OUT_UNSIGNEDSHORT},
    {"xs:int", EF_OUT_INT},
    {"xs:unsignedInt", EF_OUT_UNSIGNEDINT},
    {"xs:long", EF_OUT_LONG},
    {"xs:unsignedLong", EF_OUT_UNSIGNEDLONG},
    {"xs:float", EF_OUT_FLOAT},
    {"xs:double", EF_OUT_DOUBLE},
    {"xs:boolean", EF_OUT_BOOLEAN},
    {"xs:GUID", EF_OUT_GUID},
    {"xs:hexBinary", EF_OUT_HEXBINARY},
    {"win:HexInt8", EF_OUT_HEXINT8},
    {"win:HexInt16", EF_OUT_HEXINT16},
    {"win:HexInt32", EF_OUT_HEXINT32},
    {"win:HexInt64", EF_OUT_HEXINT64},
    {"win:PID", EF_OUT_PID},
    {"win:TID", EF_OUT_TID},
    {"win:Port", EF_OUT_PORT},
    {"win:IPv4", EF_OUT_IPV4},
    {"win:IPv6", EF_OUT_IPV6},
    {"win:SocketAddress", EF_OUT_SOCKETADDRESS},
    {"win:CIMDateTime", EF_OUT_CIMDATETIME},
    {"win:ETWTIME", EF_OUT_ETWTIME},
    {"win:Xml", EF_OUT_XML},
    {"win:ErrorCode", EF_OUT_ERRORCODE},
    {"win:Win32Error", EF_OUT_WIN32ERROR},
    {"win:NTSTATUS", EF_OUT_NTSTATUS},
    {"win:HResult", EF_OUT_HRESULT},
    {"win:DateTimeCultureInsensitive", EF_OUT_CULTURE_INSENSITIVE_DATETIME},
    {"win:Json", EF_OUT_JSON},
    {"win:Utf8", EF_OUT_UTF8},
    {"win:Pkcs7WithTypeInfo", EF_OUT_PKCS7_WITH_TYPE_INFO},
    {"win:CodePointer", EF_OUT_CODE_POINTER},
    {"win:DateTimeUtc", EF_OUT_DATETIME_UTC},
    {"win:DateTime", EF_OUT_DATETIME},
    {"win:Pointer", EF_OUT_HEXINT64},
};

static const struct mf_std levels[] = {
    {"win:LogAlways", 0, "Log Always"},
    {"win:Critical", 1, "Critical"},
    {"win:Error", 2, "Error"},
    {"win:Warning", 3, "Warning"},
    {"win:Informational", 4, "Information"},
    {"win:Verbose", 5, "Verbose"},
};

static const struct mf_std opcodes[] = {
    {"win:Info", 0, "Info"},         {"win:Start", 1, "Start"},
    {"win:Stop", 2, "Stop"},         {"win:DC_Start", 3, "DCStart"},
    {"win:DC_Stop", 4, "DCStop"},    {"win:Extension", 5, "Extension"},
    {"win:Reply", 6, "Reply"},       {"win:Resume", 7, "Resume"},
    {"win:Suspend", 8, "Suspend"},   {"win:Send", 9, "Send"},
    {"win:Receive", 240, "Receive"},
};

static const struct mf_std keywords[] = {
    {"win:ResponseTime", 0x01000000000000ull, "Response Time"},
    {"win:WDIContext", 0x02000000000000ull, "WDI Context"},
    {"win:WDIDiag", 0x04000000000000ull, "WDI Diag"},
    {"win:SQM", 0x08000000000000ull, "SQM"},
    {"win:AuditFailure", 0x10000000000000ull, "Audit Failure"},
    {"win:AuditSuccess", 0x20000000000000ull, "Audit Success"},
    {"win:CorrelationHint", 0x40000000000000ull, "Correlation Hint"},
    {"win:EventlogClassic", 0x80000000000000ull, "Classic"},
};

static const struct mf_std channels[] = {
    {"TraceClassic", 0, "TraceClassic"},  {"System", 8, "System"},
    {"Application", 9, "Application"},    {"Security", 10, "Security"},
    {"TraceLogging", 11, "TraceLogging"}, {"ProviderMetadata", 12, "ProviderMetadata"},
};

static int find_type(const struct type_name *t, size_t n, const char *name, uint16_t *out)
{
    size_t i;

    for (i = 0; name && i < n; i++) {
        if (strcmp(t[i].name, name) == 0) {
            *out = t[i].value;
            return 0;
        }
    }
    return EF_ENOENT;
}

int ef_mf_intype(const char *name, uint16_t *out)
{
    return find_type(intypes, EF_ARRAY_LEN(intypes), name, out);
}

int ef_mf_outtype(const char *name, uint16_t *out)
{
    return find_type(outtypes, EF_ARRAY_LEN(outtypes), name, out);
}

static const struct mf_std *find_std(const struct mf_std *t, size_t n, const char *name)
{
    size_t i;

    for (i = 0; name && i < n; i++) {
        if (strcmp(t[i].name, name) == 0)
            return &t[i];
    }
    return NULL;
}

const struct mf_std *ef_mf_std_level(const char *name)
{
    return find_std(levels, EF_ARRAY_LEN(levels), name);
}

const struct mf_std *ef_mf_std_opcode(const char *name)
{
    return find_std(opcodes, EF_ARRAY_LEN(opcodes), name);
}

const struct mf_std *ef_mf_std_keyword(const char *name)
{
    return find_std(keywords, EF_ARRAY_LEN(keywords), name);
}

const struct mf_std *ef_mf_std_channel(const char *name)
{
    /* Channels are imported by their plain name or as "win:Name". */
    if (name && strncmp(name, "win:", 4) == 0)
        name += 4;
    return find_std(channels, EF_ARRAY_LEN(channels), name);
}

const struct mf_std *ef_mf_std_keywords(size_t *count)
{
    *count = EF_ARRAY_LEN(keywords);
    return keywords;
}

int ef_mf_number(const char *s, uint64_t max, uint64_t *out)
{
    unsigned long long v;
    char *end;

    if (!s)
        return EF_EFORMAT;
    while (*s == ' ' || *s == '\t')
        s++;
    /* strtoull accepts a sign and wraps negative numbers: refuse them. */
    if (*s < '0' || *s > '9')
        return EF_EFORMAT;
    errno = 0;
    /* Base 10 unless "0x": a leading zero is not octal in manifests. */
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        if (!isxdigit((unsigned char)s[2]))
            return EF_EFORMAT;
        v = strtoull(s + 2, &end, 16);
    } else {
        v = strtoull(s, &end, 10);
    }
    while (*end == ' ' || *end == '\t')
        end++;
    if (errno || *end || v > max)
        return EF_EFORMAT;
    *out = v;
    return 0;
}
