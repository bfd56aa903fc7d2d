# Sign files with the release certificate: the bundle's executables before makensis,
# and (through the installer script's !finalize / !uninstfinalize) the installer and its
# uninstaller. The certificate and its password come from the environment, never from
# the command line or a log: WINDOWS_CERT_PATH (a .pfx), WINDOWS_CERT_PASSWORD.
param([Parameter(Mandatory = $true, ValueFromRemainingArguments = $true)][string[]]$Files)
$ErrorActionPreference = "Stop"
$signtool = Get-ChildItem "${env:ProgramFiles(x86)}\Windows Kits\10\bin\*\x64\signtool.exe" |
    Sort-Object FullName | Select-Object -Last 1
& $signtool.FullName sign /f $env:WINDOWS_CERT_PATH /p $env:WINDOWS_CERT_PASSWORD `
    /fd SHA256 /tr http://timestamp.digicert.com /td SHA256 $Files
exit $LASTEXITCODE
