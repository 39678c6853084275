/*
 * mof_builtin.c - kernel MOF classes compiled into etwfwd.
 *
 * The MOF files users have (PerfView's kerneltraceeventparser.mof, WMI
 * exports of older systems) stop at older layouts of a few kernel events
 * that Windows 8 and later log in a newer version, and lack whole groups.
 * These classes fill those gaps. They were written from Microsoft's
 * documented kernel event classes and checked, field by field, against the
 * records of PerfView's net.4.5.2.x86.etl (Windows 8, 64-bit kernel): every
 * payload is consumed exactly, and the values are those PerfView prints.
 *
 * The text is parsed by the ordinary MOF parser into a layer of its own in
 * every MOF source (mof_source.c): a class of the record's exact version
 * wins over a fallback, and a file's exact class wins over a built-in one
 * (docs/schemas.md, "Built-in classes"). The text has its own root class,
 * so it neither depends on nor collides with the class names of a file.
 *
 * What each class covers, and the evidence:
 *  - Process_V4_TypeGroup1 (Process group, version 4; Start, End, DCStart,
 *    DCEnd, Defunct): the documented Process_TypeGroup1 (ProcessId and
 *    ParentId in hex, as there) plus Flags after DirectoryTableBase, and
 *    PackageFullName and ApplicationId after CommandLine.
 *    All 74 such records decode to their last byte.
 *  - SystemConfig_V4_PnP (SystemConfig group, version 4, type 22): the
 *    device setup class GUID and the counts of upper and lower filter
 *    drivers come first; DeviceID, DeviceDescription, FriendlyName,
 *    PdoName and ServiceName follow, then the filter driver names (serial
 *    ports list "serenum" as an upper filter, WAN miniports "NdisTapi" as a
 *    lower one). All 78 records decode to their last byte.
 *  - SysConfig_V0_* (the "SysConfig" group {9b79ee91-...}, version 0, types
 *    32-35): BuildInfo (install date as a FILETIME, build lab, product
 *    name), SystemPaths, UnknownVolume and VolumeMapping (NT and DOS paths
 *    as UTF-16 strings). Type 37 of that group is left out: its only record
 *    is 16 zero bytes and no public source names it or its fields.
 *  - SystemConfig_V2_Platform (SystemConfig group, version 2, type 25):
 *    manufacturer, product name, BIOS date and version, UTF-16 strings.
 */
#include "decode/mof_internal.h"

const char ef_mof_builtin_text[] =
    "[Dynamic, Description(\"Windows Kernel Trace\"),\n"
    " Guid(\"{9e814aad-3204-11d2-9a82-006008a86939}\")]\n"
    "class MSNT_SystemTrace:EventTrace\n"
    "{\n"
    "};\n"
    "\n"
    "[Dynamic, Guid(\"{3d6fa8d0-fe05-11d0-9dda-00c04fd7ba7c}\"), EventVersion(4),\n"
    " DisplayName(\"Process\")]\n"
    "class Process_V4:MSNT_SystemTrace\n"
    "{\n"
    "};\n"
    "\n"
    "[Dynamic, EventType{1, 2, 3, 4, 39},\n"
    " EventTypeName{\"Start\", \"End\", \"DCStart\", \"DCEnd\", \"Defunct\"}]\n"
    "class Process_V4_TypeGroup1:Process_V4\n"
    "{\n"
    "    [WmiDataId(1), pointer] uint32 UniqueProcessKey;\n"
    "    [WmiDataId(2), format(\"x\")] uint32 ProcessId;\n"
    "    [WmiDataId(3), format(\"x\")] uint32 ParentId;\n"
    "    [WmiDataId(4)] uint32 SessionId;\n"
    "    [WmiDataId(5)] sint32 ExitStatus;\n"
    "    [WmiDataId(6), pointer] uint32 DirectoryTableBase;\n"
    "    [WmiDataId(7), format(\"x\")] uint32 Flags;\n"
    "    [WmiDataId(8), extension(\"Sid\")] object UserSID;\n"
    "    [WmiDataId(9), StringTermination(\"NullTerminated\")] string ImageFileName;\n"
    "    [WmiDataId(10), StringTermination(\"NullTerminated\"), format(\"w\")]\n"
    "    string CommandLine;\n"
    "    [WmiDataId(11), StringTermination(\"NullTerminated\"), format(\"w\")]\n"
    "    string PackageFullName;\n"
    "    [WmiDataId(12), StringTermination(\"NullTerminated\"), format(\"w\")]\n"
    "    string ApplicationId;\n"
    "};\n"
    "\n"
    "[Dynamic, Guid(\"{01853a65-418f-4f36-aefc-dc0f1d2fd235}\"), EventVersion(2),\n"
    " DisplayName(\"SystemConfig\")]\n"
    "class SystemConfig_V2:MSNT_SystemTrace\n"
    "{\n"
    "};\n"
    "\n"
    "[Dynamic, EventType(25), EventTypeName(\"Platform\")]\n"
    "class SystemConfig_V2_Platform:SystemConfig_V2\n"
    "{\n"
    "    [WmiDataId(1), StringTermination(\"NullTerminated\"), format(\"w\")]\n"
    "    string SystemManufacturer;\n"
    "    [WmiDataId(2), StringTermination(\"NullTerminated\"), format(\"w\")]\n"
    "    string SystemProductName;\n"
    "    [WmiDataId(3), StringTermination(\"NullTerminated\"), format(\"w\")]\n"
    "    string BiosDate;\n"
    "    [WmiDataId(4), StringTermination(\"NullTerminated\"), format(\"w\")]\n"
    "    string BiosVersion;\n"
    "};\n"
    "\n"
    "[Dynamic, Guid(\"{01853a65-418f-4f36-aefc-dc0f1d2fd235}\"), EventVersion(4),\n"
    " DisplayName(\"SystemConfig\")]\n"
    "class SystemConfig_V4:MSNT_SystemTrace\n"
    "{\n"
    "};\n"
    "\n"
    "[Dynamic, EventType(22), EventTypeName(\"PnP\")]\n"
    "class SystemConfig_V4_PnP:SystemConfig_V4\n"
    "{\n"
    "    [WmiDataId(1), extension(\"Guid\")] object ClassGuid;\n"
    "    [WmiDataId(2)] uint32 UpperFilterCount;\n"
    "    [WmiDataId(3)] uint32 LowerFilterCount;\n"
    "    [WmiDataId(4), StringTermination(\"NullTerminated\"), format(\"w\")]\n"
    "    string DeviceID;\n"
    "    [WmiDataId(5), StringTermination(\"NullTerminated\"), format(\"w\")]\n"
    "    string DeviceDescription;\n"
    "    [WmiDataId(6), StringTermination(\"NullTerminated\"), format(\"w\")]\n"
    "    string FriendlyName;\n"
    "    [WmiDataId(7), StringTermination(\"NullTerminated\"), format(\"w\")]\n"
    "    string PdoName;\n"
    "    [WmiDataId(8), StringTermination(\"NullTerminated\"), format(\"w\")]\n"
    "    string ServiceName;\n"
    "    [WmiDataId(9), StringTermination(\"NullTerminated\"), format(\"w\"),\n"
    "     WmiSizeIs(\"UpperFilterCount\")]\n"
    "    string UpperFilters[];\n"
    "    [WmiDataId(10), StringTermination(\"NullTerminated\"), format(\"w\"),\n"
    "     WmiSizeIs(\"LowerFilterCount\")]\n"
    "    string LowerFilters[];\n"
    "};\n"
    "\n"
    "[Dynamic, Guid(\"{9b79ee91-b5fd-41c0-a243-4248e266e9d0}\"), EventVersion(0),\n"
    " DisplayName(\"SysConfig\")]\n"
    "class SysConfig_V0:MSNT_SystemTrace\n"
    "{\n"
    "};\n"
    "\n"
    "[Dynamic, EventType(32), EventTypeName(\"BuildInfo\")]\n"
    "class SysConfig_V0_BuildInfo:SysConfig_V0\n"
    "{\n"
    "    [WmiDataId(1), extension(\"FileTime\")] object InstallDate;\n"
    "    [WmiDataId(2), StringTermination(\"NullTerminated\"), format(\"w\")]\n"
    "    string BuildLab;\n"
    "    [WmiDataId(3), StringTermination(\"NullTerminated\"), format(\"w\")]\n"
    "    string ProductName;\n"
    "};\n"
    "\n"
    "[Dynamic, EventType(33), EventTypeName(\"SystemPaths\")]\n"
    "class SysConfig_V0_SystemPaths:SysConfig_V0\n"
    "{\n"
    "    [WmiDataId(1), StringTermination(\"NullTerminated\"), format(\"w\")]\n"
    "    string SystemDirectory;\n"
    "    [WmiDataId(2), StringTermination(\"NullTerminated\"), format(\"w\")]\n"
    "    string SystemWindowsDirectory;\n"
    "};\n"
    "\n"
    "[Dynamic, EventType(34), EventTypeName(\"UnknownVolume\")]\n"
    "class SysConfig_V0_UnknownVolume:SysConfig_V0\n"
    "{\n"
    "    [WmiDataId(1), StringTermination(\"NullTerminated\"), format(\"w\")]\n"
    "    string NtPath;\n"
    "};\n"
    "\n"
    "[Dynamic, EventType(35), EventTypeName(\"VolumeMapping\")]\n"
    "class SysConfig_V0_VolumeMapping:SysConfig_V0\n"
    "{\n"
    "    [WmiDataId(1), StringTermination(\"NullTerminated\"), format(\"w\")]\n"
    "    string NtPath;\n"
    "    [WmiDataId(2), StringTermination(\"NullTerminated\"), format(\"w\")]\n"
    "    string DosPath;\n"
    "};\n";

const size_t ef_mof_builtin_len = sizeof(ef_mof_builtin_text) - 1;
