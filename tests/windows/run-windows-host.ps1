<#
.SYNOPSIS
    etwfwd on a real Windows machine: what Wine and the fake ETW cannot prove.

.DESCRIPTION
    Run as administrator (a hosted CI runner is one; on your own machine or
    VM use an elevated PowerShell), given the path of etwfwd.exe:

        powershell -ExecutionPolicy Bypass -File tests\windows\run-windows-host.ps1 -Exe .\etwfwd.exe

    Checks, each printed as PASS or FAIL:
      1. `etwfwd selftest --events 10000` exits 0 (every event arrived, decoded and equal).
      2. A realtime session on Microsoft-Windows-Kernel-Process (keyword 0x10,
         WINEVENT_KEYWORD_PROCESS) forwarded to a file sink: the ProcessStart
         events (id 1) of processes this script starts are in the file.
      3. A kernel session (kernel_flags = process): the same processes' Process
         Start records (opcode 1) with their command lines.
      4. An `existing` session: attaches to a session started with logman,
         sees the processes, and leaves that session running when it stops.
      5. `etwfwd sessions --json` lists the sessions while they run, ours marked.
      6. The service: install (quoted ImagePath, delayed start), start, process
         starts forwarded under the SCM, status, reload, stop, the "started"
         message in the Application log from the exe's message table, uninstall.
    `run` is stopped with Ctrl-C (cmd_run.c handles CTRL_C/CTRL_BREAK through
    libuv's SIGINT/SIGBREAK), sent from a helper process attached to its
    console, so it drains its queue and spool into the file before exiting;
    taskkill /F is only the fallback when it does not stop in time (a FAIL).

    Exits 0 when every check passed, 1 otherwise; the work folder (configs,
    outputs, logs) is kept on failure and named in the output.
#>
param(
    [Parameter(Mandatory = $true)][string]$Exe,
    [int]$Events = 10000,
    [string]$WorkDir = (Join-Path $env:TEMP ("etwfwd-host-test-" + [guid]::NewGuid().ToString("N").Substring(0, 8)))
)

$ErrorActionPreference = 'Stop'
$Exe = (Resolve-Path $Exe).Path
New-Item -ItemType Directory -Force -Path $WorkDir | Out-Null
$script:failures = 0

function Report([string]$name, [bool]$ok, [string]$detail) {
    if ($ok) { Write-Host "PASS  $name" } else { Write-Host "FAIL  $name  $detail"; $script:failures++ }
}

function Test-Admin {
    $id = [Security.Principal.WindowsIdentity]::GetCurrent()
    return (New-Object Security.Principal.WindowsPrincipal $id).IsInRole([Security.Principal.WindowsBuiltInRole]::Administrator)
}

# Runs etwfwd to completion; returns @{ Code; Out; Err }.
function Invoke-Etwfwd([string[]]$argv, [int]$timeoutSec = 300) {
    $out = Join-Path $WorkDir ("out-" + [guid]::NewGuid().ToString("N") + ".txt")
    $err = "$out.err"
    $p = Start-Process -FilePath $Exe -ArgumentList $argv -NoNewWindow -PassThru `
        -RedirectStandardOutput $out -RedirectStandardError $err
    if (-not $p.WaitForExit($timeoutSec * 1000)) {
        Stop-Process -Id $p.Id -Force
        return @{ Code = -1; Out = (Get-Content -Raw $out); Err = "timed out after $timeoutSec s" }
    }
    return @{ Code = $p.ExitCode; Out = (Get-Content -Raw $out); Err = (Get-Content -Raw $err) }
}

# Sends Ctrl-C to the console of process $procId from a separate PowerShell,
# so this script's own console is left alone.
function Send-CtrlC([int]$procId) {
    $helper = @"
Add-Type -Namespace K -Name C -MemberDefinition @'
[DllImport("kernel32.dll")] public static extern bool FreeConsole();
[DllImport("kernel32.dll")] public static extern bool AttachConsole(uint p);
[DllImport("kernel32.dll")] public static extern bool SetConsoleCtrlHandler(System.IntPtr h, bool add);
[DllImport("kernel32.dll")] public static extern bool GenerateConsoleCtrlEvent(uint e, uint g);
'@
[K.C]::FreeConsole() | Out-Null
if (-not [K.C]::AttachConsole($procId)) { exit 3 }
[K.C]::SetConsoleCtrlHandler([System.IntPtr]::Zero, `$true) | Out-Null
if (-not [K.C]::GenerateConsoleCtrlEvent(0, 0)) { exit 4 }
Start-Sleep -Milliseconds 500
exit 0
"@
    $h = Start-Process -FilePath powershell -ArgumentList @('-NoProfile', '-NonInteractive', '-Command', $helper) `
        -WindowStyle Hidden -PassThru -Wait
    return $h.ExitCode
}

# Starts `etwfwd run -c $conf` in a console of its own (so it can get Ctrl-C).
function Start-Run([string]$conf, [string]$tag) {
    $log = Join-Path $WorkDir "$tag.log"
    $p = Start-Process -FilePath $Exe -ArgumentList @('run', '-c', $conf) -WindowStyle Hidden -PassThru `
        -RedirectStandardError $log -RedirectStandardOutput "$log.out"
    return $p
}

function Stop-Run($p, [string]$name) {
    $sent = Send-CtrlC $p.Id
    if (-not $p.WaitForExit(90000)) {
        Report "$name stops on Ctrl-C" $false "still running 90 s after Ctrl-C (helper exit $sent); killed"
        & taskkill /F /PID $p.Id | Out-Null
        $p.WaitForExit(10000) | Out-Null
        return
    }
    Report "$name stops on Ctrl-C and exits 0" ($p.ExitCode -eq 0) "exit code $($p.ExitCode), helper exit $sent"
}

# The running sessions as `etwfwd sessions --json` lists them.
function Get-Sessions {
    $r = Invoke-Etwfwd @('sessions', '--json') 60
    if ($r.Code -ne 0) { return $null }
    return ($r.Out | ConvertFrom-Json).sessions
}

# Waits until a session whose name contains $part is listed; returns it or $null.
function Wait-Session([string]$part, [int]$timeoutSec = 60) {
    $deadline = (Get-Date).AddSeconds($timeoutSec)
    while ((Get-Date) -lt $deadline) {
        $s = Get-Sessions | Where-Object { $_.name -like "*$part*" } | Select-Object -First 1
        if ($s) { return $s }
        Start-Sleep -Milliseconds 500
    }
    return $null
}

# Starts $count short processes (cmd /c rem MARKER) with unique command lines; returns @{ Pid; Marker }.
function Start-Marked([int]$count, [string]$tag) {
    $started = @()
    for ($i = 0; $i -lt $count; $i++) {
        $marker = "etwfwd-$tag-" + [guid]::NewGuid().ToString("N")
        $p = Start-Process -FilePath "$env:SystemRoot\System32\cmd.exe" -ArgumentList @('/c', 'rem', $marker) `
            -WindowStyle Hidden -PassThru -Wait
        $started += @{ Pid = $p.Id; Marker = $marker }
    }
    return $started
}

function Read-Events([string]$path) {
    if (-not (Test-Path $path)) { return @() }
    return Get-Content $path | Where-Object { $_.Trim() } | ForEach-Object { $_ | ConvertFrom-Json }
}

function Write-Config([string]$path, [string]$session, [string]$out) {
    $state = Join-Path $WorkDir ("state-" + [IO.Path]::GetFileNameWithoutExtension($path))
    $text = @"
[service]
state_dir = $state
spool = memory
log_level = info
shutdown_timeout = 30s

$session

[sink:out]
type = file
path = $out

[route:all]
session = s
sink = out
"@
    Set-Content -Path $path -Value $text -Encoding ascii
}

# One `run` with a session: waits for it, starts processes, stops, reads the file.
function Invoke-SessionCheck([string]$tag, [string]$sessionText, [string]$sessionPart) {
    $conf = Join-Path $WorkDir "$tag.ini"
    $out = Join-Path $WorkDir "$tag.ndjson"
    Write-Config $conf $sessionText $out
    $v = Invoke-Etwfwd @('validate', '-c', $conf) 60
    Report "$tag configuration validates" ($v.Code -eq 0) $v.Err
    $p = Start-Run $conf $tag
    $s = Wait-Session $sessionPart 60
    Report "$tag session listed by 'etwfwd sessions'" ($null -ne $s) "no session named *$sessionPart* within 60 s"
    if ($s -and $sessionPart -like 'etwfwd-*') {
        Report "$tag session marked ours" ([bool]$s.ours) ($s | ConvertTo-Json -Compress)
    }
    Start-Sleep -Seconds 2   # the providers are enabled right after the session starts
    $procs = Start-Marked 5 $tag
    Start-Sleep -Seconds 3   # flush_timer is 1 s: buffers reach the consumer
    Stop-Run $p $tag
    return @{ Procs = $procs; Events = (Read-Events $out); Out = $out }
}

if (-not (Test-Admin)) {
    Write-Host "FAIL  administrator rights: ETW sessions need an elevated administrator"
    exit 1
}
Write-Host "etwfwd: $Exe"
Write-Host "work:   $WorkDir"
& $Exe version

# 1. selftest
$r = Invoke-Etwfwd @('selftest', '--events', "$Events") 600
Write-Host $r.Out
Report "selftest --events $Events exits 0" ($r.Code -eq 0) "exit $($r.Code): $($r.Err)"

# 2. realtime Microsoft-Windows-Kernel-Process, keyword 0x10 (process)
$rt = Invoke-SessionCheck 'rt' "[session:s]`r`nkind = realtime`r`nflush_timer = 1s`r`nprovider = Microsoft-Windows-Kernel-Process:4::0x10" 'etwfwd-'
foreach ($pr in $rt.Procs) {
    $hit = $rt.Events | Where-Object {
        $_.System.Provider.Guid -eq '{22FB2CD6-0E7B-422B-A0C7-2FAD1FD0E716}' -and $_.System.EventID -eq 1 -and
        [int64]$_.EventData.ProcessID -eq $pr.Pid }
    Report "realtime: ProcessStart of pid $($pr.Pid)" ($null -ne $hit) "not in $($rt.Out)"
}

# 3. kernel session, process flag: Process Start (opcode 1) with the command line
$kn = Invoke-SessionCheck 'kernel' "[session:s]`r`nkind = kernel`r`nflush_timer = 1s`r`nkernel_flags = process" 'etwfwd-'
foreach ($pr in $kn.Procs) {
    $hit = $kn.Events | Where-Object {
        $_.System.Opcode.Value -eq 1 -and [int64]$_.EventData.ProcessId -eq $pr.Pid -and
        "$($_.EventData.CommandLine)" -like "*$($pr.Marker)*" }
    Report "kernel: Process Start of pid $($pr.Pid) with its command line" ($null -ne $hit) "not in $($kn.Out)"
}

# 4. existing: attach to a session logman runs, and leave it running
$existing = 'etwfwd-test-existing'
& logman stop $existing -ets 2>&1 | Out-Null
& logman start $existing -p Microsoft-Windows-Kernel-Process 0x10 -rt -ets | Out-Null
Report "logman starts $existing" ($LASTEXITCODE -eq 0) "logman exit $LASTEXITCODE"
$ex = Invoke-SessionCheck 'existing' "[session:s]`r`nkind = existing`r`ntrace_name = $existing" $existing
foreach ($pr in $ex.Procs) {
    $hit = $ex.Events | Where-Object {
        $_.System.Provider.Guid -eq '{22FB2CD6-0E7B-422B-A0C7-2FAD1FD0E716}' -and $_.System.EventID -eq 1 -and
        [int64]$_.EventData.ProcessID -eq $pr.Pid }
    Report "existing: ProcessStart of pid $($pr.Pid)" ($null -ne $hit) "not in $($ex.Out)"
}
& logman query $existing -ets | Out-Null
Report "existing: the attached session still runs after etwfwd stopped" ($LASTEXITCODE -eq 0) "logman query exit $LASTEXITCODE"
& logman stop $existing -ets | Out-Null

# 6. the Windows service: install, start, events under the SCM, status, reload, stop, uninstall
$svc = 'etwfwd-host-test'
$svcConf = Join-Path $WorkDir 'service.ini'
$svcOut = Join-Path $WorkDir 'service.ndjson'
Write-Config $svcConf "[session:s]`r`nkind = realtime`r`nflush_timer = 1s`r`nprovider = Microsoft-Windows-Kernel-Process:4::0x10" $svcOut
$r = Invoke-Etwfwd @('install', '-c', $svcConf, '--name', $svc) 120
Report "service: install" ($r.Code -eq 0) "exit $($r.Code): $($r.Err)"
$image = (Get-ItemProperty "HKLM:\SYSTEM\CurrentControlSet\Services\$svc").ImagePath
Report "service: ImagePath quoted" ($image -like ('"' + $Exe + '" service -c "' + $svcConf + '"*')) $image
$delayed = (Get-ItemProperty "HKLM:\SYSTEM\CurrentControlSet\Services\$svc").DelayedAutostart
Report "service: delayed automatic start" ($delayed -eq 1) "DelayedAutostart = $delayed"
$r = Invoke-Etwfwd @('start', '--name', $svc) 120
Report "service: start" ($r.Code -eq 0) "exit $($r.Code): $($r.Err)"
Start-Sleep -Seconds 3
$procs = Start-Marked 3 'svc'
Start-Sleep -Seconds 4
$events = Read-Events $svcOut
foreach ($pr in $procs) {
    $hit = $events | Where-Object {
        $_.System.Provider.Guid -eq '{22FB2CD6-0E7B-422B-A0C7-2FAD1FD0E716}' -and $_.System.EventID -eq 1 -and
        [int64]$_.EventData.ProcessID -eq $pr.Pid }
    Report "service: ProcessStart of pid $($pr.Pid) under the SCM" ($null -ne $hit) "not in $svcOut"
}
$r = Invoke-Etwfwd @('status', '--name', $svc, '--json') 60
$st = $null
if ($r.Code -eq 0) { $st = $r.Out | ConvertFrom-Json }
Report "service: status RUNNING" ($st -and $st.state -eq 'RUNNING') "exit $($r.Code): $($r.Out) $($r.Err)"
$r = Invoke-Etwfwd @('reload', '--name', $svc) 60
Report "service: reload (PARAMCHANGE) accepted" ($r.Code -eq 0) "exit $($r.Code): $($r.Err)"
$r = Invoke-Etwfwd @('stop', '--name', $svc) 120
Report "service: stop" ($r.Code -eq 0) "exit $($r.Code): $($r.Err)"
$started = Get-WinEvent -FilterHashtable @{ LogName = 'Application'; ProviderName = $svc } -MaxEvents 20 -ErrorAction SilentlyContinue |
    Where-Object { $_.Message -like '*started*' }
Report "service: 'started' in the Application event log, text from etwfwd.exe's message table" ($null -ne $started) "no event of source $svc"
$r = Invoke-Etwfwd @('uninstall', '--name', $svc) 120
Report "service: uninstall" ($r.Code -eq 0 -and -not (Get-Service $svc -ErrorAction SilentlyContinue)) "exit $($r.Code): $($r.Err)"

# 7. nothing of ours is left running
$left = Get-Sessions | Where-Object { $_.ours }
Report "no etwfwd-* session left running" (-not $left) (($left | ForEach-Object { $_.name }) -join ', ')

if ($script:failures -eq 0) {
    Write-Host "all checks passed"
    Remove-Item -Recurse -Force $WorkDir -ErrorAction SilentlyContinue
    exit 0
}
Write-Host "$($script:failures) check(s) failed; outputs kept in $WorkDir"
exit 1
